"""The client's address behind reverse proxies (TRUSTED_PROXY_COUNT): what the login
lock-out and the feeds' rate limits count by."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from cepa_collab.net import client_address
from tests.factories import DEFAULT_PASSWORD

LOGIN = "/accounts/login/"


def _request(remote: str = "10.0.0.2", forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        # Served directly: the peer, whatever the client writes into X-Forwarded-For.
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        (0, "", None, None),
        # One proxy: the address it received from (the last entry it appended).
        (1, "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        # ... and a client's forged entries to the left are ignored.
        (1, "10.0.0.2", "1.1.1.1, 203.0.113.9", "203.0.113.9"),
        # Two proxies (a CDN, then nginx): the address the outer one saw.
        (2, "10.0.0.2", "1.1.1.1, 203.0.113.9, 172.16.0.5", "203.0.113.9"),
        (1, "10.0.0.2", " 2001:db8::1 ", "2001:db8::1"),
        # A request that did not come through the proxies: its peer.
        (2, "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        (1, "203.0.113.9", None, "203.0.113.9"),
        # Garbage where an address should be: the peer.
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_client_address(settings, hops, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops

    assert client_address(_request(remote, forwarded)) == expected


@pytest.mark.django_db
def test_behind_a_proxy_two_clients_have_their_own_feed_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FEED_RATE_LIMIT_PER_ADDRESS = 2
    url = reverse("meetings:public_feed")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, 5, tzinfo=datetime.UTC)):
        first = [
            client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code
            for _ in range(3)
        ]
        second = client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code
        forged = client.get(
            url, HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.9", **proxy
        ).status_code

    assert first == [200, 200, 429]
    assert second == 200
    # Writing another address to the left does not escape the limit.
    assert forged == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_lockout_is_per_client_not_per_proxy(client, settings, cepa_member):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    owner = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "amina", "password": "wrong"}, **attacker)

    locked = client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD}, **attacker)
    signed_in = client.post(LOGIN, {"username": "amina", "password": DEFAULT_PASSWORD}, **owner)

    assert locked.status_code == 429
    assert signed_in.status_code == 302
