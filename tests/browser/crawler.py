"""A crawl of the site as each persona of the demo sees it: the pages, how to reach them, what
to measure on each. Used by tests/browser/test_crawl.py (the checks) and by
docs/screenshots/take.py (`make screenshots`).

A crawl of one persona in one language runs in one browser context: signed in by a session
cookie, the language chosen by Django's language cookie, the browser's cache turned off (so
every page load is a cold one and its weight counts the stylesheet and scripts it needs).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
from playwright.sync_api import BrowserContext, Page, Response

AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js")
# WCAG 2.2 level A and AA, as axe-core tags them (not its "best-practice" rules).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The one rule that costs: it asks the layout engine what lies under every piece of text.
CONTRAST_RULE = "color-contrast"

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}

BUDGET_BYTES = 60_000  # 60 KB of response bodies, as transferred
BUDGET_REQUESTS = 6

TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Persona:
    role: str  # a short id, used in test ids and reports
    label: str
    username: str  # a person `manage.py seed_demo` creates
    # The kinds of DETAIL_PAGES the crawl must reach as this person (the demo gives each
    # role records of these kinds): a crawl that reaches fewer has silently shrunk.
    reaches: frozenset[str] = frozenset()


# One person of each role of the demo (demo/core.py, demo/advisory.py).
_EVERYONE = frozenset({"meeting", "month", "country", "region", "notification preferences"})
_BRANCH = _EVERYONE | {"deliverable", "request", "contribution", "version preview"}
_REVIEWER = _EVERYONE | {"deliverable", "review", "contribution", "discussion", "version preview"}
PERSONAS = [
    Persona("member", "CEPA member", "amina", _REVIEWER),
    Persona("staff", "Branch staff", "staff", _BRANCH),
    Persona("chief", "Branch chief", "chief", _BRANCH),
    Persona("advisor", "Inter-Regional Advisor", "ira", _BRANCH | {"review"}),
    Persona("secretariat", "Secretariat administrator", "admin", _BRANCH),
    Persona("focal", "Member State focal point", "focal", _EVERYONE | {"request"}),
]

# The pages one step below the navigation: the first link of each kind found in the main
# content of the pages the navigation leads to. (The comparison of two versions is not
# among them: the demo's first deliverable of each persona has one version; the browser
# test of review rounds checks that page with axe-core and at 320 px.)
DETAIL_PAGES = {
    "deliverable": re.compile(r"^/deliverables/\d+/$"),
    "review": re.compile(r"^/reviews/\d+/$"),
    "discussion": re.compile(r"^/(deliverables|reviews)/\d+/discussion/$"),
    "version preview": re.compile(r"^/deliverables/\d+/versions/\d+/preview/$"),
    "meeting": re.compile(r"^/meetings/\d+/$"),
    "month": re.compile(r"^/meetings/month/(\?.*)?$"),
    "request": re.compile(r"^/advisory-requests/\d+/$"),
    "contribution": re.compile(r"^/contributions/\d+/$"),
    "country": re.compile(r"^/countries/[A-Z]{3}/$"),
    "region": re.compile(r"^/regions/[\w-]+/$"),
    "notification preferences": re.compile(r"^/notifications/preferences/$"),
}

# Pages of the navigation that are not the app's own and are left out of the crawl.
NOT_CRAWLED = {
    "/admin/": "Django's own administration site (its own stylesheets and scripts)",
    "/api/docs/": "the Swagger UI of the API (its own ~1.5 MB script bundle, for developers)",
}

# The size and number of a page's requests, its reflow and whether axe-core runs: in the page.
SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
LINKS_IN_MAIN = (
    "() => Array.from(document.querySelectorAll('main a[href]'), a => a.getAttribute('href'))"
)
NAV_LINKS = (
    "() => Array.from(document.querySelectorAll('header nav a[href]'), a => a.getAttribute('href'))"
)
RUN_AXE = """([tags, only, skip]) => axe.run(document, {
    runOnly: only.length ? {type: 'rule', values: only} : {type: 'tag', values: tags},
    rules: Object.fromEntries(skip.map(id => [id, {enabled: false}])),
    resultTypes: ['violations'],
}).then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.length, target: String(v.nodes[0].target),
})))"""


def session_cookie(username: str, base_url: str) -> dict:
    """A signed-in session for `username`, its second factor already entered (as a real
    sign-in ends), as a cookie for `base_url`."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from cepa_collab import second_factor

    user = get_user_model().objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[second_factor.SESSION_KEY] = second_factor.VERIFIED
    session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}


def language_cookie(code: str, base_url: str) -> dict:
    from django.conf import settings

    return {"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": base_url}


