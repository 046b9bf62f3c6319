"""The second factor in a real browser, without JavaScript: a branch chief sets it up after
the password, keeps the recovery codes, and enters a code at the next sign-in; a CEPA
member finds it on their security page. Every page is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cepa_collab import second_factor
from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import DEFAULT_PASSWORD, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(site, username: str) -> None:
    site.visit("/accounts/login/")
    site.page.get_by_label("Username").fill(username)
    site.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    site.submit(site.page.get_by_role("button", name="Sign in"))


def test_chief_sets_up_the_second_factor_then_signs_in_with_a_code(open_site, time_machine):
    time_machine.move_to("2026-12-07 10:00:00+00:00", tick=True)
    chief = person(Role.BRANCH_CHIEF, username="chief", first_name="Vincenzo", branch_code="e-govb")
    site = open_site(javascript=False)
    page = site.page

    # the password leads to the set-up, with its QR code
    _password(site, "chief")
    assert site.path == "/accounts/two-factor/setup/?next=%2F"
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    page.get_by_label("Code from your app").fill(second_factor.current_code(device.key))
    site.submit(page.get_by_role("button", name="Turn on the second factor"))

    # the recovery codes are shown, then the home page
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    site.submit(page.get_by_role("link", name="Continue"))
    assert site.path == "/"

    # at the next sign-in, a code after the password
    site.submit(page.get_by_role("button", name="Sign out"))
    time_machine.shift(60)
    _password(site, "chief")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code", exact=True).fill("000000")
    site.submit(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    time_machine.shift(5)
    page.get_by_label("Code", exact=True).fill(second_factor.current_code(device.key))
    site.submit(page.get_by_role("button", name="Continue"))
    assert site.path == "/"


def test_member_finds_the_second_factor_on_the_security_page(open_site):
    amina = person(Role.CEPA_MEMBER, username="amina", country="GHA")
    site = open_site(javascript=False)
    sign_in_cookie(site, amina)

    site.visit("/")
    site.submit(site.page.get_by_role("link", name="Sign-in and security"))
    expect(site.page.get_by_role("heading", level=1)).to_have_text("Sign-in and security")
    site.submit(site.page.get_by_role("link", name="Set up a second factor"))
    expect(site.page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
