"""Leases: which worker instance holds which delivery, and handing back the deliveries of an instance that died.

A worker *instance* is one worker main process, `{host}:{pid}:{started_ms}`: a worker restarted under the same node
name is a new instance, and the old one's deliveries are not mistaken for the new one's. Redis keeps:

- `{prefix}leases` (hash): instance -> when it last renewed its lease (Redis's clock, so the machines' clocks do
  not matter). An instance renews every `RENEW_SECONDS`; one not renewed for `LEASE_SECONDS` is dead.
- `{prefix}unacked_owner` (hash): delivery tag -> the instance holding it, written by the transport
  (`transport.py`) in the same MULTI as kombu's `unacked` and `unacked_index` records, so no delivery is ever
  recorded without its owner, and removed with them on ack, reject and restore.
- `{prefix}inflight:{instance}` (list): messages the instance moved off the queue (BLMOVE) and has not yet
  recorded as delivered; empty except for the instant between the two, or after a kill in that instant.

Every live instance sweeps (`LeaseKeeper`): the deliveries and in-flight messages of dead instances go back to
the queue. A delivery is restored in a WATCHed transaction on `unacked` (as kombu's own restore is), an in-flight
message by LMOVE, so two sweepers never restore the same one twice. A sweeper only sweeps once its own lease has
been renewed without a break for `LEASE_SECONDS`: after Redis itself was away, every instance gets that long to
renew before anyone is called dead. A slow task on a live worker is never restored: its instance keeps renewing.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, cast

import redis

from .redisconn import REDIS_ERRORS
from .store.keys import Keys

__all__ = [
    "LEASE_SECONDS",
    "RENEW_SECONDS",
    "InstanceState",
    "LeaseKeeper",
    "describe",
    "expired_instances",
    "instance_id",
    "instances",
    "queue_key",
    "redis_now",
    "renew",
    "restore_instance",
    "restore_tag",
]

log = logging.getLogger(__name__)

LEASE_SECONDS = 10.0  # an instance whose lease is older than this is dead: its deliveries go back to the queue
RENEW_SECONDS = 2.0  # how often a live instance renews its lease and sweeps
PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's default priority steps: a message's queue key depends on its priority
_SEP = "\x06\x16"  # kombu's separator in priority queue names and in bindings

_instance: tuple[int, str] | None = None


def instance_id() -> str:
    """This process's worker instance: host, pid and start time (ms), made once per process."""
    global _instance
    pid = os.getpid()
    if _instance is None or _instance[0] != pid:
        _instance = (pid, f"{socket.gethostname()}:{pid}:{int(time.time() * 1000)}")
    return _instance[1]


def redis_now(client: redis.Redis) -> float:
    """Redis's clock, in seconds: every lease is written and read against it."""
    seconds, micros = client.time()
    return seconds + micros / 1e6


def renew(client: redis.Redis, keys: Keys, instance: str) -> float:
    """Renew `instance`'s lease now (Redis's time, which is returned)."""
    now = redis_now(client)
    client.hset(keys.leases, instance, f"{now:.3f}")
    return now


def expired_instances(client: redis.Redis, keys: Keys, lease_seconds: float = LEASE_SECONDS) -> dict[str, float]:
    """Instances whose lease is older than `lease_seconds`: instance -> the lease's time."""
    now = redis_now(client)
    leases = cast(dict[bytes, bytes], client.hgetall(keys.leases))
    return {
        k.decode(): float(v) for k, v in leases.items() if _seconds(v) is not None and now - float(v) > lease_seconds
    }


