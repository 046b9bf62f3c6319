"""The second factor: required for chiefs, the secretariat and admins (set up after the
password, then a code at each sign-in), available to everyone, not a way around for the API
token endpoint or the Django admin."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cepa_collab import second_factor
from tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
TOKEN = "/api/v1/auth/token/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to("2026-12-07 10:00:00+00:00", tick=False)
    return time_machine


def _enrol(user) -> TOTPDevice:
    device = second_factor.pending_authenticator(user)
    code = second_factor.current_code(device.key)
    second_factor.confirm_authenticator(user, device.pk, code)
    device.refresh_from_db()
    return device


def _code(device: TOTPDevice) -> str:
    return second_factor.current_code(device.key)


def _password(client, username: str, next_: str = ""):
    data = {"username": username, "password": DEFAULT_PASSWORD}
    if next_:
        data["next"] = next_
    return client.post(LOGIN, data)


# --- required: set up after the password --------------------------------------------------------


def test_chief_without_a_device_is_sent_to_set_it_up_and_can_use_nothing_else(client, chief):
    # when the chief enters their password
    response = _password(client, "chief")

    # then they are sent to set up the second factor, and every page sends them back there
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    step = client.get("/accounts/two-factor/?next=/")
    assert step["Location"] == "/accounts/two-factor/setup/?next=%2F"
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    deliverables = client.get("/deliverables/")
    assert deliverables["Location"] == "/accounts/two-factor/?next=%2Fdeliverables%2F"
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json() == {
        "detail": "Enter the code of your second factor on the sign-in page first."
    }
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")


def test_chief_sets_up_the_authenticator_and_sees_recovery_codes_once(client, chief, _clock):
    _password(client, "chief")

    # given the set-up page with its QR code and typed secret
    page = client.get(SETUP + "?next=/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=chief, confirmed=False)
    assert page.status_code == 200
    assert "<svg" in html
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert second_factor.secret_for_typing(device) in html

    # when a wrong code, then the app's code, is entered
    wrong = client.post(SETUP, {"code": "000000", "next": "/"})
    _clock.shift(5)
    right = client.post(SETUP, {"code": _code(device), "next": "/"})

    # then the wrong one is named on the field, the right one turns it on
    assert wrong.status_code == 200
    assert "That code is not the one your app shows" in wrong.content.decode()
    assert right.status_code == 302
    assert right["Location"] == "/accounts/two-factor/recovery-codes/?next=%2F"
    device.refresh_from_db()
    assert device.confirmed is True
    codes_page = client.get(right["Location"]).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    stored = set(StaticToken.objects.filter(device__user=chief).values_list("token", flat=True))
    assert len(shown) == 10
    assert set(shown) == stored
    again = client.get(right["Location"]).content.decode()
    assert re.findall(r"<li><code>([a-z2-7]{8})</code></li>", again) == []
    assert client.get("/").status_code == 200


def test_setting_up_again_without_the_code_of_the_current_app_is_refused(
    client, chief, unverified_login
):
    # given a chief with an authenticator, signed in with the password only
    _enrol(chief)
    unverified_login(client, chief)

    # when they open the set-up page (to enrol a device of their own)
    response = client.get(SETUP)

    # then they are asked for the current app's code first, and nothing new is made
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    assert TOTPDevice.objects.filter(user=chief).count() == 1


# --- a code at each sign-in ----------------------------------------------------------------------


def test_chief_with_a_device_enters_a_code_after_the_password(client, chief, _clock):
    device = _enrol(chief)
    _clock.shift(60)

    response = _password(client, "chief", next_="/meetings/")
    blocked = client.get("/meetings/")
    wrong = client.post(CODE_STEP, {"code": "123456", "next": "/meetings/"})
    _clock.shift(5)  # django-otp makes a device wait a moment after a wrong code
    right = client.post(CODE_STEP, {"code": _code(device), "next": "/meetings/"})

    assert response["Location"] == "/accounts/two-factor/?next=%2Fmeetings%2F"
    assert blocked["Location"] == "/accounts/two-factor/?next=%2Fmeetings%2F"
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert right.status_code == 302
    assert right["Location"] == "/meetings/"
    assert client.get("/meetings/").status_code == 200


def test_a_code_cannot_be_used_twice(client, chief, _clock):
    device = _enrol(chief)
    _clock.shift(60)
    code = _code(device)
    _password(client, "chief")
    assert client.post(CODE_STEP, {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")

    _password(client, "chief")
    again = client.post(CODE_STEP, {"code": code})

    assert again.status_code == 200
    assert client.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(client, chief, _clock):
    _enrol(chief)
    recovery = StaticToken.objects.filter(device__user=chief).first().token

    _password(client, "chief")
    first = client.post(CODE_STEP, {"code": recovery.upper()})
    client.post("/accounts/logout/")
    _password(client, "chief")
    second = client.post(CODE_STEP, {"code": recovery})

    assert first["Location"] == "/"
    assert second.status_code == 200
    assert StaticToken.objects.filter(device__user=chief).count() == 9


def test_wrong_codes_count_towards_the_lock_out(client, chief, _clock):
    device = _enrol(chief)
    _clock.shift(60)
    _password(client, "chief")

    answers = [client.post(CODE_STEP, {"code": "999999"}).status_code for _n in range(5)]
    right = client.post(CODE_STEP, {"code": _code(device)})

    assert answers == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert client.get("/").status_code == 302
    attempt = AccessAttempt.objects.get(username="chief")
    assert attempt.failures_since_start == 5
    assert "999999" not in attempt.post_data


def test_secretariat_and_superusers_need_it_too(client, secretariat_admin, superuser):
    for user in (secretariat_admin, superuser):
        client.post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD})
        assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
        client.post("/accounts/logout/")


def test_admin_site_requires_the_second_factor_whatever_the_sign_in(
    client, secretariat_admin, unverified_login
):
    # given a secretariat admin signed in by another way (the admin's own form, say)
    _enrol(secretariat_admin)
    unverified_login(client, secretariat_admin)

    # then the admin site sends them to the code step first
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    assert client.get("/admin/auth/user/")["Location"].startswith("/accounts/two-factor/")


# --- available to everyone ----------------------------------------------------------------------


def test_member_without_a_second_factor_signs_in_with_the_password_alone(client, cepa_member):
    response = _password(client, "amina")

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.session[second_factor.SESSION_KEY] == second_factor.NOT_NEEDED


def test_member_turns_it_on_then_needs_a_code_then_turns_it_off(client, cepa_member, _clock):
    # given a member who turns the second factor on from their security page
    _password(client, "amina")
    assert "Set up a second factor" in client.get("/accounts/security/").content.decode()
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=cepa_member)
    client.post(SETUP, {"code": _code(device), "next": "/accounts/security/"})
    client.post("/accounts/logout/")
    _clock.shift(60)

    # when they sign in again
    after_password = _password(client, "amina")

    # then a code is asked
    assert after_password["Location"] == "/accounts/two-factor/?next=%2F"
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    client.post(CODE_STEP, {"code": _code(device)})

    # and they may turn it off (after a confirmation page)
    confirm = client.get("/accounts/two-factor/off/")
    off = client.post("/accounts/two-factor/off/")
    assert "Turn off the second factor?" in confirm.content.decode()
    assert off["Location"] == "/accounts/security/"
    assert not TOTPDevice.objects.filter(user=cepa_member).exists()
    assert not StaticDevice.objects.filter(user=cepa_member).exists()


def test_chief_cannot_turn_it_off(client, chief, _clock):
    _enrol(chief)
    client.force_login(chief)

    page = client.get("/accounts/security/").content.decode()
    response = client.post("/accounts/two-factor/off/")

    assert "it cannot be turned off" in page
    assert response["Location"] == "/accounts/security/"
    assert TOTPDevice.objects.filter(user=chief, confirmed=True).count() == 1
    with pytest.raises(Exception, match="cannot be turned off"):
        second_factor.turn_off(chief)


def test_new_recovery_codes_replace_the_old_ones(client, chief):
    _enrol(chief)
    old = set(StaticToken.objects.filter(device__user=chief).values_list("token", flat=True))
    client.force_login(chief)

    response = client.post("/accounts/two-factor/recovery-codes/new/")
    page = client.get(response["Location"]).content.decode()

    new = set(StaticToken.objects.filter(device__user=chief).values_list("token", flat=True))
    assert len(new) == 10
    assert old.isdisjoint(new)
    assert set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)) == new


def test_new_recovery_codes_need_the_second_factor_first(client, chief, unverified_login):
    _enrol(chief)
    old = set(StaticToken.objects.filter(device__user=chief).values_list("token", flat=True))
    unverified_login(client, chief)

    response = client.post("/accounts/two-factor/recovery-codes/new/")

    assert response["Location"].startswith("/accounts/two-factor/?next=")
    left = StaticToken.objects.filter(device__user=chief).values_list("token", flat=True)
    assert set(left) == old


# --- the API token endpoint is no way around it ------------------------------------------------


def test_token_endpoint_asks_for_the_code_of_an_account_with_a_device(client, chief, _clock):
    device = _enrol(chief)
    _clock.shift(60)

    missing = client.post(TOKEN, {"username": "chief", "password": DEFAULT_PASSWORD})
    wrong = client.post(TOKEN, {"username": "chief", "password": DEFAULT_PASSWORD, "otp": "1"})
    _clock.shift(5)
    right = client.post(
        TOKEN, {"username": "chief", "password": DEFAULT_PASSWORD, "otp": _code(device)}
    )

    assert missing.status_code == 400
    assert list(missing.json()) == ["otp"]
    assert wrong.status_code == 400
    assert wrong.json() == {"otp": ["That code is not right, or was already used."]}
    assert right.status_code == 200
    assert len(right.json()["token"]) == 40


def test_token_endpoint_refuses_a_chief_without_a_device(client, chief):
    response = client.post(TOKEN, {"username": "chief", "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert list(response.json()) == ["otp"]
    assert "set it up by signing in on the site first" in response.json()["otp"][0]


def test_token_endpoint_needs_no_code_from_a_member_without_one(client, cepa_member):
    response = client.post(TOKEN, {"username": "amina", "password": DEFAULT_PASSWORD})

    assert response.status_code == 200


def test_token_schema_documents_the_otp_field(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    request = schema["components"]["schemas"]["TokenRequest"]
    assert "otp" in request["properties"]
    assert "otp" not in request.get("required", [])
    assert "otp" in schema["components"]["schemas"]["TokenError"]["properties"]


# --- a lost phone: the secretariat resets it -----------------------------------------------------


def test_secretariat_resets_a_lost_second_factor_in_the_admin(client, chief, secretariat_admin):
    # given a chief's authenticator, and the secretariat admin signed in with both factors
    device = _enrol(chief)
    client.force_login(secretariat_admin)

    # when the admin deletes it in the Django admin
    listed = client.get("/admin/otp_totp/totpdevice/")
    deleted = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    client.post("/accounts/logout/")

    # then the chief is asked to set up a new one at the next sign-in
    assert listed.status_code == 200
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(user=chief).exists()
    _password(client, "chief")
    assert client.get(CODE_STEP)["Location"] == "/accounts/two-factor/setup/?next=%2F"


def test_member_may_not_reset_second_factors_in_the_admin(client, chief, cepa_member):
    device = _enrol(chief)
    client.force_login(cepa_member)

    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
