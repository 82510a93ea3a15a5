"""The intake stream reader: postings any service XADDs to `{prefix}intake` become classify tasks.

Format (any language, no Celery needed): `XADD {prefix}intake * posting '<one posting as a JSON object>'`.
Each worker's main process reads the stream with the consumer group `jobmatch-workers` (its Celery node
name as the consumer), sends what it read as one `jobmatch.classify_many` task and only then acknowledges and deletes
the entry; so a worker that dies between reading and dispatching leaves the entry pending, and it is
dispatched again: by the same worker when it comes back (it re-reads its own pending entries first), or
by another one, which claims entries idle longer than `CLAIM_IDLE_SECONDS` (XAUTOCLAIM). Dispatching twice
is harmless: publishing is idempotent. An entry without the `posting` field goes to the dead-letter stream.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import redis

from matching import rejected_result

from .redisconn import REDIS_ERRORS
from .store.keys import INTAKE_FIELD, INTAKE_GROUP, Keys
from .store.results import Outcome, ResultStore, dumps

__all__ = ["CLAIM_IDLE_SECONDS", "IntakeReader"]

log = logging.getLogger(__name__)

# An entry pending this long in another consumer's list is taken over: a live reader acknowledges what it read
# within milliseconds (it only sends one task), so only a dead one's entries get that old.
CLAIM_IDLE_SECONDS = 10.0
CLAIM_EVERY_SECONDS = 3.0
BLOCK_MS = 1000
COUNT = 100

Dispatch = Callable[[list[list[Any]]], None]  # [[None, posting JSON text, origin], ...] as one task
Entry = tuple[bytes, dict[bytes, bytes] | None]


class IntakeReader:
    """Reads the intake stream in a thread of the worker's main process until `stop` is set."""

    def __init__(
        self,
        store: ResultStore,
        *,
        consumer: str,
        model_version: str,
        dispatch: Dispatch,
        stop: threading.Event,
        claim_idle_seconds: float = CLAIM_IDLE_SECONDS,
    ) -> None:
        self.store = store
        self.client: redis.Redis = store.client
        self.keys: Keys = store.keys
        self.consumer = consumer
        self.model_version = model_version
        self.dispatch = dispatch
        self.stop = stop
        self.claim_idle_ms = int(claim_idle_seconds * 1000)
        self.dispatched = 0
        self._claim_from: str | None = None  # where the current XAUTOCLAIM pass over the pending list goes on

    def run(self) -> None:
        """The loop: own pending entries first, then claimed idle ones now and then, else new ones."""
        own_backlog = True
        group_ready = False
        last_claim = -float("inf")
        self._claim_from = None
        delay = 0.5
        while not self.stop.is_set():
            try:
                if not group_ready:
                    self.ensure_group()
                    group_ready = True
                if own_backlog:
                    entries = self._read("0", block=None)
                    own_backlog = bool(entries)
                elif self._claim_from is not None or time.monotonic() - last_claim > CLAIM_EVERY_SECONDS:
                    if self._claim_from is None:  # a new pass over the pending list, COUNT entries a step
                        last_claim, self._claim_from = time.monotonic(), "0-0"
                    entries = self._claim()
                else:
                    entries = self._read(">", block=BLOCK_MS)
                if entries:
                    self.handle(entries)
                delay = 0.5
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                # Redis lost the group (restarted without persistence)
                group_ready, own_backlog, self._claim_from = False, True, None
            except REDIS_ERRORS as exc:
                log.warning("intake: Redis unavailable (%s); retrying in %.1f s", exc, delay)
                group_ready, own_backlog, self._claim_from = False, True, None
                self.stop.wait(delay)
                delay = min(delay * 2, 10.0)
            except Exception:
                # Dispatch failed (the broker is down) or something unexpected: the entries stay pending.
                log.exception("intake: reading or dispatching failed; retrying in %.1f s", delay)
                own_backlog = True
                self.stop.wait(delay)
                delay = min(delay * 2, 10.0)

    def ensure_group(self) -> None:
        """Create the workers' group (and the stream) if missing; an existing group is kept as it is."""
        try:
            self.client.xgroup_create(self.keys.intake, INTAKE_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _read(self, start: str, *, block: int | None) -> list[Entry]:
        streams: dict[Any, Any] = {self.keys.intake: start}
        reply: Any = self.client.xreadgroup(INTAKE_GROUP, self.consumer, streams, count=COUNT, block=block)
        return [entry for _, entries in reply or [] for entry in entries]

    def _claim(self) -> list[Entry]:
        reply: Any = self.client.xautoclaim(
            self.keys.intake,
            INTAKE_GROUP,
            self.consumer,
            self.claim_idle_ms,
            start_id=self._claim_from or "0-0",
            count=COUNT,
        )
        cursor = reply[0].decode() if reply and isinstance(reply[0], bytes) else str(reply[0] if reply else "0-0")
        self._claim_from = None if cursor == "0-0" else cursor
        entries = cast(list[Entry], reply[1]) if reply else []
        if entries:
            log.info("intake: claimed %d entries idle for over %d ms", len(entries), self.claim_idle_ms)
        return entries

    def handle(self, entries: Sequence[Entry]) -> None:
        """Dispatch each entry (or dead-letter it), then acknowledge and delete them all in one round trip."""
        done: list[bytes] = []
        rejected: list[Outcome] = []
        postings: list[list[Any]] = []
        for entry_id, fields in entries:
            entry = entry_id.decode()
            origin = f"intake:{entry}"
            if fields is None:  # deleted while pending: nothing left to do
                done.append(entry_id)
                continue
            raw = fields.get(INTAKE_FIELD.encode())
            if raw is None:
                names = ", ".join(sorted(k.decode("utf-8", "replace") for k in fields)) or "none"
                error = f"intake entry {entry}: no '{INTAKE_FIELD}' field (fields: {names})"
                payload = dumps({k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in fields.items()})
                result = rejected_result(None, error, model_version=self.model_version)
                rejected.append(Outcome(result, payload.decode("utf-8"), origin, token=entry))
            else:
                postings.append([None, raw.decode("utf-8", "surrogateescape"), origin])
            done.append(entry_id)
        if postings:
            self.dispatch(postings)
            self.dispatched += len(postings)
        if rejected:
            self.store.publish(rejected)
        if done:
            pipe = self.client.pipeline(transaction=False)
            pipe.xack(self.keys.intake, INTAKE_GROUP, *done)
            pipe.xdel(self.keys.intake, *done)
            pipe.execute()
