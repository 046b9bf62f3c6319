"""The browser policy in a real browser: with the Content-Security-Policy enforced, every
kind of page works and Chromium reports no violation (no inline script or style, nothing
loaded from elsewhere); the Swagger UI and the Django admin work under it too.

The site's own pages are checked with axe-core as they are reached (see conftest.Site);
the Swagger UI and the admin are Django's and drf-spectacular's pages, opened in a tab of
their own.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from tests.browser.conftest import LOCALE, TIMEOUT_MS, sign_in_cookie
from tests.factories import DeliverableFactory, person
from workflows.enums import DeliverableState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation a page meets, as the page itself sees them (set before any page script).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch(page) -> list[str]:
    """The CSP violations `page` meets from now on: its console's reports and its events."""
    seen: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    page.add_init_script(LISTEN)
    return seen


def violations(page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__cspViolations || []")


@pytest.fixture
def people(db):
    chief = person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")
    staff = person(Role.BRANCH_STAFF, username="elena", branch_code="e-govb")
    root = person(username="root", is_superuser=True, is_staff=True)
    drafting = DeliverableFactory(owner=staff, state=DeliverableState.DRAFTING)
    DeliverableFactory(product=drafting.product, owner=staff)
    return chief, staff, root, drafting


def test_site_pages_meet_no_csp_violation(site, people):
    chief, _staff, _root, deliverable = people
    console = watch(site.page)
    sign_in_cookie(site, chief)

    for path in (
        "/",
        "/dashboard/",
        "/regions/africa/",
        f"/deliverables/{deliverable.pk}/",
        f"/deliverables/{deliverable.pk}/due-date/",
        "/calendar/subscriptions/",
        "/meetings/",
    ):
        site.visit(path)
        assert violations(site.page, console) == [], path
        if path == "/dashboard/":
            assert_bar_halves(site.page)


def assert_bar_halves(page) -> None:
    """The product's bar keeps its segments' lengths without a style attribute: one planned
    deliverable and one drafting, half the bar each."""
    bar = page.locator(".dash-bar")
    segments = bar.locator(".dash-seg")
    expect(segments).to_have_count(2)
    widths = [box["width"] for box in (s.bounding_box() for s in segments.all())]
    total = bar.bounding_box()["width"]
    assert total > 0
    assert abs(sum(widths) - total) <= 3  # the borders
    assert abs(widths[0] - widths[1]) <= 2


def test_the_sign_in_page_meets_no_csp_violation_without_a_session(site):
    console = watch(site.page)

    site.visit("/accounts/login/")

    assert violations(site.page, console) == []


@pytest.fixture
def tab(chromium, live_server):
    context = chromium.new_context(locale=LOCALE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _sign_in(page, base_url: str, user) -> None:
    sign_in_cookie(SimpleNamespace(page=page, base_url=base_url), user)


def test_swagger_ui_renders_the_api_under_the_policy(tab, live_server, people):
    _chief, staff, _root, _deliverable = people
    console = watch(tab)
    _sign_in(tab, live_server.url, staff)

    response = tab.goto(live_server.url + "/api/docs/")

    assert response.ok
    # the schema is generated on the first request: give it time on a busy machine
    title = tab.locator(".swagger-ui .info .title")
    expect(title).to_contain_text("CEPA Collab API", timeout=60_000)
    expect(tab.locator(".opblock-summary-path").first).to_be_visible()
    assert violations(tab, console) == []


def test_django_admin_works_under_the_policy(tab, live_server, people):
    _chief, _staff, root, deliverable = people
    console = watch(tab)
    _sign_in(tab, live_server.url, root)

    for path in (
        "/admin/",
        "/admin/workflows/deliverable/",
        "/admin/workflows/version/",
        "/admin/workflows/deliverable/add/",
        f"/admin/workflows/deliverable/{deliverable.pk}/change/",
    ):
        response = tab.goto(live_server.url + path)
        assert response.ok, path
        assert violations(tab, console) == [], path

    # the scripted widgets work: the calendar shortcut opens and picks today
    tab.goto(live_server.url + "/admin/workflows/deliverable/add/")
    tab.get_by_role("link", name="Today").first.click()
    expect(tab.locator("#id_due_date")).not_to_have_value("")
    assert violations(tab, console) == []
