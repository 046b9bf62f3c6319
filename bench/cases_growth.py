"""Growth: pages that must keep their time as the data grows (issue 15, "Growth").

The ``growth`` data set is the ``deliverables`` and ``meeting_feeds`` data sets of
`bench.cases_workflows` and `bench.cases_meetings` at ``growth`` times a base of 1,000
deliverables, 5,000 review assignments and 500 public meetings (``--scale growth=100``:
100,000, 500,000 and 50,000). Run it once per size; each run adds its medians to
``$VAR_DIR/bench-growth.json`` and the last case prints every size measured so far side by
side, with the ratio to the smallest::

    python -m bench --only 'growth_*' --scale growth=1
    python -m bench --only 'growth_*' --scale growth=100   # slow to build: bulk inserts

The pages: a country page (the e-GovB chief, a country with a share of the meetings),
"My reviews" of a CEPA member with thousands of assignments, the deliverables API as that
member, the deliverables page as the chief, the start page of both and the chief's
cockpit. Each must stay within 2x of its 1x time.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from bench.cases_meetings import ZONES, build_meeting_feeds
from bench.cases_workflows import build_deliverables
from bench.harness import Context, expect_ok
from bench.registry import benchmark, dataset

BASE = {"deliverables": 1_000, "assignments": 5_000, "public_meetings": 500, "feed_meetings": 20}
JSON = {"accept": "application/json"}
COUNTRY = ZONES[0][1]  # one of the host countries of the public meetings
RESULTS = "bench-growth.json"


@dataclass
class Growth:
    factor: int
    sizes: dict[str, int]
    chief: Any
    member: Any


@dataset("growth", scale={"growth": 1})
def build_growth(ctx: Context) -> Growth:
    """The workflow and meetings data sets at `growth` times `BASE`, by bulk inserts."""
    factor = ctx.scale["growth"]
    sizes = {key: value * factor for key, value in BASE.items()}
    sizes["feed_meetings"] = BASE["feed_meetings"]
    scaled = Context(scale=sizes)
    started = time.perf_counter()
    # Its own people ("gr_…"): a run of every case builds the "deliverables" data set too
    # (in the same branch: measure growth alone, `--only 'growth_*'`, as the README says).
    deliverables = build_deliverables(scaled, prefix="gr")
    build_meeting_feeds(scaled, prefix="grm")
    print(f"bench: growth x{factor} built in {time.perf_counter() - started:.0f} s", flush=True)
    return Growth(factor, sizes, deliverables.chief, deliverables.member)


_times: dict[str, list[float]] = defaultdict(list)


def _timed(name: str, call: Callable[[], Any]) -> None:
    start = time.perf_counter()
    expect_ok(call())
    _times[name].append((time.perf_counter() - start) * 1000.0)


@dataclass
class Visit:
    client: Any


def _as_chief(ctx: Context) -> Visit:
    return Visit(ctx.client(ctx.data["growth"].chief))


def _as_member(ctx: Context) -> Visit:
    return Visit(ctx.client(ctx.data["growth"].member))


@benchmark(
    "growth_country_page",
    f"GET /countries/{COUNTRY}/ as the e-GovB chief, 500 x growth public meetings in 16 "
    "countries (growth x{growth})",
    setup=_as_chief,
    needs=("growth",),
)
def growth_country_page(visit: Visit) -> None:
    _timed("country page", lambda: visit.client.get(f"/countries/{COUNTRY}/"))


@benchmark(
    "growth_my_reviews",
    "GET /reviews/ as a CEPA member with a 28th of the assignments (growth x{growth})",
    setup=_as_member,
    needs=("growth",),
)
def growth_my_reviews(visit: Visit) -> None:
    _timed("my reviews", lambda: visit.client.get("/reviews/"))


@benchmark(
    "growth_deliverables_api_member",
    "GET /api/v1/deliverables/ (first page) as that CEPA member (growth x{growth})",
    setup=_as_member,
    needs=("growth",),
)
def growth_deliverables_api_member(visit: Visit) -> None:
    _timed(
        "deliverables API, member",
        lambda: visit.client.get("/api/v1/deliverables/", headers=JSON),
    )


@benchmark(
    "growth_deliverables_page_chief",
    "GET /deliverables/ (first page) as the e-GovB chief (growth x{growth})",
    setup=_as_chief,
    needs=("growth",),
)
def growth_deliverables_page_chief(visit: Visit) -> None:
    _timed("deliverables page, chief", lambda: visit.client.get("/deliverables/"))


@benchmark(
    "growth_home_chief",
    "GET / (My work) as the e-GovB chief (growth x{growth})",
    setup=_as_chief,
    needs=("growth",),
)
def growth_home_chief(visit: Visit) -> None:
    _timed("start page, chief", lambda: visit.client.get("/"))


@benchmark(
    "growth_home_member",
    "GET / (My work) as that CEPA member (growth x{growth})",
    setup=_as_member,
    needs=("growth",),
)
def growth_home_member(visit: Visit) -> None:
    _timed("start page, member", lambda: visit.client.get("/"))


@benchmark(
    "growth_cockpit_chief",
    "GET /dashboard/ (the branch cockpit) as the e-GovB chief (growth x{growth})",
    setup=_as_chief,
    needs=("growth",),
)
def growth_cockpit_chief(visit: Visit) -> None:
    _timed("cockpit, chief", lambda: visit.client.get("/dashboard/"))


def summary(factor: int) -> str:
    """Record this run's medians under its factor; every factor measured so far, side by side."""
    path = settings.VAR_DIR / RESULTS if hasattr(settings, "VAR_DIR") else None
    known: dict[str, dict[str, float]] = {}
    if path is not None and path.exists():
        known = json.loads(path.read_text())
    known[str(factor)] = {name: statistics.median(times) for name, times in _times.items()}
    if path is not None:
        path.write_text(json.dumps(known, indent=2, sort_keys=True))
    factors = sorted(known, key=int)
    lines = ["growth: median ms by size (ratio to x" + factors[0] + ")"]
    for name in _times:
        cells = []
        for f in factors:
            value = known[f].get(name)
            base = known[factors[0]].get(name)
            if value is None:
                cells.append(f"x{f}: -")
            else:
                ratio = f" ({value / base:.2f}x)" if base and f != factors[0] else ""
                cells.append(f"x{f}: {value:.1f}{ratio}")
        lines.append(f"  {name:<26} " + "   ".join(cells))
    return "\n".join(lines)


def _print_summary(ctx: Context) -> None:
    print("bench: " + summary(ctx.data["growth"].factor), flush=True)


@benchmark(
    "growth_summary",
    "growth: medians of the cases above at each size measured (see the printed table)",
    setup=_print_summary,
    needs=("growth",),
)
def growth_summary(_state) -> None:
    """Nothing to time: the table is printed and kept in $VAR_DIR/bench-growth.json."""
