"""A crawl of every page the navigation reaches, for each role of the demo, in each language,
at 1280 and 320 CSS px wide (320 px is also what 1280 px at 400 % zoom lays out).

The demo world (`manage.py seed_demo`, today's dates) is seeded once for the module and
served by a live server of its own; each test crawls as one persona (tests/browser/crawler.py:
a CEPA member, branch staff, a branch chief, an Inter-Regional Advisor, the secretariat
administrator, a Member State focal point) in one language of settings.LANGUAGES. The pages:
the home page, every link of the header's navigation (less Django's admin and the Swagger UI,
crawler.NOT_CRAWLED) and the first link of each kind found in their main content (a
deliverable, a review, a meeting, the month view, a request, a contribution, a country, a
region, the notification preferences: crawler.DETAIL_PAGES).

Each page is loaded once, cold (the browser's cache off), in a 320 px wide window, then the
window is widened to 1280 px. What is checked where:

- every page, persona, language: the answer is 200 at the address asked (no redirect), in
  the language asked (`<html lang>`); the bytes on the wire (response bodies as transferred,
  encoded where the server compressed them; static files, which the live server hands out
  uncompressed where production's WhiteNoise sends its gzip copy, at their gzip size:
  crawler.Weigher) at most 60 KB, and at most 6 requests;
- every page, persona, language, at 320 and at 1280 px: the document is never wider than
  the window (`document.documentElement.scrollWidth <= window.innerWidth`);
- axe-core, WCAG 2.2 A and AA tags (wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa), every
  rule but colour contrast: at 320 and 1280 px in every language (AXE_WIDE_LANGUAGES), on
  every page except one whose kind of page (its address less ids: /deliverables/N/) was
  already audited in that language at that width with every kind of element its main
  content has (crawler.markup_kinds: another persona's copy of the same template, other
  rows; the header's kinds are the same for every persona). Without that, the six personas
  would audit the same templates six times over;
- axe-core's colour-contrast rule (it costs 3-10 times all the others together on long
  pages: it asks the layout engine what lies under each piece of text): in English
  (CONTRAST_LANGUAGES; colours come from the one stylesheet, not from the language), at
  both widths, under the same rule of one audit per kind of page and markup.

Measured on the 2-core machine with English and French: 214 page loads, 164 axe-core
runs, 143 s of CPU time in all (seeding the demo included) for the module; the wall time
is about that on an idle machine. Each more language adds about a third (loads and the
rules other than contrast).

A test collects every failure of its persona and language and fails once with the list
(address, width, what failed). The figures of the crawl (pages, languages, widths, the
heaviest page) go to var/crawl.json and a summary line is printed.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings

from tests.browser import crawler
from tests.browser.crawler import BUDGET_BYTES, BUDGET_REQUESTS, NARROW, PERSONAS, WIDE

# A database test: pytest-django sets the test database up only for a session that has one.
# Each test runs in a transaction rolled back after it (nothing it does outlives it); the
# world it crawls was committed by `crawl_site` before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGUAGES = [code for code, _name in django_settings.LANGUAGES]
# Where axe-core runs at 1280 px (at 320 px it runs in every language).
AXE_WIDE_LANGUAGES = set(LANGUAGES)
# Where the colour-contrast rule runs (once per address and width).
CONTRAST_LANGUAGES = {"en"}

FIGURES = Path(django_settings.BASE_DIR) / "var" / "crawl.json"


@pytest.fixture
def _browser_tests_use_transactional_db() -> None:
    """Not here: the crawl's demo world is seeded once for the module (`crawl_site`), not
    flushed after each test."""


@pytest.fixture(scope="module")
def crawl_site(django_db_setup, django_db_blocker, tmp_path_factory, chromium):
    """The demo world, committed, and a live server of its own in front of it.

    A module's worth of tests share it (seeding costs seconds); the database is flushed when
    they are done, as a transactional test's is, so the tests after them find it empty.
    """
    from guardian.conf import settings as guardian_settings
    from guardian.management import create_anonymous_user
    from pytest_django.live_server_helper import LiveServer

    from cepa_collab.celery import app as celery_app
    from tests.factories import ensure_reference_data

    _CLOCK["start"] = time.monotonic()
    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock():
        ensure_reference_data()
        from django.contrib.auth import get_user_model

        if not get_user_model().objects.filter(username=guardian_settings.ANONYMOUS_USER_NAME):
            create_anonymous_user(None, using="default")
        with (
            pytest.MonkeyPatch.context() as patch,
            override_settings(
                MEDIA_ROOT=media,
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ),
        ):
            patch.setitem(celery_app.conf, "task_always_eager", True)
            patch.setitem(celery_app.conf, "task_eager_propagates", True)
            call_command("seed_demo", stdout=io.StringIO())
        _CLOCK["seeded"] = time.monotonic() - _CLOCK["start"]
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        # Signed in before any test's transaction: on PostgreSQL the live server's own
        # connection would not see a session created inside one.
        cookies = {
            persona.username: crawler.session_cookie(persona.username, server.url)
            for persona in PERSONAS
        }
    try:
        yield server.url, media, cookies
    finally:
        with django_db_blocker.unblock():
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            # The migrations' reference data goes with the flush: the non-transactional
            # tests this worker runs next need it, as tests/conftest.py restores it after a
            # transactional test's flush.
            ensure_reference_data()
        _write_figures()


# --- what the crawl saw, for the report and var/crawl.json -------------------------------------

_PAGES: list[dict] = []
# What axe-core has audited: (rules, kind of page, language, width) -> the markup kinds of each
# page audited so (crawler.markup_kinds).
_AUDITED: dict[tuple[str, str, str, int], list[frozenset[str]]] = defaultdict(list)
_CLOCK: dict[str, float] = {}


def _write_figures() -> None:
    """var/crawl.json: every page of this run (merged across xdist workers) and a summary."""
    FIGURES.parent.mkdir(exist_ok=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    with open(FIGURES.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pages = list(_PAGES)
        seconds = time.monotonic() - _CLOCK.get("start", time.monotonic())
        if FIGURES.exists():
            try:
                earlier = json.loads(FIGURES.read_text())
            except ValueError:
                earlier = {}
            if earlier.get("run") == run:
                pages = earlier["pages"] + pages
                seconds += earlier.get("seconds", 0)
        summary = _summary(pages, seconds)
        FIGURES.write_text(json.dumps({"run": run, **summary, "pages": pages}, indent=1))
    print(f"\ncrawl: {summary['line']} (figures in {FIGURES.relative_to(FIGURES.parents[1])})")


def _summary(pages: list[dict], seconds: float) -> dict:
    if not pages:
        return {"line": "no page crawled", "seconds": seconds}
    heaviest = max(pages, key=lambda page: page["bytes"])
    most_requests = max(pages, key=lambda page: page["requests"])
    languages = sorted({page["language"] for page in pages})
    personas = sorted({page["role"] for page in pages})
    addresses = sorted({page["path"] for page in pages})
    over = [p for p in pages if p["bytes"] > BUDGET_BYTES or p["requests"] > BUDGET_REQUESTS]
    wide = [p for p in pages if p["scroll_width"]["320"] > NARROW["width"]]
    wide += [p for p in pages if p["scroll_width"]["1280"] > WIDE["width"]]
    axe_runs = sum(len(p["axe"]) for p in pages)
    axe_failing = sum(1 for p in pages for found in p["axe"].values() if found)
    line = (
        f"{len(pages)} page loads ({len(addresses)} addresses) for {len(personas)} roles in "
        f"{len(languages)} languages ({', '.join(languages)}) at 1280 and 320 px, "
        f"{axe_runs} axe-core runs; heaviest {heaviest['path']} "
        f"({heaviest['role']}, {heaviest['language']}): {heaviest['bytes'] / 1000:.1f} KB "
        f"in {heaviest['requests']} requests; most requests {most_requests['requests']}; "
        f"over budget {len(over)}, wider than the window {len(wide)}, "
        f"axe-core violations on {axe_failing} runs; {seconds:.0f} s"
    )
    spent = {
        kind: round(sum(page["ms"][kind] for page in pages) / 1000, 1)
        for kind in ("load", "axe", "contrast")
    }
    return {
        "line": line,
        "seconds_by_kind": {"seed": round(_CLOCK.get("seeded", 0), 1), **spent},
        "seconds": round(seconds, 1),
        "page_loads": len(pages),
        "addresses": addresses,
        "roles": personas,
        "languages": languages,
        "widths": [WIDE["width"], NARROW["width"]],
        "budget": {"bytes": BUDGET_BYTES, "requests": BUDGET_REQUESTS},
        "heaviest": {k: heaviest[k] for k in ("path", "role", "language", "bytes", "requests")},
        "most_requests": {
            k: most_requests[k] for k in ("path", "role", "language", "bytes", "requests")
        },
        "not_crawled": crawler.NOT_CRAWLED,
    }


# --- the crawl -----------------------------------------------------------------------------------


def _to_audit(rules: str, path: str, language: str, width: int, kinds: frozenset[str]) -> bool:
    """Whether this page needs axe-core's `rules` ("rules" or "contrast") at this width: not
    when a page of the same kind was audited in this language at this width, made of every
    kind of element this one has (another persona's copy of the same template)."""
    audited = _AUDITED[(rules, crawler.page_kind(path), language, width)]
    if any(kinds <= earlier for earlier in audited):
        return False
    audited.append(kinds)
    return True


def _axe_plan(language: str, path: str, width: int, kinds: frozenset[str]) -> tuple[bool, bool]:
    """(the rules less contrast, the contrast rule) to run for this page at this width."""
    rules = (width == NARROW["width"] or language in AXE_WIDE_LANGUAGES) and _to_audit(
        "rules", path, language, width, kinds
    )
    contrast = language in CONTRAST_LANGUAGES and _to_audit(
        "contrast", path, language, width, kinds
    )
    return rules, contrast


def _describe(violations: list[dict]) -> str:
    return ", ".join(
        f"{v['id']} ({v['impact']}, {v['nodes']} element{'s' * (v['nodes'] > 1)}: {v['target']})"
        for v in violations
    )


@pytest.mark.parametrize(
    ("persona", "language"),
    [
        pytest.param(persona, language, id=f"{persona.role}-{language}")
        for persona in PERSONAS
        for language in LANGUAGES
    ],
)
def test_every_page_reflows_passes_axe_and_keeps_to_its_budget(
    crawl_site, chromium, settings, persona, language
):
    base_url, media, cookies = crawl_site
    settings.MEDIA_ROOT = media
    failures: list[str] = []
    weigher = crawler.Weigher()

    def fail(width: int | None, path: str, what: str) -> None:
        failures.append(f"{path} at {width} px: {what}" if width else f"{path}: {what}")

    context = crawler.open_context(chromium, base_url, cookies[persona.username], language)
    try:
        page = crawler.cold_page(context)
        queue = ["/"]
        found: dict[str, str] = {}
        for path in queue:
            page.set_viewport_size(NARROW)
            started = time.monotonic()
            loaded = crawler.load(page, path, weigher)
            load_ms = (time.monotonic() - started) * 1000
            if loaded.status != 200 or loaded.final_path != path:
                fail(None, path, f"answered {loaded.status} at {loaded.final_path}")
                continue
            if path == "/":
                queue += [p for p in crawler.navigation(page) if p not in queue]
            queue += [p for _kind, p in crawler.detail_links(loaded.links, found)]
            record = {
                "role": persona.role,
                "language": language,
                "path": path,
                "bytes": loaded.bytes,
                "requests": loaded.requests,
                "estimated": loaded.estimated,
                "scroll_width": {},
                "axe": {},
                "ms": {"load": round(load_ms), "axe": 0, "contrast": 0},
            }
            _PAGES.append(record)
            if loaded.language != language:
                fail(None, path, f'<html lang="{loaded.language}">, not {language}')
            if loaded.bytes > BUDGET_BYTES or loaded.requests > BUDGET_REQUESTS:
                rows = ", ".join(
                    f"{url.removeprefix(base_url)} {size:,} B"
                    for url, size in sorted(loaded.resources.items(), key=lambda r: -r[1])
                )
                fail(
                    None,
                    path,
                    f"{loaded.bytes:,} B in {loaded.requests} requests, over the "
                    f"{BUDGET_BYTES:,} B / {BUDGET_REQUESTS} budget ({rows})",
                )
            kinds = crawler.markup_kinds(page)
            for viewport in (NARROW, WIDE):
                width = viewport["width"]
                if viewport is WIDE:
                    page.set_viewport_size(WIDE)
                scroll, window = crawler.scroll_width(page)
                record["scroll_width"][str(width)] = scroll
                if scroll > window:
                    fail(width, path, f"{scroll} px wide, in a {window} px window")
                rules, contrast = _axe_plan(language, path, width, kinds)
                violations = []
                if rules:
                    started = time.monotonic()
                    violations += crawler.axe(page, skip=[crawler.CONTRAST_RULE])
                    record["ms"]["axe"] += round((time.monotonic() - started) * 1000)
                if contrast:
                    started = time.monotonic()
                    violations += crawler.axe(page, only=[crawler.CONTRAST_RULE])
                    record["ms"]["contrast"] += round((time.monotonic() - started) * 1000)
                if rules or contrast:
                    record["axe"][str(width)] = [v["id"] for v in violations]
                if violations:
                    fail(width, path, "axe-core: " + _describe(violations))
        for kind in sorted(persona.reaches - set(found)):
            fail(None, "/", f"the crawl never reached a {kind} page ({len(queue)} pages)")
    finally:
        context.close()

    assert not failures, (
        f"{persona.label} ({persona.username}) in {language}: {len(failures)} failures\n"
        + "\n".join(f"  - {failure}" for failure in failures)
    )


def test_someone_reaches_each_kind_of_page():
    """Every kind of detail page is one that some persona's crawl must reach (each crawl
    checks its own persona's kinds, above)."""
    reached = set().union(*(persona.reaches for persona in PERSONAS))
    assert reached == set(crawler.DETAIL_PAGES)