def open_context(
    browser, base_url: str, session: dict, language: str, *, audit: bool = True
) -> BrowserContext:
    """A context signed in with the `session` cookie, reading `language`, with axe-core in
    every page when it will `audit` them."""
    context = browser.new_context(
        viewport=WIDE, locale="en-GB", base_url=base_url, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([session, language_cookie(language, base_url)])
    if audit:
        context.add_init_script(path=AXE_SCRIPT)
    return context


def cold_page(context: BrowserContext) -> Page:
    """A tab whose every load is a cold one (Chromium's cache off, through DevTools)."""
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return page


@dataclass
class Load:
    """One page load: where it ended, its answer, what came over the wire."""

    path: str
    status: int
    final_path: str
    language: str
    direction: str
    requests: int
    bytes: int
    resources: dict[str, int] = field(default_factory=dict)
    estimated: list[str] = field(default_factory=list)  # static files weighed as gzip would
    links: list[str] = field(default_factory=list)


class Weigher:
    """Weighs responses: the body as transferred (encoded where the server compressed it).

    The live server of the tests hands static files out uncompressed (Django's static
    handler), where production's WhiteNoise sends the gzip (or Brotli) copy it made at
    collectstatic: a static file that came uncompressed is counted at its gzip size
    (level 9, as WhiteNoise compresses), and listed as estimated.
    """

    def __init__(self) -> None:
        self._gzip_sizes: dict[str, int] = {}

    def size(self, response: Response) -> tuple[int, bool]:
        sizes = response.request.sizes()
        transferred = max(0, sizes["responseBodySize"])
        encoding = response.headers.get("content-encoding", "")
        path = urlsplit(response.url).path
        if encoding or not path.startswith("/static/") or response.status != 200:
            return transferred, False
        if path not in self._gzip_sizes:
            self._gzip_sizes[path] = len(gzip.compress(_static_bytes(path, response), 9))
        return self._gzip_sizes[path], True


def _static_bytes(path: str, response: Response) -> bytes:
    """A static file's bytes, read where the live server reads them (the static finders):
    asking the browser for a response's body fails now and then on a loaded machine once the
    page has gone on ("navigated away"); the browser's copy is the fallback."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    found = finders.find(path.removeprefix(settings.STATIC_URL))
    if isinstance(found, str):
        return Path(found).read_bytes()
    return response.body()


def load(page: Page, path: str, weigher: Weigher) -> Load:
    """Go to `path` (waiting for the load event) and weigh what came over."""
    responses: list[Response] = []

    def record(response: Response) -> None:
        responses.append(response)

    page.on("response", record)
    try:
        response = page.goto(path, wait_until="load")
    finally:
        page.remove_listener("response", record)
    resources: dict[str, int] = {}
    estimated: list[str] = []
    for each in responses:
        size, guessed = weigher.size(each)
        resources[each.url] = resources.get(each.url, 0) + size
        if guessed:
            estimated.append(each.url)
    parts = urlsplit(page.url)
    html = page.locator("html")
    return Load(
        path=path,
        status=response.status if response else 0,
        final_path=parts.path + (f"?{parts.query}" if parts.query else ""),
        language=html.get_attribute("lang") or "",
        direction=html.get_attribute("dir") or "ltr",
        requests=len(responses),
        bytes=sum(resources.values()),
        resources=resources,
        estimated=estimated,
        links=page.evaluate(LINKS_IN_MAIN),
    )


def navigation(page: Page) -> list[str]:
    """The paths the header's navigation links to, in order, less those not crawled."""
    paths = []
    for href in page.evaluate(NAV_LINKS):
        path = urlsplit(href).path
        if path not in paths and not any(path.startswith(p) for p in NOT_CRAWLED):
            paths.append(path)
    return paths


def detail_links(links: list[str], found: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The first link of each kind in DETAIL_PAGES not yet in `found` (kind -> path)."""
    for href in links:
        parts = urlsplit(href)
        if parts.netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for kind, pattern in DETAIL_PAGES.items():
            if kind not in found and pattern.match(path):
                found[kind] = path
                yield kind, path


# Each kind of element in the page's main content (and the page's language and direction): its
# tag, classes, role, type and ARIA attributes.
MARKUP_KINDS = """() => Array.from(new Set(Array.from(
    document.querySelectorAll('html, main, main *'),
    el => el.localName
    + Array.from(el.classList).sort().map(name => '.' + name).join('')
    + el.getAttributeNames().sort()
        .filter(name => ['role', 'type', 'tabindex', 'dir', 'lang'].includes(name)
                        || name.startsWith('aria-'))
        .map(name => ['role', 'type'].includes(name)
                     ? `[${name}=${el.getAttribute(name)}]` : `[${name}]`)
        .join('')
)))"""


def markup_kinds(page: Page) -> frozenset[str]:
    """What kinds of element the page's main content is made of (`td.num`,
    `div.table-wrap[aria-labelledby][role=region][tabindex]`): two pages of one address made
    of the same kinds are built from the same templates and components, whatever rows they
    list. (The header and footer are the same kinds for everyone: the links differ.)"""
    return frozenset(page.evaluate(MARKUP_KINDS))


def page_kind(path: str) -> str:
    """The address with its ids left out: /deliverables/14/ and /deliverables/15/ are one
    kind of page."""
    return re.sub(r"/[A-Z]{3}/", "/ISO3/", re.sub(r"\d+", "N", path))


def scroll_width(page: Page) -> tuple[int, int]:
    width, window = page.evaluate(SCROLL_WIDTH)
    return width, window


def axe(page: Page, *, only: list[str] = (), skip: list[str] = ()) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is (`only` some rules, or all
    of the tags' rules less `skip`)."""
    return page.evaluate(RUN_AXE, [AXE_TAGS, list(only), list(skip)])
