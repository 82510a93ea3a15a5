"""The result store: publishing results to Redis and reading them back, and their JSON (de)serialisation.

Results are published by a Lua script (`publish.lua`, beside this module) that takes up to `PUBLISH_GROUP`
postings a call (the calls of a chunk pipelined); it is idempotent, keyed by posting id, content hash and model
version, so a posting classified twice (a redelivered task) leaves one result, one ranking entry and one
results-stream entry; a new model version publishes again. The key names are in `keys.py`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, cast

import orjson
import redis

from ...settings import Settings
from .keys import Keys
from .market import MarketStore

__all__ = [
    "BATCH_TTL_SECONDS",
    "PUBLISH_GROUP",
    "Outcome",
    "ResultStore",
    "decode_entry",
    "digest",
    "dumps",
    "loads",
    "stored_result",
]

BATCH_TTL_SECONDS = 86400
DEAD_LETTER_DEDUP_SECONDS = 86400
# Postings per call of the publish script: one call is cheaper for Redis than one per posting, and a group this
# size keeps each call (which blocks Redis) to a few milliseconds.
PUBLISH_GROUP = 100


# -- (de)serialisation ---------------------------------------------------------------------------------------


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON (orjson, as `batch` writes); what orjson refuses (text that cannot be UTF-8: lone
    surrogates from undecodable input; integers beyond 64 bits) is written by the standard encoder, \\u-escaped."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def loads(data: bytes | str) -> Any:
    """The value `dumps` wrote."""
    return json.loads(data)


def stored_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result as Redis keeps it: the object `batch` writes, without the input line number."""
    return {key: value for key, value in result.items() if key != "line"}


# -- publishing ----------------------------------------------------------------------------------------------


def _script(name: str) -> str:
    """A Lua script shipped beside this module (package data)."""
    return files(__name__.rpartition(".")[0]).joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Outcome:
    """One classified posting to publish: its result, the payload it came from, and where it came from.

    `token` makes an id-less rejection idempotent too: the same token (task id and line, intake entry id)
    records it once. `replace=False` (a posting given up on) keeps a result this model version already
    published for the posting, and only records the failure in the dead-letter stream.
    """

    result: Mapping[str, Any]
    payload: str
    origin: str
    token: str = ""
    replace: bool = True


def digest(result: Mapping[str, Any], payload: str) -> str:
    """What decides a published result: the model version and the content hash; for a rejection, its status,
    id and error and the posting's content (its JSON value, not the bytes that carried it)."""
    model_version = str(result.get("model_version"))
    if result.get("status") == "rejected" or not result.get("content_hash"):
        # Not the raw payload: `submit`, `batch --via-queue` and the intake stream carry the same posting with or
        # without a line end or other spacing, and a resubmission through another path must not publish it again.
        parts = (str(result.get("status")), str(result.get("id")), str(result.get("error")), _content(payload))
        blob = "\0".join(parts).encode("utf-8", "surrogatepass")
        return f"{model_version}:rejected:{hashlib.sha256(blob).hexdigest()[:24]}"
    return f"{model_version}:{result['content_hash']}"


def _content(payload: str) -> str:
    """A posting's JSON value written one way (sorted keys, no spacing); the text as it is when it is not JSON."""
    try:
        value = json.loads(payload)
    except (ValueError, RecursionError):
        return payload
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, TypeError):
        return payload


