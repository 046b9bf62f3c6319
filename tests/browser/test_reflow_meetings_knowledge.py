"""Reflow (WCAG 1.4.10) of the meetings, countries, home and invitations pages: at a 320 CSS px
wide window no page scrolls sideways. Wide tables scroll inside their own labelled region,
the meetings list is a list of cards, the month's grid becomes a list of days, and feed
addresses stay inside their boxes. Every page is also checked with axe-core (conftest.Site).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from cepa_collab import invitations
from cepa_collab.enums import Role
from meetings import services
from meetings.enums import MeetingKind, MeetingStatus, Visibility
from tests.browser.conftest import Site, sign_in_cookie
from tests.factories import branch, member_state, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}
# A title and an address without spaces: they must wrap, not widen the page.
LONG_TITLE = "Expert group meeting on e-government " + "interoperability" * 4
LONG_LINK = "https://meet.example.org/j/" + "0123456789" * 8


@pytest.fixture
def cast(settings, live_server):
    settings.SITE_URL = live_server.url
    staff = person(Role.BRANCH_STAFF, username="elena", first_name="Elena", branch_code="e-govb")
    member = person(
        Role.CEPA_MEMBER, username="amina", country="GHA", time_zone="Pacific/Kiritimati"
    )
    start = datetime.datetime.now(datetime.UTC).replace(
        minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=2)
    meeting = services.create_meeting(
        staff,
        kind=MeetingKind.EXPERT_GROUP,
        title=LONG_TITLE,
        branch=branch("e-govb"),
        start=start,
        end=start + datetime.timedelta(days=1, hours=8),
        time_zone="Africa/Addis_Ababa",
        location="UNECA Conference Centre, Addis Ababa",
        online_link=LONG_LINK,
        country=member_state("ETH"),
        visibility=Visibility.PUBLIC,
    )
    services.create_meeting(
        staff,
        kind=MeetingKind.WORKSHOP,
        title="Regional workshop for the Caribbean",
        branch=branch("e-govb"),
        start=start + datetime.timedelta(hours=3),
        end=start + datetime.timedelta(hours=6),
        time_zone="America/Port_of_Spain",
        status=MeetingStatus.TENTATIVE,
        visibility=Visibility.PUBLIC,
    )
    services.add_participant(staff, meeting, user=member)
    invitations.invite(
        staff,
        email="a.very.long.address.of.someone@ministry-of-digital.example.org",
        role=Role.CEPA_MEMBER,
    )
    return {"staff": staff, "member": member, "meeting": meeting, "start": start}


def _narrow(site: Site, user) -> Site:
    site.page.set_viewport_size(NARROW)
    sign_in_cookie(site, user)
    return site


# The outermost elements that stick out of the window (not those inside a scrolling region).
OFFENDERS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
    if (el.closest(".table-wrap") && !el.matches(".table-wrap")) continue;
    if (out.some((parent) => parent.contains(el))) continue;
    out.push(el);
  }
  return out.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


def _too_wide(site: Site, paths: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Visit each path; the document's width where it is wider than the window, with the
    elements that stick out."""
    wider = {}
    for path in paths:
        site.visit(path)
        width = site.page.evaluate("document.documentElement.scrollWidth")
        if width > site.page.evaluate("window.innerWidth"):
            wider[path] = (width, site.page.evaluate(OFFENDERS))
    return wider


def test_meetings_countries_and_home_reflow_at_320_px_for_staff(open_site, cast):
    site = _narrow(open_site(), cast["staff"])
    start, meeting = cast["start"], cast["meeting"]

    wider = _too_wide(
        site,
        [
            "/",
            "/meetings/",
            f"/meetings/month/?year={start.year}&month={start.month}",
            f"/meetings/{meeting.pk}/",
            f"/meetings/{meeting.pk}/edit/",
            f"/meetings/{meeting.pk}/cancel/",
            "/calendar/subscriptions/",
            "/countries/",
            "/countries/ETH/",
            "/regions/africa/",
            "/invitations/",
            "/invitations/new/",
        ],
    )

    assert wider == {}


def test_meetings_countries_and_home_reflow_at_320_px_for_a_cepa_member(open_site, cast):
    site = _narrow(open_site(), cast["member"])
    start, meeting = cast["start"], cast["meeting"]

    wider = _too_wide(
        site,
        [
            "/",
            "/meetings/",
            f"/meetings/month/?year={start.year}&month={start.month}",
            f"/meetings/{meeting.pk}/",
            "/countries/",
            "/countries/GHA/",
            "/regions/arab/",
        ],
    )

    assert wider == {}


def test_the_month_lists_only_the_days_with_meetings_at_320_px(open_site, cast):
    site = _narrow(open_site(), cast["member"])
    meeting, zone = cast["meeting"], ZoneInfo("Pacific/Kiritimati")  # the member's zone
    first = meeting.start.astimezone(zone).date()
    last = (meeting.end - datetime.timedelta(microseconds=1)).astimezone(zone).date()
    today = datetime.datetime.now(zone).date()
    days = {first + datetime.timedelta(days=n) for n in range((last - first).days + 1)}
    # the month of the start; today is listed too (marked), even without a meeting
    expected = sorted(
        day.isoformat()
        for day in days | {today}
        if (day.year, day.month) == (first.year, first.month)
    )

    site.visit(f"/meetings/month/?year={first.year}&month={first.month}")

    shown = site.page.locator(".month__day:visible time.month__number")
    assert sorted(shown.evaluate_all("els => els.map((el) => el.dateTime)")) == expected
    assert site.page.locator(".month__number-long:visible").count() == len(expected)


def test_a_new_feed_address_stays_inside_the_page_at_320_px(open_site, cast):
    site = _narrow(open_site(), cast["member"])
    site.visit("/calendar/subscriptions/")

    site.submit(site.page.get_by_role("button", name="Create my feed URL"))

    address = site.page.get_by_label("Your feed address (https)")
    assert "/calendar/" in address.input_value()
    assert site.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
