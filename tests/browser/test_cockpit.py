"""The chief's cockpit and the Division view in a browser: no CSP violation (the due-date
timeline is inline SVG drawn on the server, no style attribute, no script), axe-core clean
(`Site.visit`), reflow at 320 CSS px, a tile's link shows its filtered list at once, and
the secretariat lands on the Division view."""

from __future__ import annotations

import datetime

import pytest

from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.browser.test_policy import violations, watch
from tests.browser.test_reflow_workflows import PHONE, overflow
from tests.factories import branch, person
from workflows import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    chief = person(Role.BRANCH_CHIEF, username="chief", branch_code="e-govb")
    staff = person(
        Role.BRANCH_STAFF,
        username="elena",
        first_name="Elena",
        last_name="Marchetti-Rossi",
        branch_code="e-govb",
    )
    admin = person(Role.SECRETARIAT_ADMIN, username="admin", is_staff=True)
    product = services.create_product(
        staff,
        branch=branch("e-govb"),
        kind="survey",
        title="UN E-Government Survey",
        edition="2026",
    )
    today = datetime.date.today()
    for title, days in (("Chapter 1: rankings", 40), ("Chapter 2: regional trends", 90)):
        services.create_deliverable(
            staff,
            product=product,
            owner=staff,
            title=title,
            kind="chapter",
            due_date=today + datetime.timedelta(days=days),
        )
    return {"chief": chief, "admin": admin}


def test_cockpit_meets_no_csp_violation_and_reflows(open_site, people):
    site = open_site()
    console = watch(site.page)
    sign_in_cookie(site, people["chief"])

    # the cockpit, then a tile's filtered list (shown first, right under the tiles)
    site.visit("/dashboard/")
    assert site.page.locator("svg.dash-timeline").count() == 1
    assert violations(site.page, console) == []
    site.page.get_by_role("link", name="still being produced").click()
    site.page.wait_for_url("**/dashboard/?state=active#list-heading")
    site.check_accessibility()
    first_h2 = site.page.locator("main h2").nth(1)
    assert first_h2.inner_text() == "Deliverables"

    # and at 320 px the page is never wider than the window
    site.page.set_viewport_size(PHONE)
    site.visit("/dashboard/")
    assert overflow(site) == 0


def test_secretariat_lands_on_the_division_view(open_site, people):
    site = open_site()
    console = watch(site.page)
    sign_in_cookie(site, people["admin"])

    site.visit("/dashboard/")

    assert site.path == "/dashboard/division/"
    assert violations(site.page, console) == []
    site.page.set_viewport_size(PHONE)
    site.visit("/dashboard/division/")
    assert overflow(site) == 0