class ResultStore:
    """Publishes results to Redis and reads them back; one per process, around one redis-py client."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)
        self.market = MarketStore(client, settings)  # stated pay is counted into the market as it is published
        self._publish = client.register_script(_script("publish.lua"))
        self._dead_letter = client.register_script(_script("dead_letter.lua"))
        self._store_chunk = client.register_script(_script("store_chunk.lua"))
        # What makes the recommendation cards of outcomes (None: cards are not written): set by the worker,
        # which holds the classifier. Called once per group of outcomes; returns a card or None for each.
        self.cards: Callable[[Sequence[Outcome]], list[bytes | None]] | None = None

    def publish(self, outcomes: Iterable[Outcome]) -> int:
        """Publish every outcome, in order, in one pipeline; returns how many were new (not already published)."""
        pipe = self.client.pipeline(transaction=False)
        group: list[Outcome] = []  # postings with an id, one model version, not yet queued
        group_model = ""
        counted: list[Mapping[str, Any]] = []  # results the market may count (those that replace a stored one)
        for outcome in outcomes:
            result = outcome.result
            if outcome.replace:
                counted.append(result)
            model_version = str(result.get("model_version"))
            if group and (len(group) >= PUBLISH_GROUP or model_version != group_model or result.get("id") is None):
                self._queue_group(pipe, group_model, group)
                group = []
            if result.get("id") is None:
                self._queue_dead_letter(pipe, outcome)
            else:
                group.append(outcome)
                group_model = model_version
        if group:
            self._queue_group(pipe, group_model, group)
        self.market.queue(pipe, counted)  # each posting once per window (store/market.py); its calls reply 0
        if not len(pipe):
            return 0
        return sum(int(flag) for flag in pipe.execute())

    def _queue_group(self, pipe: redis.client.Pipeline, model_version: str, outcomes: Sequence[Outcome]) -> None:
        """Queue one call of the publish script for postings (with ids) of one model version."""
        settings, keys = self.settings, self.keys
        script_keys = [keys.results, keys.dead_letter, keys.models]
        args: list[str | bytes] = [
            model_version,
            str(int(settings.result_ttl_seconds * 1000)),
            str(settings.results_maxlen),
            str(settings.dead_letter_maxlen),
            str(settings.ranking_size),
            keys.ranking(model_version, ""),
            f"{time.time():.3f}",
            keys.card(model_version, ""),
        ]
        cards = self.cards(outcomes) if self.cards is not None else [None] * len(outcomes)
        for outcome, card in zip(outcomes, cards, strict=True):
            result = stored_result(outcome.result)
            posting_id = str(result["id"])
            status = str(result.get("status"))
            role = str(result.get("role") or "") if status == "matched" else ""
            result_key = keys.result(posting_id)
            script_keys += [
                result_key,
                keys.published(posting_id),
                keys.ranking(model_version, role) if role else result_key,
            ]
            args += [
                posting_id,
                dumps(result),
                digest(result, outcome.payload),  # the payload only counts for rejections
                status,
                role,
                repr(float(result.get("score") or 0.0)),
                _text(str(result.get("error") or "")),
                # stored only in the dead-letter stream (a rejection, or a posting given up on)
                _text(outcome.payload) if status == "rejected" or not outcome.replace else b"",
                outcome.origin,
                "1" if outcome.replace else "0",
                card or b"",
            ]
        self._publish(keys=script_keys, args=args, client=pipe)

    def _queue_dead_letter(self, pipe: redis.client.Pipeline, outcome: Outcome) -> None:
        """Queue the record of a rejection without a posting id (a line that is not JSON), once per token."""
        settings, keys = self.settings, self.keys
        result = outcome.result
        error = str(result.get("error") or "")
        token = hashlib.sha256(
            f"{outcome.origin}\0{outcome.token}\0{outcome.payload}\0{error}".encode("utf-8", "surrogatepass")
        ).hexdigest()[:32]
        self._dead_letter(
            keys=[keys.dead_letter_seen(token), keys.dead_letter],
            args=[
                str(DEAD_LETTER_DEDUP_SECONDS * 1000),
                str(settings.dead_letter_maxlen),
                _text(error),
                outcome.origin,
                _text(outcome.payload),
                str(result.get("model_version")),
            ],
            client=pipe,
        )

    def count_redelivery(self, task_id: str) -> int:
        """Count one more redelivery of a task (its worker died while running it); returns the count so far."""
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(self.keys.deliveries(task_id))
        pipe.expire(self.keys.deliveries(task_id), BATCH_TTL_SECONDS)
        return int(pipe.execute()[0])

    def isolation(self, task_id: str) -> tuple[int | None, set[int]]:
        """A crash-looping task's isolation marks: the position being classified when its process died last
        (or None), and the positions already blamed for killing it."""
        raw = cast(list[bytes | None], self.client.hmget(self.keys.isolation(task_id), ["at", "blamed"]))
        at = None if raw[0] is None or raw[0] == b"" else int(raw[0])
        blamed = {int(n) for n in (raw[1] or b"").split()}
        return at, blamed

    def mark_isolation(self, task_id: str, at: int | None, blamed: set[int]) -> None:
        """Record the position about to be classified (None: none) and the blamed ones, before classifying it."""
        key = self.keys.isolation(task_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping={"at": "" if at is None else str(at), "blamed": " ".join(map(str, sorted(blamed)))})
        pipe.expire(key, BATCH_TTL_SECONDS)
        pipe.execute()

    def put_lines(self, batch_id: str, index: int, data: bytes) -> None:
        """Keep one chunk's raw input lines for the worker that runs its task (and any redelivery of it)."""
        self.client.set(self.keys.batch_lines(batch_id, index), data, ex=BATCH_TTL_SECONDS)

    def get_lines(self, batch_id: str, index: int) -> bytes | None:
        """A chunk's raw input lines, or None once the client has collected the chunk (or they expired)."""
        return cast(bytes | None, self.client.get(self.keys.batch_lines(batch_id, index)))

    def store_chunk(self, batch_id: str, index: int, summary: Mapping[str, Any], text: str) -> bool:
        """Keep one finished chunk of a `batch --via-queue` run (its summary and its result lines, rendered
        as `batch` writes them) and tell the waiting client (RPUSH its index); False (nothing kept) when the
        client has collected the chunk already."""
        keys = [
            self.keys.batch_chunk(batch_id, index),
            self.keys.batch_lines(batch_id, index),
            self.keys.batch_done(batch_id),
        ]
        stored = self._store_chunk(keys=keys, args=[dumps(summary) + b"\n" + _raw(text), index, BATCH_TTL_SECONDS])
        return bool(stored)

    def take_chunk(self, batch_id: str, index: int) -> tuple[dict[str, Any], str] | None:
        """A finished chunk's summary and result lines, removed from Redis with its input lines; None if
        already taken (a duplicate completion)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.getdel(self.keys.batch_chunk(batch_id, index))
        pipe.delete(self.keys.batch_lines(batch_id, index))
        data = cast(bytes | None, pipe.execute()[0])
        if data is None:
            return None
        head, _, text = data.partition(b"\n")
        return cast(dict[str, Any], loads(head)), text.decode("utf-8", "surrogatepass")

    def get_result(self, posting_id: str) -> dict[str, Any] | None:
        """The latest stored result of a posting, or None when there is none (never published, or expired)."""
        data = cast(bytes | None, self.client.get(self.keys.result(posting_id)))
        return None if data is None else cast(dict[str, Any], loads(data))

    def get_results(self, posting_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """`get_result` for many ids in one round trip, in order."""
        if not posting_ids:
            return []
        values = cast(list[bytes | None], self.client.mget([self.keys.result(i) for i in posting_ids]))
        return [None if v is None else cast(dict[str, Any], loads(v)) for v in values]

    def models(self) -> dict[str, float]:
        """Every model version that published, with when it last did (unix seconds)."""
        raw = cast(dict[bytes, bytes], self.client.hgetall(self.keys.models))
        return {k.decode(): float(v) for k, v in raw.items()}

    def top(self, role: str, n: int, model_version: str) -> list[tuple[str, float, dict[str, Any] | None]]:
        """The `n` best postings of `role` under `model_version`: (id, score, stored result or None), best first."""
        ranked = cast(
            list[tuple[bytes, float]],
            self.client.zrevrange(self.keys.ranking(model_version, role), 0, max(0, n - 1), withscores=True),
        )
        ids = [member.decode() for member, _ in ranked]
        scores = [score for _, score in ranked]
        return list(zip(ids, scores, self.get_results(ids), strict=True))

    def dead_letters(self, count: int = 100) -> list[dict[str, str]]:
        """The newest dead-letter entries, newest first, each with its stream `entry` id."""
        reply = self.client.xrevrange(self.keys.dead_letter, count=count)
        entries = cast(list[tuple[bytes, dict[bytes, bytes]]], reply)
        return [decode_entry(entry_id, fields) for entry_id, fields in entries]


def decode_entry(entry_id: bytes | str, fields: Mapping[bytes, bytes]) -> dict[str, str]:
    """A stream entry as text: its fields plus `entry` (the stream id)."""
    out = {k.decode(): v.decode("utf-8", "replace") for k, v in fields.items()}
    out["entry"] = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return out


def _raw(value: str) -> bytes:
    """Text for Redis that comes back exactly (`decode("utf-8", "surrogatepass")`), lone surrogates included."""
    return value.encode("utf-8", "surrogatepass")


def _text(value: str) -> bytes:
    """Text for Redis as UTF-8: undecodable input bytes (read with surrogateescape) go back as they came."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")
