"""The calendar feeds' rate limits, per token and per address (the fixed-window counter is
the kernel's, cepa_collab.ratelimit)."""

from __future__ import annotations

from django.conf import settings

from cepa_collab.ratelimit import DEFAULT_WINDOW_SECONDS, Verdict, hit

__all__ = ["Verdict", "feed_address_hit", "feed_token_hit", "hit", "window_seconds"]

DEFAULT_PER_TOKEN = 60
DEFAULT_PER_ADDRESS = 300


def window_seconds() -> int:
    return int(getattr(settings, "FEED_RATE_LIMIT_WINDOW", DEFAULT_WINDOW_SECONDS))


def feed_token_hit(raw_token: str) -> Verdict:
    """A hit on a private feed, counted per token (whether or not the token exists)."""
    limit = int(getattr(settings, "FEED_RATE_LIMIT_PER_TOKEN", DEFAULT_PER_TOKEN))
    return hit("feed-token", raw_token, limit, window_seconds())


def feed_address_hit(address: str) -> Verdict:
    """A hit on any feed, counted per client address."""
    limit = int(getattr(settings, "FEED_RATE_LIMIT_PER_ADDRESS", DEFAULT_PER_ADDRESS))
    return hit("feed-address", address, limit, window_seconds())
