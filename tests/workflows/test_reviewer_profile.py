"""A CEPA member's reviewer profile and away periods, a section of their account page: the
operations of `workflows.reviewer_profiles` and their pages, checked from the outside (the
member, another member, branch staff, anonymous)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from cepa_collab.enums import Role
from cepa_collab.models import Region
from tests.factories import AwayPeriodFactory, ReviewerProfileFactory, person
from workflows import reviewer_profiles
from workflows.models import AwayPeriod, ReviewerProfile

PROFILE = "/accounts/reviewer-profile/"
AWAY = "/accounts/away/"
TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def amina(db):
    return person(Role.CEPA_MEMBER, username="amina", country="GHA", time_zone="Africa/Accra")


@pytest.fixture
def lars(db):
    return person(Role.CEPA_MEMBER, username="lars", country="SWE")


@pytest.fixture
def staff(db):
    return person(Role.BRANCH_STAFF, username="staff", branch_code="e-govb")


def _regions(*codes: str) -> list[int]:
    return list(Region.objects.filter(code__in=codes).order_by("pk").values_list("pk", flat=True))


def _profile_post(**changes) -> dict:
    return {
        "themes": " open data,  e-participation ,",
        "regions": _regions("africa", "europe"),
        "max_assignments": "2",
        "conflicts": "I advise the Ministry of Communications of Ghana.",
        **changes,
    }


def _stored_profile(user) -> tuple | None:
    profile = ReviewerProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    regions = sorted(profile.regions.values_list("code", flat=True))
    return (profile.themes, regions, profile.max_assignments, profile.conflicts)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the profile ------------------------------------------------------------------------------


def test_member_saves_their_reviewer_profile(client, amina):
    assert _regions("africa", "europe")  # the reference data has these regions
    client.force_login(amina)

    response = client.post(PROFILE, _profile_post())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/#reviewer-profile"
    assert _messages(response) == ["Your reviewer profile is saved."]
    assert _stored_profile(amina) == (
        "open data, e-participation",
        ["africa", "europe"],
        2,
        "I advise the Ministry of Communications of Ghana.",
    )


def test_saved_profile_shows_on_the_account_page(client, amina):
    ReviewerProfileFactory(user=amina, themes="open data", conflicts="Ghana's ministry")
    client.force_login(amina)

    text = client.get("/accounts/").content.decode()

    assert 'name="themes" value="open data"' in text
    assert "Ghana&#x27;s ministry</textarea>" in text


@pytest.mark.parametrize("who", ["staff", "anonymous"])
def test_profile_refused_to_non_members(client, request, amina, who):
    ReviewerProfileFactory(user=amina, themes="open data")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.post(PROFILE, _profile_post())

    expected = 403 if who != "anonymous" else 302
    assert response.status_code == expected
    assert ReviewerProfile.objects.count() == 1
    assert _stored_profile(amina) == ("open data", [], 3, "")


def test_service_refuses_a_non_member(staff):
    with pytest.raises(PermissionDenied):
        reviewer_profiles.update_reviewer_profile(
            staff, themes="x", regions=[], max_assignments=2, conflicts=""
        )

    assert ReviewerProfile.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_assignments": "0"}, "Enter a number from 1 to 20."),
        ({"max_assignments": "50"}, "Enter a number from 1 to 20."),
        ({"max_assignments": "two"}, "Enter a whole number, like 3."),
        ({"regions": ["999999"]}, "Choose regions from the list."),
    ],
)
def test_bad_profile_is_a_form_error_and_nothing_is_written(client, amina, changes, message):
    ReviewerProfileFactory(user=amina, themes="open data")
    client.force_login(amina)

    response = client.post(PROFILE, _profile_post(**changes))

    assert response.status_code == 400
    assert f">{message}</a></li>" in response.content.decode()
    assert _stored_profile(amina) == ("open data", [], 3, "")


def test_service_refuses_a_bad_limit_writing_nothing(amina):
    with pytest.raises(ValidationError) as caught:
        reviewer_profiles.update_reviewer_profile(
            amina, themes="x", regions=[], max_assignments=0, conflicts=""
        )

    assert caught.value.message_dict == {"max_assignments": ["Enter a number from 1 to 20."]}
    assert ReviewerProfile.objects.count() == 0


# --- away periods -----------------------------------------------------------------------------


def test_member_adds_an_away_period(client, amina):
    client.force_login(amina)

    response = client.post(
        AWAY, {"away-start": "2026-12-20", "away-end": "2027-01-05", "away-note": "Leave"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/#reviewer-profile"
    assert list(AwayPeriod.objects.values_list("reviewer__username", "start", "end", "note")) == [
        ("amina", datetime.date(2026, 12, 20), datetime.date(2027, 1, 5), "Leave")
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-20", "2026-12-10", "The last day away is before the first."),
        ("2026-11-01", "2026-11-10", "This period has already ended."),
        ("", "2026-12-10", "Enter the first day you are away."),
        ("2026-12-20", "soon", "Enter a date like 2026-12-24."),
    ],
)
def test_bad_away_period_is_a_form_error_and_nothing_is_written(client, amina, start, end, message):
    client.force_login(amina)

    response = client.post(AWAY, {"away-start": start, "away-end": end})

    assert response.status_code == 400
    assert f">{message}</a></li>" in response.content.decode()
    assert AwayPeriod.objects.count() == 0


def test_away_period_refused_to_branch_staff(client, staff):
    client.force_login(staff)

    response = client.post(AWAY, {"away-start": "2026-12-20", "away-end": "2026-12-24"})

    assert response.status_code == 403
    assert AwayPeriod.objects.count() == 0


def test_account_page_lists_only_away_periods_not_ended(client, amina):
    AwayPeriodFactory(reviewer=amina, start=TODAY - datetime.timedelta(days=20), end=TODAY)
    AwayPeriodFactory(
        reviewer=amina,
        start=TODAY - datetime.timedelta(days=30),
        end=TODAY - datetime.timedelta(days=1),
    )
    client.force_login(amina)

    text = client.get("/accounts/").content.decode()

    assert text.count("/accounts/away/") == 1 + 1  # the add form, and one period's remove link


def test_removing_an_away_period_asks_first_then_removes(client, amina):
    period = AwayPeriodFactory(reviewer=amina, start=TODAY, end=TODAY + datetime.timedelta(days=5))
    client.force_login(amina)
    url = f"/accounts/away/{period.pk}/remove/"

    asked = client.get(url)
    assert asked.status_code == 200
    assert (
        'class="button button--warning">Remove the away period</button>' in asked.content.decode()
    )
    assert AwayPeriod.objects.filter(pk=period.pk).exists()

    removed = client.post(url)
    assert removed.status_code == 302
    assert _messages(removed) == ["The away period is removed."]
    assert not AwayPeriod.objects.filter(pk=period.pk).exists()


@pytest.mark.parametrize("who", ["lars", "staff"])
def test_another_person_cannot_remove_an_away_period(client, request, amina, who):
    period = AwayPeriodFactory(reviewer=amina, start=TODAY, end=TODAY + datetime.timedelta(days=5))
    client.force_login(request.getfixturevalue(who))
    url = f"/accounts/away/{period.pk}/remove/"

    responses = (client.get(url).status_code, client.post(url).status_code)

    assert responses == ((404, 404) if who == "lars" else (403, 403))
    assert AwayPeriod.objects.filter(pk=period.pk).exists()


def test_anonymous_cannot_remove_an_away_period(client, amina):
    period = AwayPeriodFactory(reviewer=amina, start=TODAY, end=TODAY + datetime.timedelta(days=5))

    response = client.post(f"/accounts/away/{period.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert AwayPeriod.objects.filter(pk=period.pk).exists()
