"""Run the registered benchmarks against a freshly built bench database.

`main` is `python -m bench`: it points ``DATABASE_URL`` at the bench database
(see `bench.database`) *before* Django is set up, recreates and migrates it,
builds the data sets the selected cases need, then times each case and prints
a Markdown table that it also writes to ``$VAR_DIR/bench-results.md``.

Each case runs in this one process, single-threaded, through the whole Django
stack with the test `Client` (middleware, sessions, templates; no network and
no WSGI server). `settings.DEBUG` is turned off in-process so that queries are
not logged and templates are not compiled in debug mode, while the rest of the
development settings (``DEBUG=1``: no HTTPS redirect, no secret key, static
files without a manifest) stay as they are.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import registry
from bench.database import (
    BenchDatabase,
    BenchDatabaseError,
    copy_template,
    point_at_bench_database,
    recreate,
)

DEFAULT_REPEAT = 20
DEFAULT_WARMUP = 3
RESULTS_NAME = "bench-results.md"
BENCH_PASSWORD = "bench-password"


class BenchFailure(Exception):
    """A case did not do what it measures (wrong status, missing data)."""


def expect_ok(response: Any, status: int = 200) -> Any:
    """Fail the case unless `response` has `status`, so a redirect is never timed as a page."""
    if response.status_code != status:
        location = response.headers.get("Location", "")
        raise BenchFailure(
            f"{response.wsgi_request.method} {response.wsgi_request.get_full_path()} answered "
            f"{response.status_code}{f' -> {location}' if location else ''}, expected {status}"
        )
    return response


@dataclass
class Context:
    """What data sets and setups receive: the scale, the built data, helpers."""

    scale: dict[str, int]
    data: dict[str, Any] = field(default_factory=dict)

    def client(self, user: Any = None) -> Any:
        """A test `Client`, signed in as `user` (a session, as after a real sign-in: password
        and, for whom it is required, the second factor) if given."""
        from django.test import Client

        from cepa_collab import second_factor

        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            session = client.session
            session[second_factor.SESSION_KEY] = second_factor.VERIFIED
            session.save()
        return client


@dataclass
class Result:
    name: str
    title: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p90(self) -> float:
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[-1]

    @property
    def per_second(self) -> float:
        return 1000.0 / self.median if self.median > 0 else float("inf")

    @property
    def queries_label(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"

    def row(self) -> list[str]:
        if self.error is not None or not self.times_ms:
            return [self.name, self.title, "failed", "", "", "", "", ""]
        return [
            self.name,
            self.title,
            f"{self.median:.2f}",
            f"{self.p90:.2f}",
            f"{min(self.times_ms):.2f}",
            f"{max(self.times_ms):.2f}",
            f"{self.per_second:,.0f}",
            self.queries_label,
        ]


HEADERS = ["benchmark", "what", "median ms", "p90 ms", "min ms", "max ms", "req/s", "queries"]
RIGHT_ALIGNED = {2, 3, 4, 5, 6, 7}


def markdown_table(results: Sequence[Result]) -> str:
    rows = [HEADERS, *(r.row() for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in RIGHT_ALIGNED else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (widths[i] + 1) + ":") if i in RIGHT_ALIGNED else ("-" * (widths[i] + 2))
            for i in range(len(HEADERS))
        )
        + "|"
    )
    failures = [f"- {r.name} failed: {r.error or 'no timings'}" for r in results if r.error]
    lines = [line(rows[0]), rule, *(line(r) for r in rows[1:])]
    return "\n".join([*lines, *(["", *failures] if failures else [])])


@contextmanager
def count_queries() -> Iterator[list[int]]:
    """Count the SQL statements executed on every connection (works with DEBUG off).

    Cheaper than `CaptureQueriesContext`, which formats and times each query:
    one function call per statement, so the timings stay honest.
    """
    from django.db import connections

    counter = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        counter[0] += 1
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        yield counter


def run_case(case: registry.Benchmark, ctx: Context, *, repeat: int, warmup: int) -> Result:
    result = Result(name=case.name, title=case.title(ctx.scale))
    try:
        state = case.setup(ctx) if case.setup is not None else ctx
        for _ in range(warmup):
            case.func(state)
        gc.collect()
        with count_queries() as counter:
            for _ in range(repeat):
                before = counter[0]
                start = time.perf_counter()
                case.func(state)
                elapsed = time.perf_counter() - start
                result.times_ms.append(elapsed * 1000.0)
                result.queries.append(counter[0] - before)
    except Exception as exc:
        traceback.print_exc()
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        result.times_ms.clear()
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build a scaled data set in a separate database and time the "
        "registered benchmarks (median, p90, min, max, requests/s, queries).",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        metavar="N",
        help=f"timed iterations per benchmark (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=DEFAULT_WARMUP,
        metavar="N",
        help=f"untimed iterations before timing (default {DEFAULT_WARMUP})",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only benchmarks whose name contains NAME or matches it as a glob; repeatable",
    )
    parser.add_argument(
        "--users", type=int, metavar="N", help="number of users in the data set (scale 'users')"
    )
    parser.add_argument(
        "--scale",
        action="append",
        default=[],
        metavar="KEY=N",
        help="override any scale of the data set, e.g. --scale users=2000; repeatable",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the benchmarks and the scale, then exit"
    )
    parser.add_argument(
        "--template",
        type=Path,
        metavar="PATH",
        help="SQLite only: start the bench database as a copy of this migrated database "
        "(`migrate` then applies only what it lacks) instead of migrating an empty one",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help=f"where to write the results table (default $VAR_DIR/{RESULTS_NAME})",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def resolve_scale(args: argparse.Namespace) -> dict[str, int]:
    scale = registry.default_scale()
    overrides: dict[str, int] = {}
    for item in args.scale:
        key, sep, value = item.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise SystemExit(f"--scale {item!r}: expected KEY=N, e.g. users=2000")
        overrides[key.strip()] = int(value)
    if args.users is not None:
        overrides["users"] = args.users
    unknown = sorted(set(overrides) - set(scale))
    if unknown:
        raise SystemExit(f"unknown scale {', '.join(unknown)}; known: {', '.join(sorted(scale))}")
    for key, value in overrides.items():
        if value < 1:
            raise SystemExit(f"scale {key} must be at least 1")
    scale.update(overrides)
    return scale


def setup_django(db: BenchDatabase) -> None:
    """Set Django up on the bench database with benchmark-friendly runtime settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cepa_collab.settings")
    import django

    django.setup()
    from django.conf import settings

    if str(settings.DATABASES["default"]["NAME"]) != db.name:
        raise BenchDatabaseError(
            f"settings use database {settings.DATABASES['default']['NAME']!r}, "
            f"not the bench database {db.name!r}"
        )
    # Queries are not logged and templates are not compiled for debugging, as in
    # production; set before the first request builds the template engine.
    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Building 10,000 users must not spend minutes hashing passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def header_lines(
    db: BenchDatabase, scale: dict[str, int], args: argparse.Namespace, timings: dict[str, float]
) -> list[str]:
    import django
    from django.db import connection

    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        version = f"{major}.{minor}"
    else:
        version = connection.Database.sqlite_version
    prepared = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
    return [
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} CPUs), Python {platform.python_version()}, Django {django.__version__}",
        f"- database: {db.describe()} ({connection.vendor} {version})",
        "- scale: " + (", ".join(f"{k}={v:,}" for k, v in sorted(scale.items())) or "none"),
        f"- each benchmark: {args.warmup} warm-up + {args.repeat} timed iterations, one request "
        "each, one process, test Client through the whole Django stack, settings.DEBUG off",
        f"- prepared: {prepared}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DEBUG", "1")  # development settings; DEBUG is turned off in-process
    try:
        db = point_at_bench_database()
    except BenchDatabaseError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    setup_django(db)
    registry.load_cases()
    scale = resolve_scale(args)
    selected = registry.select(args.only)

    if args.list:
        print("benchmarks:")
        for case in registry.benchmarks():
            needs = f"  [needs {', '.join(case.needs)}]" if case.needs else ""
            print(f"  {case.name:<24} {case.title(scale)}{needs}")
        print("scale: " + ", ".join(f"{k}={v:,}" for k, v in sorted(scale.items())))
        return 0
    if not selected:
        print(f"bench: no benchmark matches {args.only}; see --list", file=sys.stderr)
        return 2

    from django.conf import settings
    from django.core.management import call_command

    timings: dict[str, float] = {}
    print(f"bench: recreating {db.describe()}", flush=True)
    start = time.perf_counter()
    recreate(db)
    if args.template:
        try:
            copy_template(db, args.template)
        except BenchDatabaseError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    call_command("migrate", verbosity=0, interactive=False)
    timings["template + migrate" if args.template else "migrate"] = time.perf_counter() - start

    ctx = Context(scale=scale)
    for ds in registry.build_order(selected):
        start = time.perf_counter()
        ctx.data[ds.name] = ds.build(ctx)
        timings[ds.name] = time.perf_counter() - start
        print(f"bench: built {ds.name} in {timings[ds.name]:.1f} s", flush=True)

    results = []
    for case in selected:
        print(f"bench: running {case.name}", flush=True)
        results.append(run_case(case, ctx, repeat=args.repeat, warmup=args.warmup))

    table = markdown_table(results)
    document = "\n".join(
        ["# CEPA Collab benchmarks", "", *header_lines(db, scale, args, timings), "", table, ""]
    )
    output = args.output or Path(settings.VAR_DIR) / RESULTS_NAME
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print()
    print(table)
    print()
    print(f"bench: results written to {output}")
    return 1 if any(r.error for r in results) else 0
