"""Browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test lands on is checked with axe-core and the test fails on any violation.
Navigate only through `Site.visit` and `Site.submit`; a page reached any other way and not
checked makes the test error at teardown, so the check cannot be forgotten.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
LOCALE = "en-GB"  # sent as Accept-Language, so pages start in English whatever the machine says
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; skipped without it locally, a failure when CI requires services."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(
            f"REQUIRE_SERVICES=1 but Debian's Chromium ({CHROMIUM}) is not installed: "
            "install it with `apt-get install chromium` (Playwright's own browser download "
            "is not used).",
            pytrace=False,
        )
    pytest.skip(f"Debian's Chromium ({CHROMIUM}) is not installed; CI runs these")


@pytest.fixture(scope="package")
def chromium(chromium_executable) -> Iterator[Browser]:
    """One browser for all the browser tests; each test gets fresh contexts (cookies, cache).

    Playwright's sync API keeps an event loop running in the test thread while it is
    started, and Django refuses ORM calls from such a thread unless told it is deliberate
    (the tests stay synchronous code). Package scope bounds both to the browser tests: the
    rest of the suite keeps Django's guard and never sees the variable.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _browser_tests_use_transactional_db(transactional_db) -> None:
    """The live server answers from another thread, so browser tests commit their data
    (tests/conftest.py puts the migrations' reference data back after earlier flushes)."""


_axe = Axe()


def axe_violations(page: Page) -> str | None:
    """The axe-core report for the page as it is now, or None when it has no violation."""
    results = _axe.run(page)
    if results.violations_count == 0:
        return None
    return results.generate_report()


@dataclass
class Site:
    """A browser tab on the live server that checks each page it lands on with axe-core."""

    page: Page
    base_url: str
    javascript: bool
    auditor: Callable[[], Page]
    landed: list[str] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("framenavigated", self._on_navigated)

    def _on_navigated(self, frame) -> None:
        if frame != self.page.main_frame or not frame.url.startswith(self.base_url):
            return
        # A fragment-only change (the skip link) stays on the same page.
        if self.landed and urldefrag(self.landed[-1]).url == urldefrag(frame.url).url:
            return
        self.landed.append(frame.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def visit(self, path: str) -> Response:
        """Go to `path`, expect a successful answer, and check the page with axe-core."""
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        assert response.ok, f"GET {path} answered {response.status}"
        self.check_accessibility()
        return response

    def submit(self, button: Locator) -> Response | None:
        """Click a submit button, wait for the page the form lands on, and check it."""
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        assert response is None or response.ok, f"submitting led to {response.status}"
        self.check_accessibility()
        return response

    def check_accessibility(self) -> None:
        """Fail the test on any axe-core violation on the current page."""
        page = self.page if self.javascript else self._copy_for_audit()
        report = axe_violations(page)
        assert report is None, f"axe-core found violations on {self.page.url}:\n{report}"
        if self.landed:
            self.checked.add(len(self.landed) - 1)

    def _copy_for_audit(self) -> Page:
        """axe-core is a script; with JavaScript off, audit the same HTML in a scripted tab.

        The copy is served at the same URL (so the same stylesheet applies and colour
        contrast is judged on what the visitor sees).
        """
        html = self.page.content()
        url = self.page.url
        auditor = self.auditor()

        def serve_copy(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        def is_this_page(candidate: str) -> bool:
            return candidate == url

        auditor.route(is_this_page, serve_copy)
        try:
            auditor.goto(url)
        finally:
            auditor.unroute(is_this_page, serve_copy)
        return auditor

    def unchecked_pages(self) -> list[str]:
        return [url for index, url in enumerate(self.landed) if index not in self.checked]


@dataclass(frozen=True)
class Weight:
    """What one cold page load transferred: each response's headers and body, in bytes."""

    resources: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.resources.values())

    def describe(self) -> str:
        rows = sorted(self.resources.items(), key=lambda item: -item[1])
        return "\n".join(f"{size:>9,} B  {url}" for url, size in rows)


def measure_weight(site: Site, path: str) -> Weight:
    """Load `path` in `site` (give it a fresh context: empty cache) and weigh what came over.

    Every response of the load is counted, the document, its redirects and all assets:
    response headers plus the body as delivered to the page (decoded, so a compressed
    transfer is counted at its uncompressed size: an upper bound, never an underestimate).
    """
    responses: list[Response] = []

    def record(response: Response) -> None:
        responses.append(response)

    site.page.on("response", record)
    try:
        site.page.goto(site.url(path), wait_until="networkidle")
    finally:
        site.page.remove_listener("response", record)
    site.check_accessibility()
    resources: dict[str, int] = {}
    for response in responses:
        sizes = response.request.sizes()
        try:
            body = len(response.body())
        except PlaywrightError:  # redirects have no body
            body = 0
        size = max(0, sizes["responseHeadersSize"]) + max(body, sizes["responseBodySize"])
        resources[response.url] = resources.get(response.url, 0) + size
    return Weight(resources)


@pytest.fixture(scope="package")
def auditor(chromium) -> Iterator[Callable[[], Page]]:
    """A scripted tab in which pages seen with JavaScript off are audited (made on first use)."""
    pages: list[Page] = []

    def get() -> Page:
        if not pages:
            pages.append(chromium.new_context(locale=LOCALE).new_page())
        return pages[0]

    yield get
    for page in pages:
        page.context.close()


@pytest.fixture
def open_site(chromium, auditor, live_server) -> Iterator[Callable[..., Site]]:
    """Open a fresh browser context on the live server: `open_site(javascript=False)`."""
    contexts: list[BrowserContext] = []
    sites: list[Site] = []

    def open_(*, javascript: bool = True) -> Site:
        context = chromium.new_context(locale=LOCALE, java_script_enabled=javascript)
        contexts.append(context)
        site = Site(context.new_page(), live_server.url, javascript, auditor)
        sites.append(site)
        return site

    yield open_
    unchecked = [url for site in sites for url in site.unchecked_pages()]
    for context in contexts:
        context.close()
    if unchecked:
        pytest.fail(
            "pages reached without an axe-core check (navigate with site.visit/site.submit): "
            + ", ".join(unchecked),
            pytrace=False,
        )


@pytest.fixture
def site(open_site) -> Site:
    """A tab with JavaScript on."""
    return open_site()


def sign_in_cookie(site: Site, user) -> None:
    """Give the site's context a signed-in session for `user` without going through the form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    site.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.base_url,
            }
        ]
    )
