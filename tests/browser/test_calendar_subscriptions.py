"""Calendar subscriptions in a real browser: a member creates their private feed URL, copies
it, a calendar fetches it, they reset it and the old URL stops working at once. Also the
meetings pages a member and branch staff go through (every page checked with axe-core, see
conftest.Site).
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from meetings import services
from meetings.enums import MeetingKind, Reply, Visibility
from meetings.models import Meeting, Participant
from tests.browser.conftest import sign_in_cookie
from tests.factories import branch, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Expert group meeting on e-government"


@pytest.fixture
def cast(settings, live_server):
    # The page builds feed URLs from SITE_URL: make them point at the live server.
    settings.SITE_URL = live_server.url
    staff = person(
        Role.BRANCH_STAFF,
        username="elena",
        first_name="Elena",
        last_name="Marchetti",
        branch_code="e-govb",
    )
    amina = person(
        Role.CEPA_MEMBER,
        username="amina",
        first_name="Amina",
        last_name="Mensah",
        country="GHA",
        time_zone="Africa/Accra",
    )
    start = datetime.datetime.now(datetime.UTC).replace(
        minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=14)
    meeting = services.create_meeting(
        staff,
        kind=MeetingKind.EXPERT_GROUP,
        title=TITLE,
        branch=branch("e-govb"),
        start=start,
        end=start + datetime.timedelta(hours=8),
        time_zone="Africa/Addis_Ababa",
        location="UNECA Conference Centre, Addis Ababa",
        visibility=Visibility.PARTICIPANTS,
    )
    services.add_participant(staff, meeting, user=amina)
    return {"staff": staff, "amina": amina, "meeting": meeting}


def feed_address(site) -> str:
    return site.page.get_by_label("Your feed address (https)").input_value()


def test_member_copies_their_feed_url_resets_it_and_the_old_one_stops_working(site, cast):
    page = site.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url)
    sign_in_cookie(site, cast["amina"])

    # The member opens Calendar subscriptions from the navigation and creates the URL.
    site.visit("/")
    site.visit(page.get_by_role("link", name="Calendar subscriptions").get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar subscriptions")
    site.submit(page.get_by_role("button", name="Create my feed URL"))
    expect(page.get_by_role("status").first).to_contain_text("Your feed URL was created.")

    # It is shown once, as https and webcal, in read-only inputs; the copy button copies it.
    url = feed_address(site)
    assert url.startswith(site.base_url + "/calendar/feed/") and url.endswith(".ics")
    webcal = page.get_by_label("The same address for calendar apps (webcal)")
    expect(webcal).to_have_value("webcal://" + url.split("://", 1)[1])
    expect(page.get_by_label("Your feed address (https)")).to_have_attribute("readonly", "")
    page.get_by_role("button", name="Copy the address", exact=True).click()
    expect(page.locator("#feed-personal-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url

    # A calendar fetches it: the member's meeting is in it.
    fetched = page.request.get(url)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
    assert TITLE in fetched.text()

    # Back on the page later, the URL is no longer shown in full.
    site.visit("/calendar/subscriptions/")
    expect(page.get_by_label("Your feed address (https)")).to_have_count(0)
    expect(page.locator("#feed-personal")).to_contain_text("Last used by a calendar on")
    expect(page.locator("#feed-personal code")).to_have_text(url.rsplit("/", 1)[1][:6] + "…")

    # They reset it, after saying so on a page of its own: a new URL works, the old one
    # answers 404 at once.
    site.submit(page.get_by_role("link", name="Reset my feed URL"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your feed URL?")
    site.submit(page.get_by_role("button", name="Reset the address"))
    expect(page.get_by_role("status").first).to_contain_text("The old URL stopped working")
    new_url = feed_address(site)
    assert new_url != url
    assert page.request.get(url).status == 404
    renewed = page.request.get(new_url)
    assert renewed.status == 200
    assert TITLE in renewed.text()


def test_feed_url_can_be_selected_without_javascript(open_site, cast):
    site = open_site(javascript=False)
    sign_in_cookie(site, cast["amina"])
    site.visit("/calendar/subscriptions/")

    site.submit(site.page.get_by_role("button", name="Create my feed URL"))

    address = site.page.get_by_label("Your feed address (https)")
    expect(address).to_be_visible()
    expect(address).to_have_attribute("readonly", "")
    expect(site.page.get_by_role("button", name="Copy the address", exact=True)).to_be_hidden()
    assert feed_address(site).startswith(site.base_url + "/calendar/feed/")


def test_staff_schedules_a_meeting_and_a_member_replies(open_site, cast):
    # Branch staff schedule a meeting through the form, inviting the member.
    staff = open_site()
    sign_in_cookie(staff, cast["staff"])
    staff.visit("/meetings/")
    staff.visit("/meetings/month/")
    staff.visit("/meetings/new/")
    page = staff.page
    page.get_by_label("Title").fill("Regional workshop for the Caribbean")
    page.get_by_label("Kind").select_option("workshop")
    page.get_by_label("Time zone of the meeting").select_option("America/Port_of_Spain")
    page.get_by_label("Starts (local time)").fill("2031-04-14T09:00")
    page.get_by_label("Ends (local time)").fill("2031-04-16T17:30")
    page.get_by_label("Location").fill("Port of Spain")
    page.get_by_label("Agenda items").fill("Opening\nCountry reports")
    page.get_by_label("Amina Mensah").select_option("chair")
    staff.submit(page.get_by_role("button", name="Schedule the meeting"))
    created = Meeting.objects.get(title="Regional workshop for the Caribbean")
    assert staff.path == f"/meetings/{created.pk}/"
    expect(page.locator("main")).to_contain_text("14 April 2031, 09:00 – 16 April 2031, 17:30")
    staff.visit(f"/meetings/{created.pk}/edit/")
    staff.visit(f"/meetings/{created.pk}/cancel/")

    # The member opens it and accepts.
    member = open_site()
    sign_in_cookie(member, cast["amina"])
    member.visit(f"/meetings/{created.pk}/")
    member.submit(member.page.get_by_role("button", name="Accept"))
    expect(member.page.get_by_role("status").first).to_contain_text("accepted")
    assert Participant.objects.get(meeting=created, user=cast["amina"]).reply == Reply.ACCEPTED
