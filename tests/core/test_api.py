import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cepa_collab.models import Profile
from tests.factories import DEFAULT_PASSWORD

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_token_exchange_with_good_credentials_returns_a_token(api, cepa_member):
    response = api.post(TOKEN, {"username": "amina", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=cepa_member).key}


@pytest.mark.django_db
def test_token_exchange_with_bad_credentials_is_a_clear_400(api, cepa_member):
    response = api.post(TOKEN, {"username": "amina", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unable to sign in with the username and password provided."
    }
    assert Token.objects.count() == 0


@pytest.mark.django_db
def test_token_exchange_without_password_names_the_field(api):
    response = api.post(TOKEN, {"username": "amina"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


@pytest.mark.django_db
def test_token_endpoint_locks_out_after_repeated_failures(api, cepa_member, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = api.post(TOKEN, {"username": "amina", "password": "x"}, format="json")
        assert response.status_code == 400

    locked = api.post(TOKEN, {"username": "amina", "password": "x"}, format="json")
    good = api.post(TOKEN, {"username": "amina", "password": DEFAULT_PASSWORD}, format="json")

    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed sign-in attempts.")
    assert good.status_code == 429
    assert Token.objects.count() == 0


@pytest.mark.django_db
def test_me_requires_authentication(api):
    response = api.get(ME)

    assert response.status_code == 401


@pytest.mark.django_db
def test_me_with_token_returns_profile_and_roles(api, cepa_member):
    token = Token.objects.create(user=cepa_member)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "amina"
    assert body["roles"] == [{"code": "cepa_member", "label": "CEPA member"}]
    assert body["country"] == {"iso3": "GHA", "name": "Ghana"}
    assert body["branch"] is None
    assert (body["time_zone"], body["language"]) == ("Africa/Accra", "en")


@pytest.mark.django_db
def test_me_for_branch_chief_names_the_branch(api, chief):
    api.force_authenticate(chief)

    body = api.get(ME).json()

    assert body["roles"] == [{"code": "branch_chief", "label": "Branch chief"}]
    assert body["branch"] == {"code": "e-govb", "name": "e-Government Branch"}


@pytest.mark.django_db
def test_me_patch_with_bad_time_zone_is_a_400_naming_the_field_and_changes_nothing(
    api, cepa_member
):
    api.force_authenticate(cepa_member)

    response = api.patch(ME, {"time_zone": "Mars/Olympus", "language": "fr"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["time_zone"]
    profile = Profile.objects.get(user=cepa_member)
    assert (profile.time_zone, profile.language) == ("Africa/Accra", "en")


@pytest.mark.django_db
def test_me_patch_with_unknown_language_names_the_field(api, cepa_member):
    api.force_authenticate(cepa_member)

    response = api.patch(ME, {"language": "xx"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["language"]


@pytest.mark.django_db
def test_me_patch_changes_time_zone_and_language(api, cepa_member):
    api.force_authenticate(cepa_member)

    response = api.patch(ME, {"time_zone": "Europe/Paris", "language": "fr"}, format="json")

    assert response.status_code == 200
    profile = Profile.objects.get(user=cepa_member)
    assert (profile.time_zone, profile.language) == ("Europe/Paris", "fr")


@pytest.mark.django_db
def test_api_root_lists_endpoints_for_authenticated_callers(api, cepa_member):
    assert api.get("/api/v1/").status_code == 401
    api.force_authenticate(cepa_member)

    body = api.get("/api/v1/").json()

    assert body["me"] == "http://testserver/api/v1/me/"


@pytest.mark.django_db
def test_schema_is_openapi_3_and_documents_the_shell(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/me/", "/api/v1/auth/token/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_swagger_ui_is_served_offline_from_the_app(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert (
        client.get(
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
        ).status_code
        == 200
    )
