"""`make screenshots`: the main pages of each role of the demo, as PNG files in this folder.

A fresh demo world (`manage.py migrate` and `seed_demo` into a SQLite database in a
temporary folder, today's dates), served by a live server this script starts, photographed
by Debian's Chromium through Playwright: 1280 x 800 px views (the top of each page), a few
320 x 640 px ones (a phone), in English, and in Arabic once the site speaks it. Run from
the repository's root: `python docs/screenshots/take.py` (what `make screenshots` does).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = Path("/usr/bin/chromium")

# (who, which page, width, language): the page is an address, or a kind of page of
# tests/browser/crawler.DETAIL_PAGES (the first one of that kind the person's lists link to).
SHOTS = [
    ("member", "/", 1280, "en"),
    ("member", "/reviews/", 1280, "en"),
    ("member", "review", 1280, "en"),
    ("member", "contribution", 1280, "en"),
    ("member", "/", 320, "en"),
    ("staff", "/", 1280, "en"),
    ("staff", "/deliverables/", 1280, "en"),
    ("staff", "deliverable", 1280, "en"),
    ("staff", "/contributions/", 1280, "en"),
    ("staff", "deliverable", 320, "en"),
    ("chief", "/", 1280, "en"),
    ("chief", "/", 320, "en"),
    ("chief", "/dashboard/", 1280, "en"),
    ("chief", "/dashboard/", 320, "en"),
    ("secretariat", "/dashboard/division/", 1280, "en"),
    ("staff", "/products/", 1280, "en"),
    ("member", "/accounts/", 1280, "en"),
    ("advisor", "/advisory-requests/", 1280, "en"),
    ("advisor", "request", 1280, "en"),
    ("secretariat", "/meetings/", 1280, "en"),
    ("secretariat", "meeting", 1280, "en"),
    ("secretariat", "month", 1280, "en"),
    ("secretariat", "/meetings/", 320, "en"),
    ("focal", "/", 1280, "en"),
    ("focal", "request", 320, "en"),
    ("focal", "country", 1280, "en"),
    ("focal", "/countries/", 320, "en"),
    ("staff", "deliverable", 1280, "ar"),
    ("staff", "deliverable", 320, "ar"),
]

NAMES = {
    "/": "home",
    "/reviews/": "reviews",
    "/deliverables/": "deliverables",
    "/contributions/": "contributions",
    "/dashboard/": "dashboard",
    "/dashboard/division/": "division",
    "/products/": "products",
    "/accounts/": "account",
    "/advisory-requests/": "requests",
    "/meetings/": "meetings",
    "/countries/": "countries",
}


def _environment(folder: Path) -> None:
    """Django on a database of its own in `folder`, before Django is imported."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cepa_collab.settings")
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.pop("CACHE_URL", None)
    # Playwright's sync API keeps an event loop running in this thread; the script's few
    # ORM calls (sign-in sessions) are deliberate synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT))


def _seed() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from cepa_collab.celery import app

    # The demo's after-commit work runs here and now; its mails go nowhere.
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"demo world seeded in {time.monotonic() - started:.0f} s")


def _serve():
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server, f"http://127.0.0.1:{server.port}"


def _pages_of(page, found: dict[str, str]) -> None:
    """The first page of each kind the person's navigation and lists link to."""
    from tests.browser import crawler

    page.goto("/")
    for path in crawler.navigation(page):
        page.goto(path)
        list(crawler.detail_links(page.evaluate(crawler.LINKS_IN_MAIN), found))


def take() -> list[Path]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    from tests.browser import crawler
    from tests.browser.conftest import CHROMIUM_ARGS

    languages = {code for code, _name in settings.LANGUAGES}
    personas = {persona.role: persona for persona in crawler.PERSONAS}
    server, base_url = _serve()
    taken: list[Path] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for role in dict.fromkeys(role for role, *_rest in SHOTS):
                session = crawler.session_cookie(personas[role].username, base_url)
                found: dict[str, str] = {}
                for language in dict.fromkeys(lang for r, *_s, lang in SHOTS if r == role):
                    if language not in languages:
                        print(f"skipped: {role} in {language} (not among settings.LANGUAGES)")
                        continue
                    context = crawler.open_context(
                        browser, base_url, session, language, audit=False
                    )
                    page = context.new_page()
                    if not found:
                        _pages_of(page, found)
                    for r, what, width, lang in SHOTS:
                        if (r, lang) != (role, language):
                            continue
                        path = what if what.startswith("/") else found.get(what)
                        if path is None:
                            print(f"skipped: no {what} page reached by {role}")
                            continue
                        name = NAMES.get(what, what)
                        suffix = "" if language == "en" else f"-{language}"
                        file = HERE / f"{role}-{name}-{width}{suffix}.png"
                        viewport = crawler.WIDE if width == 1280 else crawler.NARROW
                        page.set_viewport_size(viewport)
                        page.goto(path, wait_until="load")
                        page.screenshot(path=file, animations="disabled", caret="hide")
                        taken.append(file)
                        print(f"{file.relative_to(ROOT)}  {path}  {file.stat().st_size:,} B")
                    context.close()
            browser.close()
    finally:
        server.terminate()
    return taken


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"Debian's Chromium ({CHROMIUM}) is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="cepa-screenshots-") as folder:
        _environment(Path(folder))
        import django

        django.setup()
        _seed()
        for old in HERE.glob("*.png"):
            old.unlink()
        taken = take()
    total = sum(file.stat().st_size for file in taken)
    print(f"{len(taken)} screenshots in {HERE.relative_to(ROOT)}/, {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
