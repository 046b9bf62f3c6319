"""Fixed-window rate limits kept in Django's cache (local memory or Redis alike): the calendar
feeds' (meetings.ratelimit) and the password reset's (below).

A window is a fixed slice of time (a minute by default); each key counts its hits in the
current slice with `cache.add` (first hit) and `cache.incr` (atomic in Redis and in local
memory), so concurrent workers share one count. The count of a slice expires with it.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULT_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def hit(scope: str, key: str, limit: int, window: int = DEFAULT_WINDOW_SECONDS) -> Verdict:
    """Count one hit of `key` in `scope` and say whether it is within `limit` per window.

    The key is hashed, so secrets (feed tokens) and addresses never appear in the cache."""
    now = time.time()
    start = int(now // window) * window
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:v1:{scope}:{digest}:{start}"
    # The count outlives its window a little, so that a late `incr` still finds it.
    timeout = window + 5
    if cache.add(cache_key, 1, timeout):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout)
            count = 1
    if count <= limit:
        return Verdict(True, count, limit, 0)
    return Verdict(False, count, limit, max(1, math.ceil(start + window - now)))


HOUR = 3600


def password_reset_hit(address: str, email: str) -> Verdict:
    """A request to reset a password, counted per client address and per e-mail address
    (whether or not an account has it, so the answer never tells which addresses exist).
    The address is counted first: a refused address does not count the e-mail."""
    by_address = hit("password-reset-address", address, settings.PASSWORD_RESET_PER_ADDRESS, HOUR)
    if not by_address.allowed:
        return by_address
    email = email.strip().lower()
    return hit("password-reset-email", email, settings.PASSWORD_RESET_PER_EMAIL, HOUR)
