"""One poll of a source at a time: a short lock, renewed while the poll runs, so a dead worker's lapses in seconds.

`{prefix}source:{name}:lock` holds a token of the poll holding it and expires `LOCK_SECONDS` after its last renewal;
a thread renews it every `RENEW_SECONDS` while the poll runs (a fetch waiting out a Retry-After included) and the poll
deletes it when done, only if it still holds it. A poll whose worker was killed stops renewing: its lock lapses
within `LOCK_SECONDS`. The poll's task comes back too (its worker's lease, leases.py), marked redelivered, and a
redelivered poll waits for the lock instead of skipping: the holder is most likely its own dead first run.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from types import TracebackType

import redis

__all__ = ["LOCK_SECONDS", "RENEW_SECONDS", "SourceLock"]

LOCK_SECONDS = 15.0  # a poll's lock lapses this long after its last renewal (its worker died)
RENEW_SECONDS = 3.0
WAIT_STEP_SECONDS = 0.5

_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class SourceLock:
    """The lock of one source's poll: `acquire(wait)`, then use as a context manager (renewed, then released)."""

    def __init__(self, client: redis.Redis, key: str, *, seconds: float | None = None) -> None:
        self.client, self.key = client, key
        self.seconds = LOCK_SECONDS if seconds is None else seconds
        self.token = f"{time.time():.3f} {uuid.uuid4().hex}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, waiting up to `wait` seconds for a holder's to be released or to lapse."""
        deadline = time.monotonic() + wait
        while not self.client.set(self.key, self.token, nx=True, px=int(self.seconds * 1000)):
            if time.monotonic() >= deadline:
                return False
            time.sleep(WAIT_STEP_SECONDS)
        return True

    def __enter__(self) -> SourceLock:
        self._thread = threading.Thread(target=self._renew, name="jobmatch-source-lock", daemon=True)
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(min(RENEW_SECONDS, self.seconds / 3)):
            # Retried at the next step; if Redis stays away, the lock lapses as a dead poll's would.
            with contextlib.suppress(redis.RedisError):
                self.client.eval(_RENEW, 1, self.key, self.token, int(self.seconds * 1000))

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
        with contextlib.suppress(redis.ConnectionError, redis.TimeoutError):  # else it lapses after LOCK_SECONDS
            self.client.eval(_RELEASE, 1, self.key, self.token)
