"""The design system in a real browser: the folding menu, reflow at 320 px, the error
summary's focus (issue 14). Every page is checked with axe-core (see conftest.Site)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from tests.browser.conftest import sign_in_cookie
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_member(db):
    return person(Role.BRANCH_STAFF, username="wanjiru", branch_code="e-govb")


def _open(open_site, user, width: int, *, javascript: bool = True):
    site = open_site(javascript=javascript)
    site.page.set_viewport_size({"width": width, "height": 800})
    sign_in_cookie(site, user)
    return site


def _document_width(site) -> int:
    return site.page.evaluate("() => document.documentElement.scrollWidth")


def test_on_a_phone_the_navigation_folds_behind_menu_without_javascript(open_site, staff_member):
    site = _open(open_site, staff_member, 320, javascript=False)
    site.visit("/")
    page = site.page
    header = page.locator(".site-header")
    deliverables = page.get_by_role("link", name="Deliverables", exact=True)

    assert header.bounding_box()["height"] <= 64
    expect(deliverables).to_be_hidden()

    page.get_by_text("Menu", exact=True).click()

    expect(deliverables).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_be_visible()
    assert _document_width(site) <= 320


def test_on_a_wide_screen_the_navigation_shows_without_a_click(open_site, staff_member):
    site = _open(open_site, staff_member, 1280)
    site.visit("/")
    page = site.page

    expect(page.get_by_role("link", name="Deliverables", exact=True)).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()


@pytest.mark.parametrize("width", [320, 1280])
def test_pattern_page_never_scrolls_sideways_and_focuses_the_error_summary(
    open_site, staff_member, settings, width
):
    settings.DEBUG = True
    site = _open(open_site, staff_member, width)

    site.visit("/patterns/")

    assert _document_width(site) <= width
    expect(site.page.locator(".error-summary")).to_be_focused()
    assert site.page.title() == "Error: Patterns · CEPA Collab"
