"""The notification centre in a real browser: a member sees the unread count in the header,
marks one read, opens another, chooses the daily digest for reminders, and unsubscribes from
a mail's link without signing in (every page checked with axe-core, see conftest.Site).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from meetings.notices import MeetingNotice
from notifications import mail, services
from notifications.enums import Delivery
from tests.browser.conftest import sign_in_cookie
from tests.factories import person
from workflows.notices import WorkflowNotice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def amina(db):
    amina = person(
        Role.CEPA_MEMBER,
        username="amina",
        first_name="Amina",
        last_name="Mensah",
        country="GHA",
        time_zone="Africa/Accra",
    )
    services.write(
        amina,
        MeetingNotice.MEETING,
        "Meeting moved: Expert group meeting",
        "It now starts at 10:00.\nThe invitation is attached.",
        link="/meetings/",
    )
    services.write(
        amina,
        WorkflowNotice.DECISION,
        "Decision taken: Chapter 3",
        "The chapter was approved.",
        link="/reviews/",
    )
    return amina


def test_member_reads_notifications_and_chooses_how_they_are_mailed(site, amina):
    page = site.page
    sign_in_cookie(site, amina)

    # The header says how many are unread; the list shows them, newest first.
    site.visit("/")
    header_link = page.get_by_role("link", name="Notifications, 2 unread")
    expect(header_link).to_be_visible()
    site.visit(header_link.get_attribute("href"))
    expect(page.get_by_role("heading", level=3)).to_have_text(
        ["Unread: Decision taken: Chapter 3", "Unread: Meeting moved: Expert group meeting"]
    )

    # Marking one read says so and the count goes down.
    site.submit(
        page.get_by_role("button", name="Mark as read: Decision taken: Chapter 3", exact=True)
    )
    expect(page.get_by_role("status").first).to_contain_text(
        "“Decision taken: Chapter 3” is marked as read."
    )
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()

    # Opening the other goes to what it is about, and nothing is unread any more.
    site.submit(
        page.get_by_role(
            "button", name="Open and mark as read: Meeting moved: Expert group meeting"
        )
    )
    assert site.path == "/meetings/"
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    # Reminders in the daily digest, decisions not mailed.
    site.visit("/notifications/preferences/")
    expect(page.get_by_text("08:00 in your time zone (Africa/Accra)")).to_be_visible()
    reminders = page.get_by_role("group", name="Deadline reminders")
    reminders.get_by_label("Daily digest at 08:00 your time").check()
    page.get_by_role("group", name="Decisions on deliverables").get_by_label("Do not mail").check()
    site.submit(page.get_by_role("button", name="Save preferences"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Your notification preferences are saved."
    )
    expect(reminders.get_by_label("Daily digest at 08:00 your time")).to_be_checked()
    preferences = services.preferences_of(amina)
    assert (preferences["reminder"], preferences["decision"], preferences["meeting"]) == (
        Delivery.DIGEST,
        Delivery.NONE,
        Delivery.IMMEDIATE,
    )


def test_unsubscribe_link_works_without_signing_in_or_javascript(open_site, amina, settings):
    site = open_site(javascript=False)
    path = mail.unsubscribe_url(amina, MeetingNotice.MEETING).removeprefix(settings.SITE_URL)

    site.visit(path)
    expect(site.page.get_by_role("heading", level=1)).to_have_text(
        "Unsubscribe from notification mails"
    )
    assert services.preferences_of(amina)["meeting"] == Delivery.IMMEDIATE
    site.submit(site.page.get_by_role("button", name="Unsubscribe"))

    expect(site.page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert services.preferences_of(amina)["meeting"] == Delivery.NONE
