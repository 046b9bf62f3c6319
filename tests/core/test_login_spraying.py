"""Password spraying: one address trying one password on every account is locked out
across accounts, while the per-account count still guards each account on its own."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from cepa_collab.enums import Role
from tests.factories import DEFAULT_PASSWORD, person

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def accounts(db, settings):
    """More people than the address may try passwords on (a small limit keeps it cheap)."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    return [person(Role.CEPA_MEMBER, username=f"member{n}") for n in range(10)]


def test_one_address_spraying_one_password_is_locked_out_across_accounts(client, accounts):
    # given one wrong password tried once on each account from one address
    answers = [
        client.post(LOGIN, {"username": f"member{n}", "password": "Summer2026!"}).status_code
        for n in range(8)
    ]

    # when that address then tries a ninth account, even with its right password
    locked = client.post(LOGIN, {"username": "member9", "password": DEFAULT_PASSWORD})

    # then the first tries were answered, and the address is now locked out
    assert answers == [200] * 7 + [429]
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts from this address" in locked.content.decode()
    assert "<h1>Signing in paused</h1>" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_spraying_the_token_endpoint_is_locked_out_across_accounts(client, accounts):
    answers = [
        client.post(TOKEN, {"username": f"member{n}", "password": "Summer2026!"}).status_code
        for n in range(9)
    ]

    assert answers == [400] * 7 + [429, 429]


def test_another_address_is_not_locked_out_by_a_sprayer(client, accounts):
    for n in range(8):
        client.post(LOGIN, {"username": f"member{n}", "password": "Summer2026!"})

    response = client.post(
        LOGIN, {"username": "member9", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="192.0.2.9"
    )

    assert response.status_code == 302


def test_a_sprayer_signing_in_to_their_own_account_keeps_the_address_count(client, accounts):
    # given a sprayer who also has an account of their own
    for n in range(1, 6):
        client.post(LOGIN, {"username": f"member{n}", "password": "Summer2026!"})

    # when they sign in to their own account (which resets that account's failures only)
    own = client.post(LOGIN, {"username": "member0", "password": DEFAULT_PASSWORD})
    client.post("/accounts/logout/")
    answers = [
        client.post(LOGIN, {"username": f"member{n}", "password": "Autumn2026!"}).status_code
        for n in range(6, 9)
    ]

    # then the failures on other accounts still count against the address
    assert own.status_code == 302
    assert answers == [200, 200, 429]


def test_failures_on_one_account_lock_that_account_before_the_address(client, accounts):
    for _attempt in range(5):
        client.post(LOGIN, {"username": "member0", "password": "wrong"})

    other = client.post(LOGIN, {"username": "member1", "password": DEFAULT_PASSWORD})
    client.post("/accounts/logout/")
    same = client.post(LOGIN, {"username": "member0", "password": DEFAULT_PASSWORD})

    assert other.status_code == 302
    assert same.status_code == 429
    assert "This account is locked on this address" in same.content.decode()
    assert "<h1>Account locked</h1>" in same.content.decode()
    assert AccessAttempt.objects.filter(username="member0").count() == 1