def queue_key(client: redis.Redis, keys: Keys, payload: dict[str, Any], exchange: str, routing_key: str) -> str:
    """The Redis list a restored message goes to, as kombu routes it: the queues bound to `exchange` with
    `routing_key` (a direct exchange: jobmatch's only one), at the message's priority step."""
    members = cast(set[bytes], client.smembers(f"{keys.prefix}_kombu.binding.{exchange}")) if exchange else set()
    queues = sorted({m.decode().split(_SEP)[-1] for m in members if m.decode().split(_SEP)[0] == routing_key})
    queue = f"{keys.prefix}{queues[0]}" if queues else keys.queue
    priority = (payload.get("properties") or {}).get("priority") or 0
    step = max([s for s in PRIORITY_STEPS if s <= int(priority)] or [0])
    return queue if step == 0 else f"{queue}{_SEP}{step}"


def restore_tag(client: redis.Redis, keys: Keys, tag: str) -> bool:
    """Put one delivery back on its queue (marked redelivered) and remove its records; True if this call did.

    Like kombu's `restore_by_tag`: a transaction WATCHing the `unacked` hash, so of two restorers (or a restorer and
    an ack) only one takes the message; the other finds it gone and only clears what is left of its records.
    """
    done = False

    def restore(pipe: Any) -> None:
        nonlocal done
        raw = pipe.hget(keys.unacked, tag)
        target = None
        if raw is not None:
            payload, exchange, routing_key = json.loads(raw)
            target = queue_key(pipe, keys, payload, exchange, routing_key)
            payload.setdefault("headers", {})["redelivered"] = True
            payload.setdefault("properties", {}).setdefault("delivery_info", {})["redelivered"] = True
        pipe.multi()
        pipe.zrem(keys.unacked_index, tag)
        pipe.hdel(keys.unacked, tag)
        pipe.hdel(keys.unacked_owner, tag)
        if target is not None:
            pipe.rpush(target, json.dumps(payload))  # the right end: the next message taken
        done = target is not None

    client.transaction(restore, keys.unacked)
    return done


_FORGET = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
"""


def restore_instance(client: redis.Redis, keys: Keys, instance: str, lease: str | None = None) -> int:
    """Put every delivery and in-flight message of (dead) `instance` back on the queue; returns how many this
    call restored. Its lease is removed afterwards if it still reads `lease` (not renewed meanwhile)."""
    owners = cast(dict[bytes, bytes], client.hgetall(keys.unacked_owner))
    tags = [tag.decode() for tag, owner in owners.items() if owner.decode() == instance]
    restored = sum(restore_tag(client, keys, tag) for tag in tags)
    while client.lmove(keys.inflight(instance), keys.queue, "RIGHT", "RIGHT") is not None:
        restored += 1
    if lease is not None:
        client.eval(_FORGET, 1, keys.leases, instance, lease)
    return restored


@dataclass(frozen=True)
class InstanceState:
    """One worker instance as `jobmatch status` shows it."""

    instance: str
    lease_age: float | None  # seconds since its lease was renewed (None: no lease on record)
    holds: int  # deliveries it holds (unacknowledged)
    inflight: int  # messages taken off the queue and not yet recorded
    # seconds until a live worker restores what it holds (0: at its next sweep, within RENEW_SECONDS); None while
    # its lease is renewed, or when it holds nothing
    restore_in: float | None


def instances(client: redis.Redis, keys: Keys, lease_seconds: float = LEASE_SECONDS) -> list[InstanceState]:
    """Every instance with a lease or a delivery, oldest lease first."""
    now = redis_now(client)
    leases = {k.decode(): float(v) for k, v in cast(dict[bytes, bytes], client.hgetall(keys.leases)).items()}
    holds: dict[str, int] = {}
    for owner in cast(list[bytes], client.hvals(keys.unacked_owner)):
        holds[owner.decode()] = holds.get(owner.decode(), 0) + 1
    names = sorted(set(leases) | set(holds), key=lambda n: leases.get(n, 0.0))
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.llen(keys.inflight(name))
    inflight = [int(n) for n in pipe.execute()]
    states = []
    for name, taken in zip(names, inflight, strict=True):
        age = None if name not in leases else max(0.0, now - leases[name])
        held = holds.get(name, 0)
        due: float | None = None
        if (held or taken) and (age is None or age > min(2 * RENEW_SECONDS, lease_seconds / 2)):  # renewals missed
            due = 0.0 if age is None else max(0.0, lease_seconds - age)
        states.append(InstanceState(name, age, held, taken, due))
    return states


def describe(
    client: redis.Redis, keys: Keys, visibility_timeout: float, nodes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What `jobmatch status` shows: each instance (its node name when its heartbeat names it, its lease's age,
    what it holds, when that is restored if its lease has lapsed), and the deliveries no instance owns (left by a
    worker without this transport), which kombu restores once they are older than the visibility timeout."""
    states = instances(client, keys)
    owned = set(cast(list[bytes], client.hkeys(keys.unacked_owner)))
    index = cast(list[tuple[bytes, float]], client.zrange(keys.unacked_index, 0, -1, withscores=True))
    unowned = [at for tag, at in index if tag not in owned]
    now = time.time()  # kombu writes the index with the delivering machine's clock
    return {
        "instances": [{"node": (nodes or {}).get(s.instance), **asdict(s)} for s in states],
        "unowned": {
            "count": len(unowned),
            "restore_in": None if not unowned else round(max(0.0, min(unowned) + visibility_timeout - now), 1),
        },
    }


