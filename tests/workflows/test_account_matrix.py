"""The authorization matrix of the account pages, from the outside: each person of the fixed
cast × the account page, the reviewer profile, adding an away period and removing one (their
own, and the assigned reviewer's). Anonymous visitors are sent to sign in; what a person may
not do answers 403, another person's away period 404 — and nothing changes. The account page
offers the reviewer profile exactly when its service accepts the person (the rule book)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client

from tests.factories import AwayPeriodFactory
from workflows import reviewer_profiles
from workflows.models import AwayPeriod, ReviewerProfile

# who → is a CEPA member (keeps a reviewer profile)
CAST = {
    "owner": False,
    "chief": False,
    "other_branch_staff": False,
    "assigned_reviewer": True,
    "unassigned_reviewer": True,
    "focal_point_elsewhere": False,
    "secretariat_admin": False,
    "anonymous": False,
}
START = datetime.date(2030, 1, 10)


def _client(user) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _accepted(user) -> bool:
    """Whether the service accepts `user`'s reviewer profile (rolled back)."""
    try:
        with transaction.atomic():
            reviewer_profiles.update_reviewer_profile(
                user, themes="open data", regions=[], max_assignments=2, conflicts=""
            )
            transaction.set_rollback(True)
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("who", CAST)
def test_account_pages_answer_each_person(cast, who):
    user = cast[who]
    member = CAST[who]
    reviewers_period = AwayPeriodFactory(
        reviewer=cast.assigned_reviewer, start=START, end=START + datetime.timedelta(days=3)
    )
    client = _client(user)
    profile = {"themes": "x", "max_assignments": "2", "conflicts": ""}
    away = {"away-start": "2030-02-01", "away-end": "2030-02-03"}

    statuses = {
        "account": client.get("/accounts/").status_code,
        "profile": client.post("/accounts/reviewer-profile/", profile).status_code,
        "away_add": client.post("/accounts/away/", away).status_code,
        "away_remove_other": client.post(
            f"/accounts/away/{reviewers_period.pk}/remove/"
        ).status_code,
    }

    if not user.is_authenticated:
        assert statuses == dict.fromkeys(statuses, 302)
    elif member:
        own = who == "assigned_reviewer"
        assert statuses == {
            "account": 200,
            "profile": 302,
            "away_add": 302,
            # the assigned reviewer removes her own period; anyone else's answers 404
            "away_remove_other": 302 if own else 404,
        }
    else:
        assert statuses == {
            "account": 200,
            "profile": 403,
            "away_add": 403,
            "away_remove_other": 403,
        }
    # a refusal changed nothing: only members have profiles and periods of their own
    owners = set(ReviewerProfile.objects.values_list("user__username", flat=True))
    assert owners == ({user.username} if member else set())
    periods = set(AwayPeriod.objects.values_list("reviewer__username", flat=True))
    expected = {cast.assigned_reviewer.username}
    if member and who != "assigned_reviewer":
        expected.add(user.username)
    if who == "assigned_reviewer":
        # hers added, then the older one removed: one left
        assert AwayPeriod.objects.filter(reviewer=user).count() == 1
    assert periods == expected


@pytest.mark.parametrize("who", [who for who in CAST if who != "anonymous"])
def test_account_page_offers_the_reviewer_profile_exactly_when_the_service_accepts(cast, who):
    user = cast[who]

    text = _client(user).get("/accounts/").content.decode()

    offered = 'action="/accounts/reviewer-profile/"' in text
    assert offered == _accepted(user) == CAST[who]
