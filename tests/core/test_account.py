"""The person's own account page (`/accounts/`), checked from the outside: name, e-mail, time
zone and language through `cepa_collab.services.update_account`; the notification grid a
section notifications adds; the reviewer profile a section workflows adds, for CEPA members
only (tests/workflows/test_reviewer_profile.py checks its forms)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from cepa_collab import services
from cepa_collab.enums import Role
from notifications import services as notifications
from notifications.enums import DEFAULT_DELIVERY, Delivery
from notifications.kinds import NOTIFICATION_KINDS
from notifications.models import Deadline, NotificationPreference
from tests.factories import (
    AwayPeriodFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    person,
)

ACCOUNT = "/accounts/"
PREFERENCES = "/notifications/preferences/"
NOW = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def amina(db):
    return person(
        Role.CEPA_MEMBER,
        username="amina",
        country="GHA",
        time_zone="Africa/Accra",
        first_name="Amina",
        last_name="Mensah",
        email="amina@example.org",
    )


@pytest.fixture
def ben(db):
    return person(
        Role.BRANCH_STAFF,
        username="ben",
        branch_code="e-govb",
        first_name="Ben",
        last_name="Okafor",
        email="ben@example.org",
    )


def _details(**changes) -> dict:
    return {
        "first_name": "Amina",
        "last_name": "Mensah-Owusu",
        "email": "amina.mo@example.org",
        "time_zone": "Europe/Paris",
        "language": "fr",
        **changes,
    }


def _stored(user) -> tuple:
    user = get_user_model().objects.select_related("profile").get(pk=user.pk)
    return (
        user.first_name,
        user.last_name,
        user.email,
        user.profile.time_zone,
        user.profile.language,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _section_ids(text: str) -> list[str]:
    return re.findall(r'<section class="card" id="([^"]+)"', text)


# --- the page ----------------------------------------------------------------------------------


def test_account_page_anonymous_is_sent_to_sign_in(client, amina):
    response = client.get(ACCOUNT)
    posted = client.post(ACCOUNT, _details())

    assert (response.status_code, posted.status_code) == (302, 302)
    assert response["Location"] == f"/accounts/login/?next={ACCOUNT}"
    assert _stored(amina) == ("Amina", "Mensah", "amina@example.org", "Africa/Accra", "en")


def test_account_page_shows_the_person_own_details_and_sections(client, amina):
    client.force_login(amina)

    response = client.get(ACCOUNT)
    text = response.content.decode()

    assert response.status_code == 200
    assert _section_ids(text) == ["details", "reviewer-profile", "notifications"]
    assert 'value="amina@example.org"' in text
    assert '<option value="Africa/Accra" selected>Africa/Accra</option>' in text
    assert '<optgroup label="Europe">' in text


def test_account_page_non_cepa_member_has_no_reviewer_section(client, ben):
    client.force_login(ben)

    text = client.get(ACCOUNT).content.decode()

    assert _section_ids(text) == ["details", "notifications"]
    assert "/accounts/reviewer-profile/" not in text


def test_account_page_edits_only_the_signed_in_person(client, amina, ben):
    # given ben signed in
    client.force_login(ben)

    # when he posts (there is no person in the address to point at amina)
    response = client.post(ACCOUNT, _details(first_name="Benjamin", email="benj@example.org"))

    # then only ben changed
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    assert _stored(ben) == ("Benjamin", "Mensah-Owusu", "benj@example.org", "Europe/Paris", "fr")
    assert _stored(amina) == ("Amina", "Mensah", "amina@example.org", "Africa/Accra", "en")


def test_account_saves_name_email_zone_and_language(client, amina):
    client.force_login(amina)

    response = client.post(ACCOUNT, _details())

    assert response.status_code == 302
    with translation.override("fr"):  # said in the language just chosen
        assert _messages(response) == [gettext("Your account is saved.")]
    assert _stored(amina) == ("Amina", "Mensah-Owusu", "amina.mo@example.org", "Europe/Paris", "fr")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "amina@"}, "email", "Enter an e-mail address like name@example.org."),
        ({"email": ""}, "email", "Enter your e-mail address: notifications are sent there."),
        (
            {"email": "BEN@example.org"},
            "email",
            "Another account has this e-mail address: enter an address of your own.",
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Choose a time zone from the list."),
        ({"language": "de"}, "language", "Choose one of the languages offered."),
        (
            {"first_name": " ", "last_name": ""},
            "first_name",
            "Enter your name, so that others know who you are.",
        ),
    ],
)
def test_account_bad_input_is_a_form_error_and_nothing_is_written(
    client, amina, ben, changes, field, message
):
    client.force_login(amina)

    response = client.post(ACCOUNT, _details(**changes))
    text = response.content.decode()

    assert response.status_code == 400
    assert f'<li><a href="#id_{field}">{message}</a></li>' in text
    assert _stored(amina) == ("Amina", "Mensah", "amina@example.org", "Africa/Accra", "en")


def test_update_account_refuses_a_taken_address_writing_nothing(amina, ben):
    with pytest.raises(ValidationError) as caught:
        services.update_account(amina, **_details(email="Ben@Example.org", time_zone="Asia/Tokyo"))

    assert caught.value.message_dict == {
        "email": ["Another account has this e-mail address: enter an address of your own."]
    }
    assert _stored(amina) == ("Amina", "Mensah", "amina@example.org", "Africa/Accra", "en")


def test_update_account_keeping_the_address_in_another_case_is_fine(amina):
    services.update_account(amina, **_details(email="Amina@Example.org"))

    assert _stored(amina)[2] == "Amina@example.org"  # Django lower-cases the domain


def test_changing_the_zone_moves_the_person_deadlines(amina):
    # given an open review deadline of amina's, due at 09:00 in Accra (UTC)
    ReviewAssignmentFactory(reviewer=amina)
    (before,) = Deadline.objects.filter(user=amina, done_at__isnull=True).values_list(
        "due_at", flat=True
    )

    # when she moves to Paris
    services.update_account(amina, **_details(time_zone="Europe/Paris"))

    # then the deadline falls due at 09:00 in Paris: an hour earlier in UTC
    (after,) = Deadline.objects.filter(user=amina, done_at__isnull=True).values_list(
        "due_at", flat=True
    )
    assert before - after == datetime.timedelta(hours=1)


def test_keeping_the_zone_does_not_run_its_followers(amina, monkeypatch):
    called = []
    monkeypatch.setattr(services, "TIME_ZONE_FOLLOWERS", [called.append])

    services.update_account(amina, **_details(time_zone="Africa/Accra"))

    assert called == []


def test_account_page_query_count_is_constant(client, amina, django_assert_num_queries):
    ReviewerProfileFactory(user=amina, regions=["africa"])
    client.force_login(amina)
    client.get(ACCOUNT)  # warm caches (zone list)
    for size in (1, 5):
        AwayPeriodFactory.create_batch(size, reviewer=amina)
        # session, user, roles, profile, unread count, preferences, reviewer profile,
        # its regions, away periods, regions to choose from
        with django_assert_num_queries(10):
            assert client.get(ACCOUNT).status_code == 200


# --- the notification grid -------------------------------------------------------------------


def _grid(delivery: str, **changes: str) -> dict[str, str]:
    return {**dict.fromkeys(NOTIFICATION_KINDS.values(), delivery), **changes}


def test_grid_on_the_account_page_has_a_row_per_kind_and_a_column_per_way(client, amina):
    notifications.set_preferences(amina, {"reminder": Delivery.DIGEST})
    client.force_login(amina)

    text = client.get(ACCOUNT).content.decode()

    kinds = NOTIFICATION_KINDS.values()
    radios = re.findall(r'<input type="radio" name="([a-z_]+)" value="([a-z]+)"', text)
    assert radios == [(kind, way) for kind in kinds for way in Delivery.values]
    checked = re.findall(r'name="([a-z_]+)" value="([a-z]+)"[^>]*checked', text)
    assert dict(checked) == {**dict.fromkeys(kinds, DEFAULT_DELIVERY), "reminder": "digest"}
    assert '<input type="hidden" name="next" value="/accounts/#notifications">' in text


@pytest.mark.parametrize("way", Delivery.values)
@pytest.mark.parametrize("kind", NOTIFICATION_KINDS.values())
def test_grid_saves_each_kind_and_way(client, amina, ben, kind, way):
    other = next(w for w in Delivery.values if w != way)
    client.force_login(amina)

    response = client.post(
        PREFERENCES, {**_grid(other, **{kind: way}), "next": "/accounts/#notifications"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/#notifications"
    assert notifications.preferences_of(amina) == _grid(other, **{kind: way})
    assert notifications.preferences_of(ben) == _grid(DEFAULT_DELIVERY)


def test_grid_refuses_a_missing_kind_saving_nothing(client, amina):
    client.force_login(amina)
    choices = _grid("none")
    del choices["reminder"]

    response = client.post(PREFERENCES, {**choices, "next": "/accounts/#notifications"})

    assert response.status_code == 400
    assert (
        '<li><a href="#id_reminder_0">Choose how “Deadline reminders” reach you.</a></li>'
    ) in response.content.decode()
    assert NotificationPreference.objects.count() == 0


def test_grid_next_elsewhere_is_not_followed(client, amina):
    client.force_login(amina)

    response = client.post(PREFERENCES, {**_grid("none"), "next": "https://evil.example/"})

    assert response["Location"] == PREFERENCES


def test_navigation_leads_everyone_signed_in_to_their_account(client, amina, ben):
    for who in (amina, ben):
        client.force_login(who)
        text = client.get(ACCOUNT).content.decode()

        assert '<a href="/accounts/" aria-current="page">Your account</a>' in text
        assert '<a href="/accounts/security/">Sign-in and security</a>' in text


def test_choosing_a_language_switches_the_pages_to_it(client, amina):
    client.force_login(amina)

    response = client.post(ACCOUNT, _details(language="fr"))

    assert response.cookies["django_language"].value == "fr"
    assert client.get(ACCOUNT).content.decode().startswith('<!DOCTYPE html>\n<html lang="fr"')
