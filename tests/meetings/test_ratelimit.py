"""Fixed-window rate limits, alone and on the feed endpoints (per token, per address)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from cepa_collab.enums import Role
from meetings import ratelimit, services
from tests.factories import person

# 15 seconds into a minute: the window ends in 45 seconds.
NOW = datetime.datetime(2026, 3, 2, 12, 0, 15, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fixed_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def hits(scope: str, key: str, limit: int, times: int) -> list[bool]:
    return [ratelimit.hit(scope, key, limit).allowed for _ in range(times)]


# --- the counter ------------------------------------------------------------------------------


def test_hit_allows_up_to_limit_then_refuses():
    verdicts = [ratelimit.hit("test", "key", 3) for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
    assert [v.retry_after for v in verdicts] == [0, 0, 0, 45, 45]


def test_hit_window_resets(_fixed_time):
    # given a key over its limit
    assert hits("test", "key", 2, 3) == [True, True, False]

    # when the window is not yet over, it stays refused; once the next one starts, allowed
    _fixed_time.shift(datetime.timedelta(seconds=44))
    assert ratelimit.hit("test", "key", 2).allowed is False
    _fixed_time.shift(datetime.timedelta(seconds=1))
    assert hits("test", "key", 2, 3) == [True, True, False]


def test_hit_retry_after_counts_down(_fixed_time):
    hits("test", "key", 1, 1)
    _fixed_time.shift(datetime.timedelta(seconds=30.5))

    assert ratelimit.hit("test", "key", 1).retry_after == 15


def test_hit_keys_and_scopes_independent():
    assert hits("test", "one", 1, 2) == [True, False]

    assert hits("test", "two", 1, 1) == [True]
    assert hits("other", "one", 1, 1) == [True]


def test_hit_key_never_stored_in_clear(locmem_cache):
    secret = "s3cr3t-feed-token-value"

    ratelimit.hit("feed-token", secret, 5)

    keys = list(locmem_cache._cache)  # local memory: the stored keys
    assert len(keys) == 1
    assert secret not in keys[0]


def test_hit_count_expired_between_add_and_incr(monkeypatch):
    # given a count that expires just after `add` found it
    ratelimit.hit("test", "key", 5)

    def expired(key, delta=1, version=None):
        raise ValueError("Key not found")

    monkeypatch.setattr(cache, "incr", expired)

    # then the hit starts a new count
    verdict = ratelimit.hit("test", "key", 5)
    assert (verdict.allowed, verdict.count) == (True, 1)


def test_limits_read_from_settings(settings):
    settings.FEED_RATE_LIMIT_PER_TOKEN = 1
    settings.FEED_RATE_LIMIT_PER_ADDRESS = 2

    assert [ratelimit.feed_token_hit("t").allowed for _ in range(2)] == [True, False]
    assert [ratelimit.feed_address_hit("a").allowed for _ in range(3)] == [True, True, False]


def test_limits_default():
    assert [ratelimit.feed_token_hit("t").allowed for _ in range(61)][-2:] == [True, False]


# --- on the feeds -----------------------------------------------------------------------------


@pytest.fixture
def raw_token(cepa_member):
    return services.reset_token(cepa_member)


@pytest.fixture
def other_member(db):
    return person(Role.CEPA_MEMBER, username="bruno", country="BRA")


def test_personal_feed_429_per_token(client, settings, raw_token, other_member, _fixed_time):
    # given a limit of 2 polls a minute per token
    settings.FEED_RATE_LIMIT_PER_TOKEN = 2
    url = reverse("meetings:personal_feed", args=[raw_token])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]

    # when the token polls a third time in the minute
    refused = client.get(url)

    # then it is refused with the time to wait; another user's token is not
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    other = services.reset_token(other_member)
    assert client.get(reverse("meetings:personal_feed", args=[other])).status_code == 200
    # and once the minute is over, the token works again
    _fixed_time.shift(datetime.timedelta(seconds=45))
    assert client.get(url).status_code == 200


def test_feed_429_per_address(client, settings, db, _fixed_time):
    # given a limit of 3 requests a minute per address
    settings.FEED_RATE_LIMIT_PER_ADDRESS = 3
    url = reverse("meetings:public_feed")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]

    # when the address asks again, for any feed, even with unknown tokens
    feed = client.get(reverse("meetings:personal_feed", args=["guess" * 9]))

    # then it is refused; another address is not
    assert (feed.status_code, feed["Retry-After"]) == (429, "45")
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
    _fixed_time.shift(datetime.timedelta(minutes=1))
    assert client.get(url).status_code == 200


def test_feed_429_costs_no_query(client, settings, raw_token, django_assert_num_queries):
    settings.FEED_RATE_LIMIT_PER_TOKEN = 0
    url = reverse("meetings:personal_feed", args=[raw_token])

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response.status_code == 429
