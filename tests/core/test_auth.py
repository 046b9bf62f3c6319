import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"


@pytest.mark.django_db
def test_login_page_renders_a_labelled_form(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert '<main id="main"' in html


@pytest.mark.django_db
def test_login_with_good_credentials_reaches_home(client, cepa_member):
    response = client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_login_with_bad_password_shows_a_form_error_and_keeps_username(client, cepa_member):
    response = client.post(LOGIN, {"username": "amina", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in html
    assert 'value="amina"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_on_that_address(client, cepa_member, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": "amina", "password": "wrong"}).status_code == 200

    locked = client.post(LOGIN, {"username": "amina", "password": "wrong"})
    after = client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD})

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert after.status_code == 429
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_account_so_other_people_can_still_sign_in(client, cepa_member, chief):
    for _attempt in range(5):
        client.post(LOGIN, {"username": "amina", "password": "wrong"})

    response = client.post(LOGIN, {"username": "chief", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_lockout_expires_after_the_cool_off(client, cepa_member, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    for _attempt in range(5):
        client.post(LOGIN, {"username": "amina", "password": "wrong"})
    assert client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD}).status_code == (
        429
    )

    time_machine.move_to("2026-11-25 10:16:00+00:00", tick=False)
    response = client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_successful_login_resets_failure_count(client, cepa_member):
    for _attempt in range(3):
        client.post(LOGIN, {"username": "amina", "password": "wrong"})

    client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD})

    assert AccessAttempt.objects.filter(username="amina").count() == 0


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, cepa_member):
    client.force_login(cepa_member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_link_on_the_site_url(client, cepa_member, settings):
    settings.SITE_URL = "https://cepa-collab.example.org"

    response = client.post("/accounts/password_reset/", {"email": "amina@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "https://cepa-collab.example.org/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing_and_does_not_leak(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_link_sets_a_new_password(client, cepa_member):
    client.post("/accounts/password_reset/", {"email": "amina@example.org"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form_page = client.get("/" + path, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"},
    )

    assert done.status_code == 302
    cepa_member.refresh_from_db()
    assert cepa_member.check_password("a new long passphrase 42")


# --- password reset rate limit -----------------------------------------------------------------

RESET = "/accounts/password_reset/"


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _reset(client, email: str, address: str = "127.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_password_reset_is_limited_per_e_mail_address(client, cepa_member, settings):
    # given the limit per e-mail address
    settings.PASSWORD_RESET_PER_EMAIL = 3

    # when one address asks again and again, from several client addresses
    answers = [_reset(client, "amina@example.org", f"192.0.2.{n}").status_code for n in range(1, 6)]

    # then only the first requests are mailed, the others refused with a wait
    assert answers == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_password_reset_is_limited_per_client_address(client, cepa_member, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 4

    answers = [_reset(client, f"person{n}@example.org").status_code for n in range(5)]
    refused = _reset(client, "amina@example.org")

    assert answers == [302, 302, 302, 302, 429]
    assert refused.status_code == 429
    assert "Too many requests to reset a password" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_limit_answers_alike_for_known_and_unknown_addresses(
    client, cepa_member, settings
):
    # given the same limit for an address with an account and one without
    settings.PASSWORD_RESET_PER_EMAIL = 2

    known = [_reset(client, "amina@example.org", f"192.0.2.{n}") for n in range(1, 4)]
    unknown = [_reset(client, "nobody@example.org", f"198.51.100.{n}") for n in range(1, 4)]

    # then the answers cannot tell them apart
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302, 302, 429]
    assert [r.get("Location") for r in known] == [r.get("Location") for r in unknown]
    assert _without_csrf(known[-1]) == _without_csrf(unknown[-1])
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_password_reset_limit_ends_with_its_window(client, cepa_member, settings, time_machine):
    settings.PASSWORD_RESET_PER_EMAIL = 1
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    assert _reset(client, "amina@example.org").status_code == 302
    assert _reset(client, "amina@example.org").status_code == 429

    time_machine.move_to("2026-11-25 11:00:01+00:00", tick=False)

    assert _reset(client, "amina@example.org").status_code == 302
    assert len(mail.outbox) == 2
