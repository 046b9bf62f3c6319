"""Django's Redis cache, behaving as an empty cache while Redis is unreachable.

Everything this app caches can be computed again from the database (the dashboard's
overview, rendered calendar events and feeds, a feed's length, rate-limit counts): with
Redis down or frozen, a read is a miss, a write stores nothing, and the page is built
from the database instead of answering 500. A counter (`incr`) finds no key, as after an
eviction, so the feeds' rate limit lets requests through rather than refusing everyone.
The settings give the client short connect and socket timeouts (REDIS_TIMEOUT), and after
a failure the cache is not asked again for `PAUSE` seconds, so a frozen Redis costs a page
at most one timeout. The first failure of an outage is logged once, and the return of
Redis once.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, calls skip Redis this long (seconds): a frozen Redis costs one timeout
# per pause, not one per cached item of a page.
PAUSE = 5.0


def _forgiving(method_name: str, on_failure):
    method = getattr(RedisCache, method_name)

    @wraps(method)
    def call(self, *args, **kwargs):
        state = ForgivingRedisCache
        if state.unreachable and time.monotonic() - state.last_failure < PAUSE:
            return on_failure(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            state.last_failure = time.monotonic()
            if not state.unreachable:  # one line per outage and process
                state.unreachable = True
                logger.warning("cache: Redis unreachable (%s); pages use the database", exc)
            return on_failure(*args, **kwargs)
        if state.unreachable:
            state.unreachable = False
            logger.warning("cache: Redis reachable again")
        return result

    return call


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found.")


class ForgivingRedisCache(RedisCache):
    # Shared by the thread-local instances of one process.
    unreachable = False
    last_failure = 0.0  # time.monotonic() of the last failed call

    get = _forgiving("get", lambda key, default=None, version=None: default)
    get_many = _forgiving("get_many", lambda *args, **kwargs: {})
    has_key = _forgiving("has_key", lambda *args, **kwargs: False)
    set = _forgiving("set", lambda *args, **kwargs: None)
    set_many = _forgiving("set_many", lambda *args, **kwargs: [])
    # As if stored and at once evicted: the caller goes on as after a first write.
    add = _forgiving("add", lambda *args, **kwargs: True)
    touch = _forgiving("touch", lambda *args, **kwargs: False)
    incr = _forgiving("incr", _missing_key)
    decr = _forgiving("decr", _missing_key)
    delete = _forgiving("delete", lambda *args, **kwargs: False)
    delete_many = _forgiving("delete_many", lambda *args, **kwargs: None)
    clear = _forgiving("clear", lambda *args, **kwargs: False)
