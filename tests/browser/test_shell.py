"""The web shell in a real browser: sign-in, home, language switch, weight, no-JS, keyboard.

Every page these tests land on is checked with axe-core (see conftest.Site).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from tests.browser.conftest import measure_weight, sign_in_cookie
from tests.factories import DEFAULT_PASSWORD, person

# The live server answers from another thread: what a test creates must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each page states its weight budget: everything one cold load transfers, assets included.
PAGE_BUDGETS = {"login": ("/accounts/login/", 100_000), "home": ("/", 100_000)}


@pytest.fixture
def amina(db):
    return person(
        Role.CEPA_MEMBER,
        username="amina",
        first_name="Amina",
        last_name="Mensah",
        country="GHA",
        time_zone="Africa/Accra",
    )


def sign_in(site, username: str) -> None:
    """From the home page address, get sent to the sign-in form and sign in."""
    site.visit("/")
    assert site.path == "/accounts/login/?next=/"
    page = site.page
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    site.submit(page.get_by_role("button", name="Sign in"))
    assert site.path == "/"


def switch_language(site, code: str, button: str) -> None:
    site.page.get_by_label("Language", exact=True).select_option(code)
    site.submit(site.page.get_by_role("button", name=button, exact=True))


def test_cepa_member_signs_in_and_reads_the_home_page_in_french(site, amina):
    page = site.page

    sign_in(site, "amina")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amina Mensah")
    expect(page.locator("main")).to_contain_text("You are signed in as CEPA member.")

    switch_language(site, "fr", "Change")

    assert site.path == "/"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Amina Mensah")
    expect(page.locator("main")).to_contain_text(
        "Votre session est ouverte en tant que membre du CEPA."
    )
    expect(page.get_by_role("button", name="Changer", exact=True)).to_be_visible()
    assert Profile.objects.get(user=amina).language == "fr"


def test_core_flows_work_without_javascript(open_site, amina):
    site = open_site(javascript=False)
    page = site.page

    sign_in(site, "amina")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amina Mensah")

    switch_language(site, "fr", "Change")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Amina Mensah")

    site.submit(page.get_by_role("button", name="Se déconnecter"))
    assert site.path == "/accounts/login/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def test_wrong_password_is_refused_on_an_accessible_page(open_site, amina):
    site = open_site(javascript=False)
    site.visit("/accounts/login/")
    site.page.get_by_label("Username").fill("amina")
    site.page.get_by_label("Password").fill("not the password")
    site.submit(site.page.get_by_role("button", name="Sign in"))
    assert site.path == "/accounts/login/"
    expect(site.page.get_by_role("alert")).to_be_visible()


def test_tab_first_reaches_a_visible_skip_link(site, amina):
    # The home page: the sign-in page puts the focus in its username field on purpose.
    sign_in_cookie(site, amina)
    page = site.page
    site.visit("/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline not in ("", "none"), "the focused skip link shows no focus outline"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("page_name", PAGE_BUDGETS)
def test_page_weight_is_within_budget(open_site, amina, page_name):
    path, budget = PAGE_BUDGETS[page_name]
    site = open_site()  # a fresh context: nothing cached
    if page_name == "home":
        sign_in_cookie(site, amina)

    weight = measure_weight(site, path)

    assert site.path == path
    assert weight.total < budget, (
        f"{path} transferred {weight.total:,} bytes, over its {budget:,}-byte budget:\n"
        + weight.describe()
    )


@pytest.mark.parametrize("page_name", PAGE_BUDGETS)
def test_page_loads_nothing_from_another_host(open_site, amina, page_name):
    path, _budget = PAGE_BUDGETS[page_name]
    site = open_site()
    if page_name == "home":
        sign_in_cookie(site, amina)
    requested: list[str] = []
    site.page.on("request", lambda request: requested.append(request.url))

    site.visit(path)
    site.page.wait_for_load_state("networkidle")

    own = urlsplit(site.base_url).netloc
    foreign = [url for url in requested if urlsplit(url).netloc != own]
    assert requested, "the page made no request at all"
    assert not foreign, f"{path} loaded resources from other hosts: {foreign}"