class LeaseKeeper:
    """Renews this instance's lease every `RENEW_SECONDS` and restores dead instances' deliveries."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        instance: str,
        *,
        lease_seconds: float | None = None,
        renew_seconds: float | None = None,
        on_restore: Callable[[str, int], None] | None = None,
    ) -> None:
        self.client, self.keys, self.instance = client, keys, instance
        self.lease_seconds = LEASE_SECONDS if lease_seconds is None else lease_seconds
        self.renew_seconds = RENEW_SECONDS if renew_seconds is None else renew_seconds
        self.on_restore = on_restore
        self._renewed_since: float | None = None  # Redis time of the first renewal of the current unbroken run

    def step(self) -> int:
        """Renew, then (once renewed without a break for a whole lease) sweep; returns how many were restored."""
        try:
            now = renew(self.client, self.keys, self.instance)
        except REDIS_ERRORS:
            self._renewed_since = None
            raise
        if self._renewed_since is None:
            self._renewed_since = now
        if now - self._renewed_since < self.lease_seconds:
            return 0
        return self.sweep()

    def sweep(self) -> int:
        """Restore what every dead instance (expired lease, or deliveries with no lease at all) holds."""
        # Owners before leases: an instance writes its lease before its first delivery's owner record, so an owner
        # read first and then found with no lease has none because a sweeper removed it (dead), never a newcomer.
        owners = set(cast(list[bytes], self.client.hvals(self.keys.unacked_owner)))
        leases = cast(dict[bytes, bytes], self.client.hgetall(self.keys.leases))
        dead = {name: f"{at:.3f}" for name, at in expired_instances(self.client, self.keys, self.lease_seconds).items()}
        dead.update({owner.decode(): "" for owner in owners if owner not in leases})
        dead.pop(self.instance, None)
        restored = 0
        for name, lease in dead.items():
            count = restore_instance(self.client, self.keys, name, lease or None)
            if count:
                log.warning("restored %d deliveries of worker instance %s (no lease renewal for %.0f s)",
                            count, name, self.lease_seconds)  # fmt: skip
                if self.on_restore is not None:
                    self.on_restore(name, count)
            restored += count
        return restored

    def run(self, stop: threading.Event) -> None:
        """Renew and sweep until `stop` is set, riding out Redis being away."""
        while not stop.is_set():
            try:
                self.step()
            except REDIS_ERRORS as exc:
                log.warning("leases: Redis unavailable (%s)", exc)
            except Exception:
                log.exception("leases: renewing or sweeping failed")
            stop.wait(self.renew_seconds)


def _seconds(value: bytes) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None
