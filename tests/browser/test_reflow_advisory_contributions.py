"""Reflow (WCAG 1.4.10) of the advisory request and contribution pages: at a 320 CSS px
wide window the document is never wider than the window, for the country's focal point and
for the branch's staff. Wide tables scroll inside their own region instead.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from advisory import services as advisory
from advisory.enums import RequestState
from tests.browser.conftest import Site, sign_in_cookie
from tests.contributions.contribution_fixtures import accepted, case_study, submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
# Long words and titles are what pushes a page wider than a phone.
TITLE = "National e-government strategy and interoperability framework for the Sultanate"


@pytest.fixture
def records(request_in, ira, staff, cepa_member):
    """Two requests of Oman (one long, with milestones, documents, comments and history) and
    Oman contributions in several states."""
    long = request_in(RequestState.FOLLOW_UP, title=TITLE)
    request_in(RequestState.RECEIVED, title="Capacity-building workshop on digital identity")
    today = timezone.localdate()
    for days, title in ((3, "Adopt the e-transactions law"), (40, "Launch the national portal")):
        advisory.add_milestone(
            ira, long, title=title, due_date=today + datetime.timedelta(days=days)
        )
    advisory.add_comment(ira, long, "The Ministry agreed the plan on 2 March.", internal=False)
    advisory.add_comment(ira, long, "Budget is tight this year.", internal=True)
    cepa_member.profile.country_id = long.country_id
    cepa_member.profile.save(update_fields=["country"])
    case = accepted(case_study(cepa_member, title=TITLE, iso3="OMN"), staff)
    submitted(case_study(cepa_member, title="Oman's one-stop shop for business", iso3="OMN"))
    accepted(case_study(cepa_member, title="Oman's digital identity card", iso3="OMN"), staff)
    return {"request": long, "contribution": case}


def assert_reflows(site: Site, path: str) -> None:
    site.visit(path)
    widths = site.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide in a {widths[1]} px window"


@pytest.mark.parametrize("who", ["focal_point", "staff"])
def test_lists_and_pages_reflow_at_320_px(open_site, request, records, who):
    site = open_site()
    site.page.set_viewport_size(NARROW)
    sign_in_cookie(site, request.getfixturevalue(who))

    for path in (
        "/advisory-requests/",
        f"/advisory-requests/{records['request'].pk}/",
        "/contributions/",
        f"/contributions/{records['contribution'].pk}/",
    ):
        assert_reflows(site, path)
