"""Connecting to Redis: one client factory (timeouts, retries on a blip) and URLs with their password masked."""

from __future__ import annotations

import re

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from ..errors import RedisUnavailable
from ..settings import Settings

__all__ = ["REDIS_ERRORS", "connect", "mask_url", "unavailable"]

# What "Redis is not there right now" looks like to redis-py.
REDIS_ERRORS: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)

_PASSWORD = re.compile(r"^(?P<scheme>[a-z]+://)(?P<user>[^:@/]*):(?P<password>[^@/]*)@")
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)[^&#]*", re.IGNORECASE)  # redis-py takes `?password=` too


def mask_url(url: str) -> str:
    """`url` with its password replaced by `***` (`redis://user:***@host:6379/0`, `...?password=***`), for
    messages and logs."""
    masked = _PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['key']}***", masked)


def connect(settings: Settings, *, retries: int = 3) -> redis.Redis:
    """A redis-py client for `settings.redis_url` (bytes in and out) that rides out a short blip.

    Connection and timeout errors are retried `retries` times with jittered exponential backoff (capped
    at 2 s), so a Redis restart of a second or two is invisible; longer outages raise to the caller.
    """
    return redis.Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=5.0,
        socket_timeout=30.0,
        socket_keepalive=True,
        health_check_interval=10,
        retry=Retry(ExponentialWithJitterBackoff(cap=2.0, base=0.1), retries),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        client_name="jobmatch",
    )


def unavailable(settings: Settings, exc: BaseException) -> RedisUnavailable:
    """The error to raise when Redis at `settings.redis_url` cannot be reached (the password masked)."""
    detail = str(exc).replace(settings.redis_url, mask_url(settings.redis_url)) or type(exc).__name__
    return RedisUnavailable(
        f"cannot reach Redis at {mask_url(settings.redis_url)}: {detail} "
        "(is redis-server running? set JOBMATCH_REDIS_URL or redis_url in the config file)"
    )
