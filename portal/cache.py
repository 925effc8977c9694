"""The Django cache on Redis, failing open: Redis is a cache here, never a store, so a
Redis that is down or hung reads as a miss and drops writes instead of failing the page.

Sessions (database), login throttling (django-axes' database handler) and report progress
(the GeneratedReport row) never use it; it is for what can be recomputed."""

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure the process leaves Redis alone for this long, so that a page calling
# the cache several times pays at most one timeout, not one per call.
RETRY_AFTER_SECONDS = 30


def _missing_key(key, *args, **kwargs):
    # incr() and decr() of a key that cannot be read: what they say of a missing key.
    raise ValueError(f"Key '{key}' not found")


def _fail_open(name, on_failure):
    """RedisCache's method `name`, answering `on_failure(*args, **kwargs)` (or that value)
    instead of raising when Redis cannot be reached or does not answer in time."""
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        import redis

        if time.monotonic() >= FailOpenRedisCache.down_until:
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                FailOpenRedisCache.down_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning(
                    "cache %s failed (%s); Redis left alone for %ss",
                    name,
                    error,
                    RETRY_AFTER_SECONDS,
                )
        return on_failure(*args, **kwargs) if callable(on_failure) else on_failure

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache whose calls give up quietly when Redis cannot answer: reads
    miss, writes are dropped, and the failure is logged once per pause."""

    down_until = 0.0  # per process: the monotonic time before which Redis is not tried

    get = _fail_open("get", lambda key, default=None, version=None: default)
    get_many = _fail_open("get_many", {})
    has_key = _fail_open("has_key", False)
    add = _fail_open("add", False)
    set = _fail_open("set", None)
    set_many = _fail_open("set_many", lambda data, *args, **kwargs: list(data))
    touch = _fail_open("touch", False)
    delete = _fail_open("delete", False)
    delete_many = _fail_open("delete_many", None)
    incr = _fail_open("incr", _missing_key)
    clear = _fail_open("clear", False)
