"""Worker heartbeats in Redis: who is alive, with which model version (for `status` and `batch --via-queue`)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import cast

import redis

from .store.keys import Keys

__all__ = ["ALIVE_SECONDS", "BEAT_SECONDS", "WorkerInfo", "all_workers", "forget", "live_workers", "write_beat"]

BEAT_SECONDS = 5.0  # how often a worker writes its heartbeat
ALIVE_SECONDS = 20.0  # a worker not heard from for this long counts as gone
_FORGET_SECONDS = 86400.0  # heartbeats older than this are removed by whoever reads them


@dataclass(frozen=True)
class WorkerInfo:
    """One worker's last heartbeat."""

    hostname: str
    pid: int
    model_version: str
    concurrency: int
    started_at: float
    seen_at: float
    instance: str = ""  # the worker instance (leases.py): host, pid, start time

    def alive(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) - self.seen_at <= ALIVE_SECONDS


def write_beat(client: redis.Redis, keys: Keys, info: WorkerInfo) -> None:
    """Record that the worker is alive now."""
    client.hset(keys.workers, info.hostname, json.dumps(asdict(info)))


def forget(client: redis.Redis, keys: Keys, hostname: str) -> None:
    """Remove a worker's heartbeat (on a clean shutdown)."""
    client.hdel(keys.workers, hostname)


def all_workers(client: redis.Redis, keys: Keys) -> list[WorkerInfo]:
    """Every heartbeat on record, newest first; day-old ones are dropped on the way."""
    raw = cast(dict[bytes, bytes], client.hgetall(keys.workers))
    now = time.time()
    workers: list[WorkerInfo] = []
    for hostname, data in raw.items():
        try:
            info = WorkerInfo(**json.loads(data))
        except (ValueError, TypeError):
            client.hdel(keys.workers, hostname)
            continue
        if now - info.seen_at > _FORGET_SECONDS:
            client.hdel(keys.workers, hostname)
            continue
        workers.append(info)
    return sorted(workers, key=lambda w: -w.seen_at)


def live_workers(client: redis.Redis, keys: Keys) -> list[WorkerInfo]:
    """The workers heard from in the last `ALIVE_SECONDS`, newest first."""
    now = time.time()
    return [w for w in all_workers(client, keys) if w.alive(now)]
