"""A CEPA member's account page in a browser without JavaScript: from the navigation, she
changes her time zone, stops the mail of one kind in the grid, notes an away period and
removes it after the confirmation page; every page checked with axe-core."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from notifications import services as notifications
from notifications.enums import Delivery
from tests.browser.conftest import sign_in_cookie
from tests.factories import person
from workflows.models import AwayPeriod

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def amina(transactional_db):
    return person(
        Role.CEPA_MEMBER,
        username="amina",
        country="GHA",
        time_zone="Africa/Accra",
        first_name="Amina",
        last_name="Mensah",
        email="amina@example.org",
    )


def test_member_keeps_her_account_without_javascript(open_site, amina):
    site = open_site(javascript=False)
    page = site.page
    sign_in_cookie(site, amina)
    site.visit("/")
    site.visit(page.get_by_role("link", name="Your account").get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    # Her details: a new time zone from the grouped list.
    page.get_by_label("Time zone").select_option("Europe/Paris")
    site.submit(page.get_by_role("button", name="Save your details"))
    expect(page.get_by_role("status").first).to_contain_text("Your account is saved.")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")

    # The grid: deadline reminders no longer mailed.
    reminders = page.get_by_role("group", name="Deadline reminders")
    reminders.get_by_label("Do not mail").check()
    site.submit(page.get_by_role("button", name="Save preferences"))
    assert site.path == "/accounts/"
    assert notifications.preferences_of(amina)["reminder"] == Delivery.NONE

    # An away period, then removed after the confirmation page.
    start = datetime.date.today() + datetime.timedelta(days=10)
    page.get_by_label("First day away").fill(start.isoformat())
    page.get_by_label("Last day away").fill((start + datetime.timedelta(days=4)).isoformat())
    site.submit(page.get_by_role("button", name="Add the away period"))
    assert AwayPeriod.objects.filter(reviewer=amina).count() == 1
    site.visit(page.get_by_role("link", name="Remove").first.get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove this away period?")
    site.submit(page.get_by_role("button", name="Remove the away period"))
    expect(page.get_by_role("status").first).to_contain_text("The away period is removed.")
    assert AwayPeriod.objects.filter(reviewer=amina).count() == 0
