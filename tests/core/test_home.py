import pytest
from django.conf import settings

from cepa_collab.enums import Role
from cepa_collab.models import Profile
from tests.factories import DEFAULT_PASSWORD, person


@pytest.mark.django_db
def test_home_redirects_anonymous_visitors_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "greeting"),
    [
        (Role.CEPA_MEMBER, "You are signed in as CEPA member."),
        (Role.BRANCH_CHIEF, "You are signed in as Branch chief."),
        (Role.BRANCH_STAFF, "You are signed in as Branch staff."),
        (Role.INTER_REGIONAL_ADVISOR, "You are signed in as Inter-Regional Advisor."),
        (Role.FOCAL_POINT, "You are signed in as Member State focal point."),
        (Role.SECRETARIAT_ADMIN, "You are signed in as Secretariat administrator."),
    ],
)
def test_home_greets_the_user_by_role(client, role, greeting):
    user = person(role, username="someone", first_name="Ada", last_name="Lovelace")
    client.force_login(user)

    html = client.get("/").content.decode()

    assert "Welcome, Ada Lovelace" in html
    assert greeting in html


@pytest.mark.django_db
def test_home_without_a_role_says_so(client):
    user = person(username="norole")
    client.force_login(user)

    html = client.get("/").content.decode()

    assert "Your account has no role yet." in html


@pytest.mark.django_db
def test_navigation_follows_the_role(client, cepa_member, secretariat_admin, staff):
    client.force_login(cepa_member)
    member_html = client.get("/").content.decode()
    client.force_login(staff)
    staff_html = client.get("/").content.decode()
    client.force_login(secretariat_admin)
    admin_html = client.get("/").content.decode()

    assert 'href="/admin/"' not in member_html
    assert 'href="/api/docs/"' not in member_html
    assert 'href="/api/docs/"' in staff_html
    assert 'href="/admin/"' not in staff_html
    assert 'href="/admin/"' in admin_html


@pytest.mark.django_db
def test_admin_is_open_to_the_secretariat_and_closed_to_a_cepa_member(
    client, cepa_member, secretariat_admin
):
    client.force_login(cepa_member)
    denied = client.get("/admin/cepa_collab/memberstate/")
    client.force_login(secretariat_admin)
    allowed = client.get("/admin/cepa_collab/memberstate/")

    assert denied.status_code == 302
    assert allowed.status_code == 200
    assert "Ghana" in allowed.content.decode()


@pytest.mark.django_db
def test_home_costs_a_fixed_number_of_queries_whatever_the_number_of_people(
    client, django_assert_num_queries
):
    user = person(Role.CEPA_MEMBER, username="first", country="GHA")
    client.force_login(user)
    # session, user, roles, profile; the header's counts (nothing waits: no kind is loaded);
    # coming up (meetings) and recently done (reviews submitted)
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200
    for index in range(40):
        person(Role.CEPA_MEMBER, Role.BRANCH_STAFF, username=f"p{index}", branch_code="e-govb")
    client.force_login(user)

    # session, user, roles, profile; the header's counts (nothing waits: no kind is loaded);
    # coming up (meetings) and recently done (reviews submitted)
    with django_assert_num_queries(7):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_language_switch_translates_and_remembers_the_choice(client, cepa_member):
    client.force_login(cepa_member)

    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = client.get("/").content.decode()

    assert response.status_code == 302
    assert '<html lang="fr">' in html
    assert "Votre session est ouverte en tant que" in html
    assert Profile.objects.get(user=cepa_member).language == "fr"


@pytest.mark.django_db
def test_language_switch_ignores_an_unknown_language(client, cepa_member):
    client.force_login(cepa_member)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert Profile.objects.get(user=cepa_member).language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_sign_in_switches_to_the_preferred_language(client):
    person(Role.CEPA_MEMBER, username="pierre", language="fr")

    response = client.post("/accounts/login/", {"username": "pierre", "password": DEFAULT_PASSWORD})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_lists_the_profile_as_a_summary_list_with_the_country_as_named_for_the_reader(
    client, monkeypatch
):
    from cepa_collab.models import MemberState

    # the page prints the country itself (its name in the reader's language), not `.name`
    monkeypatch.setattr(MemberState, "__str__", lambda country: f"<{country.iso3}>")
    member = person(Role.CEPA_MEMBER, username="kofi", country="GHA", time_zone="Africa/Accra")
    client.force_login(member)

    page = client.get("/").content.decode()

    assert '<dl class="summary-list">' in page
    assert ('<div class="summary-list__row"><dt>Country</dt><dd>&lt;GHA&gt;</dd></div>') in page
    assert ('<div class="summary-list__row"><dt>Time zone</dt><dd>Africa/Accra</dd></div>') in page
