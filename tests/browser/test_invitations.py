"""Invitations in a real browser, without JavaScript: staff invite a list, the list shows it,
one invitee sets their password from the mailed link and lands signed in, another invitation
is revoked after its confirmation page (every page checked with axe-core, see conftest.Site).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_invite_a_list_and_an_invitee_joins(open_site):
    staff = person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb")
    site = open_site(javascript=False)
    page = site.page
    sign_in_cookie(site, staff)

    site.visit("/invitations/new/")
    page.get_by_label("E-mail addresses").fill(
        "Amina Diallo <amina@example.org>\nnot an address\nlars@example.se"
    )
    page.get_by_label("CEPA member").check()
    site.page.get_by_role("button", name="Send the invitations").click()
    site.check_accessibility()
    expect(page.get_by_role("alert")).to_contain_text(
        "Line 2: “not an address” is not an e-mail address."
    )

    page.get_by_label("E-mail addresses").fill("Amina Diallo <amina@example.org>\nlars@example.se")
    site.submit(page.get_by_role("button", name="Send the invitations"))
    assert site.path == "/invitations/"
    expect(page.get_by_role("status").first).to_contain_text("2 invitations sent.")
    expect(page.get_by_role("row")).to_have_count(3)

    site.visit(
        page.get_by_role("link", name="Revoke the invitation to lars@example.se").get_attribute(
            "href"
        )
    )
    site.submit(page.get_by_role("button", name="Revoke the invitation"))
    expect(page.get_by_role("status").first).to_contain_text("was revoked")

    link = next(m for m in mail.outbox if m.to == ["amina@example.org"])
    path = re.search(r"/invitation/\S+/", link.body).group(0)
    joining = open_site(javascript=False)
    joining.visit(path)
    joining.page.get_by_label("Last name").fill("Diallo")
    joining.page.get_by_label("Password", exact=True).fill("a long Dakar password")
    joining.page.get_by_label("Password again").fill("a long Dakar password")
    joining.submit(joining.page.get_by_role("button", name="Create my account"))
    assert joining.path == "/"
    expect(joining.page.get_by_role("status").first).to_contain_text(
        "You sign in with amina@example.org"
    )
