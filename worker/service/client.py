"""The importable client: submit postings, read results, follow the results stream, ask for the best postings.

    from worker import Client
    client = Client()                                   # settings from JOBMATCH_* / the config file
    ids = client.submit(['{"id": "p1", "title": "ML Engineer", "description": "..."}'])
    client.get_result("p1")                             # the stored result, or None
    for item in client.iter_results("my-service"):      # consumer group: at-least-once
        handle(item.result)                             # acknowledged when the loop asks for the next one
    client.top("machine-learning-engineer", 10)

`submit`, `get_result`, `iter_results` and `top` also exist as module functions using the default settings.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import redis

from ..decoding import decode_line, value_of
from ..errors import NoWorkers, QueueError
from ..settings import Settings, load_settings
from .heartbeat import WorkerInfo, all_workers, live_workers
from .leases import describe as describe_leases
from .names import CLASSIFY_MANY
from .redisconn import REDIS_ERRORS, connect, mask_url, unavailable
from .store.keys import INTAKE_GROUP
from .store.market import attach_market_band
from .store.results import ResultStore, loads

__all__ = ["CLAIM_IDLE_MS", "Client", "StreamResult", "get_result", "iter_results", "posting_id_of", "submit", "top"]

if TYPE_CHECKING:
    from matching.market import MarketTable

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# `jobmatch watch` takes over results idle this long in another consumer's pending list (one that died).
CLAIM_IDLE_MS = 60_000
SUBMIT_CHUNK = 50  # postings per task: one task per posting would spend more on the queue than on classifying
BACKLOG_CHECK_EVERY = 10  # tasks sent between two looks at the queue's depth
BACKLOG_POLL_SECONDS = 0.05
WORKER_POLL_SECONDS = 0.2  # how often `wait_for_workers` looks for a heartbeat
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")  # kombu's queue keys per priority step


@dataclass(frozen=True)
class StreamResult:
    """One entry of the results stream: its stream id and the result object."""

    entry: str
    result: dict[str, Any]


def posting_id_of(payload: str) -> str | None:
    """The id a posting (JSON text) will be stored under: its `id`, else the id made from its content."""
    record = value_of(decode_line(payload))  # the workers' decoder: the id printed is the id stored
    if not isinstance(record, dict):
        return None
    raw = record.get("id")
    if isinstance(raw, str | int) and not isinstance(raw, bool) and raw != "":
        return str(raw)
    from matching import MatchingError, posting_from_dict  # here: only a posting without an id needs matching

    try:
        return posting_from_dict(record).id
    except MatchingError:
        return None


class Client:
    """jobmatch's queue and results, for one `Settings` (one Redis, one key prefix)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.redis = connect(self.settings, retries=1)
        self.store = ResultStore(self.redis, self.settings)
        self.keys = self.store.keys
        self._app: Any = None

    @property
    def app(self) -> Any:
        """The Celery app (built on first use: reading results needs no Celery)."""
        if self._app is None:
            from .app import create_app  # here, not at the top: reading results needs no Celery

            self._app = create_app(self.settings)
        return self._app

    def check(self) -> None:
        """Raise `RedisUnavailable` (URL masked) unless Redis answers."""
        try:
            self.redis.ping()
        except REDIS_ERRORS as exc:
            raise unavailable(self.settings, exc) from None
        except redis.AuthenticationError as exc:
            raise unavailable(self.settings, exc) from None

    # -- submitting ---------------------------------------------------------------------------------------

    def submit_iter(self, postings: Iterable[tuple[int | None, str]]) -> Iterator[tuple[int | None, str | None]]:
        """Send (line, posting JSON text) pairs to the workers, `SUBMIT_CHUNK` to a `jobmatch.classify_many` task;
        yields (line, id) for each posting once its task is sent.

        The id is None for a posting that has none and is not valid (it ends in the dead-letter stream).
        Raises `RedisUnavailable` when Redis cannot be reached: postings not yet yielded were not sent.
        """
        from kombu.exceptions import OperationalError  # here: kombu comes with Celery, which only sending needs

        errors: tuple[type[BaseException], ...] = (OperationalError, *REDIS_ERRORS)
        self.check()
        app = self.app
        chunk: list[list[Any]] = []
        sent = 0
        try:
            with app.producer_or_acquire() as producer:
                for line, payload in postings:
                    chunk.append([line, payload])
                    if len(chunk) >= SUBMIT_CHUNK:
                        if sent % BACKLOG_CHECK_EVERY == 0:
                            self._wait_for_backlog()
                        sent += 1
                        app.send_task(CLASSIFY_MANY, args=[chunk], kwargs={"origin": "submit"}, producer=producer)
                        yield from ((item[0], posting_id_of(item[1])) for item in chunk)
                        chunk = []
                if chunk:
                    app.send_task(CLASSIFY_MANY, args=[chunk], kwargs={"origin": "submit"}, producer=producer)
                    yield from ((item[0], posting_id_of(item[1])) for item in chunk)
        except errors as exc:
            raise unavailable(self.settings, exc) from None

    def queued_tasks(self) -> int:
        """Tasks waiting in the queue (every priority step)."""
        pipe = self.redis.pipeline(transaction=False)
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(self.keys.queue + suffix)
        return sum(int(n) for n in pipe.execute())

    def _wait_for_backlog(self) -> None:
        """Back-pressure: while more than `submit_backlog` postings wait and a worker is alive to take them,
        wait. With no worker alive there is nobody to wait for, and the postings queue up (and `status` says so)."""
        limit = max(1, self.settings.submit_backlog // SUBMIT_CHUNK)
        while self.queued_tasks() > limit and live_workers(self.redis, self.keys):
            time.sleep(BACKLOG_POLL_SECONDS)

    def submit(self, postings: Iterable[str]) -> list[str | None]:
        """Send postings (JSON text each) to the workers; returns their ids (see `submit_iter`)."""
        return [posting_id for _, posting_id in self.submit_iter((None, p) for p in postings)]

    # -- reading ------------------------------------------------------------------------------------------

    def get_result(self, posting_id: str) -> dict[str, Any] | None:
        """The latest result of a posting, or None (not classified yet, or expired), with its current
        `market_band` (docs/market.md; the stored result is left as it is)."""
        result = self._guard(lambda: self.store.get_result(posting_id))
        return None if result is None else self.with_market_band(result)

    def with_market_band(self, result: dict[str, Any]) -> dict[str, Any]:
        """A result (as stored or as `batch` writes it) with its current `market_band`: the observed p25-p75 of
        its role and level in the window, its count, and the stated pay compared with it (None unless matched)."""
        return self._guard(lambda: attach_market_band(result, self.store.market))

    def market(self, role: str | None = None) -> MarketTable:
        """The observed market in the window: a histogram of stated annual base pay per (role, level, currency),
        every role's or only `role`'s (`.rows()`: count and p10-p90 of each)."""
        return self._guard(lambda: self.store.market.table(role))

    def current_model_version(self) -> str | None:
        """The model version of the newest live worker, else the one that published last; None if neither."""
        workers = self._guard(lambda: live_workers(self.redis, self.keys))
        if workers:
            return workers[0].model_version
        models = self._guard(self.store.models)
        return max(models, key=lambda m: models[m]) if models else None

    def top(self, role: str, n: int = 10, model_version: str | None = None) -> list[dict[str, Any]]:
        """The `n` best current postings of `role` (slug): `id`, `score` and the stored `result` (or None)."""
        version = model_version or self.current_model_version()
        if version is None:
            return []
        ranked = self._guard(lambda: self.store.top(role, n, version))
        bands = self._guard(lambda: self.store.market.bands([result for _, _, result in ranked]))
        return [
            {"id": posting_id, "score": score, "result": None if result is None else {**result, "market_band": band}}
            for (posting_id, score, result), band in zip(ranked, bands, strict=True)
        ]

    def recommend(self, text: str | None = None, preferences: Any = None, n: int = 10) -> dict[str, Any]:
        """For a person's free text and/or preferences (a mapping as in a TOML/JSON preferences file, or a
        `matching.recommend.Preferences`): `roles` that fit, ranked, with bands, and the `n` best current
        `postings` with `why` (docs/recommend.md). Loads the classifier on first use."""
        recommender = self._recommender()
        answer: dict[str, Any] = self._guard(lambda: recommender.recommend(text, preferences, n))
        if not answer["postings"]:
            recommender.check_version(self.current_model_version())
        return answer

    def similar(self, posting_id: str, n: int = 10) -> dict[str, Any] | None:
        """The `n` current postings most like `posting_id`, same role first (the `postings` of `recommend`), or
        None when the posting has no card (not matched, expired, or classified by another model version)."""
        recommender = self._recommender()
        answer: dict[str, Any] | None = self._guard(lambda: recommender.similar(posting_id, n))
        if answer is None:
            recommender.check_version(self.current_model_version())
        return answer

    def _recommender(self) -> Any:
        if getattr(self, "_recommend", None) is None:
            # Here, not at the top: only recommendations need the classifier (and numpy, scipy with it).
            from ..runtime import load_classifier
            from .recommend import Recommender

            self._recommend = Recommender(self.store, load_classifier(self.settings))
        return self._recommend

    def iter_results(
        self,
        group: str,
        consumer: str | None = None,
        *,
        new_only: bool = False,
        block_ms: int = 5000,
        claim_idle_ms: int | None = None,
        idle_exit: bool = False,
    ) -> Generator[StreamResult, None, None]:
        """Follow the results stream as `consumer` of consumer group `group`: at-least-once.

        Entries this consumer read but never acknowledged (it crashed) come first, then new ones. An entry is
        acknowledged when the loop asks for the next one, so one that was being handled when the consumer
        died is delivered again. A new group starts at the oldest entry kept (`new_only`: at the newest).
        With `claim_idle_ms`, entries idle that long in other consumers' pending lists are taken over.
        With `idle_exit`, the iterator ends when nothing arrives for `block_ms`. Redis going away is waited
        out (reconnecting with backoff); the group is re-created if Redis lost it.
        """
        stream = self.keys.results
        consumer = consumer or socket.gethostname()
        done: list[str] = []
        group_ready, backlog, delay = False, True, 0.5
        last_claim = -float("inf")
        claim_from: str | None = None  # where the current pass over other consumers' pending entries goes on
        try:
            while True:
                try:
                    if not group_ready:
                        self._create_group(stream, group, "$" if new_only else "0")
                        group_ready = True
                    if done:
                        self.redis.xack(stream, group, *done)
                        done.clear()
                    if backlog:
                        entries = self._read(stream, group, consumer, "0", None)
                        backlog = bool(entries)
                        if not backlog:
                            continue
                    elif claim_idle_ms is not None and (
                        claim_from is not None or time.monotonic() - last_claim > claim_idle_ms / 2000
                    ):
                        # One pass over the whole pending list, 100 entries a step, every claim_idle_ms / 2.
                        if claim_from is None:
                            last_claim, claim_from = time.monotonic(), "0-0"
                        reply: Any = self.redis.xautoclaim(
                            stream, group, consumer, claim_idle_ms, start_id=claim_from, count=100
                        )
                        cursor = _text(reply[0]) if reply else "0-0"
                        claim_from = None if cursor == "0-0" else cursor
                        entries = reply[1] if reply else []
                    else:
                        entries = self._read(stream, group, consumer, ">", block_ms)
                        if not entries and idle_exit:
                            return
                    delay = 0.5
                except redis.ResponseError as exc:
                    if "NOGROUP" not in str(exc):
                        raise
                    group_ready, backlog = False, True
                    continue
                except REDIS_ERRORS as exc:
                    log.warning("results stream: Redis unavailable (%s); retrying in %.1f s", exc, delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    group_ready, backlog, claim_from = False, True, None
                    continue
                for entry_id, fields in entries:
                    entry = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
                    if fields:
                        yield StreamResult(entry, cast(dict[str, Any], loads(fields[b"result"])))
                    done.append(entry)
        finally:
            if done:
                with contextlib.suppress(*REDIS_ERRORS):  # else delivered again next time: at-least-once
                    self.redis.xack(stream, group, *done)

    def ack(self, group: str, *entries: str) -> None:
        """Acknowledge results-stream entries for `group` (done with them: they are not delivered again)."""
        self._guard(lambda: self.redis.xack(self.keys.results, group, *entries))

    def _create_group(self, stream: str, group: str, start: str) -> None:
        try:
            self.redis.xgroup_create(stream, group, id=start, mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _read(self, stream: str, group: str, consumer: str, start: str, block: int | None) -> list[Any]:
        reply: Any = self.redis.xreadgroup(group, consumer, {stream: start}, count=100, block=block)
        return [entry for _, entries in reply or [] for entry in entries]

    # -- status -------------------------------------------------------------------------------------------

    def workers(self, *, alive_only: bool = True) -> list[WorkerInfo]:
        """Workers' heartbeats, newest first (only those heard from recently, unless `alive_only` is False)."""
        return self._guard(lambda: (live_workers if alive_only else all_workers)(self.redis, self.keys))

    def wait_for_workers(self, timeout: float) -> list[WorkerInfo]:
        """The live workers, waiting up to `timeout` seconds for the first heartbeat (a worker started just
        before takes a few seconds to write it). Raises `NoWorkers` when none shows up in time."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            workers = self.workers()
            if workers:
                return workers
            if time.monotonic() >= deadline:
                waited = f" in {timeout:g} s" if timeout > 0 else ""
                raise NoWorkers(
                    f"no live worker under key prefix {self.settings.key_prefix!r} (no heartbeat{waited}): "
                    "start one with `jobmatch worker`"
                )
            time.sleep(min(WORKER_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

    def status(self) -> dict[str, Any]:
        """Redis, workers, queue depth, intake and results backlog, dead letters, as one JSON-able dict."""
        self.check()
        keys, client = self.keys, self.redis
        info: dict[str, Any] = client.info()
        depth = self.queued_tasks()
        pipe = client.pipeline(transaction=False)
        pipe.hlen(keys.unacked)
        pipe.xlen(keys.intake)
        pipe.xlen(keys.results)
        pipe.xlen(keys.dead_letter)
        unacked, intake_len, results_len, dead_len = (int(n) for n in pipe.execute())
        now = time.time()
        workers = all_workers(client, keys)
        nodes = {w.instance: w.hostname for w in workers if w.instance}
        leases = describe_leases(client, keys, self.settings.visibility_timeout_seconds, nodes)
        return {
            "redis": {
                "url": mask_url(self.settings.redis_url),
                "reachable": True,
                "version": info.get("redis_version"),
                "used_memory": info.get("used_memory_human"),
                "appendonly": bool(info.get("aof_enabled")),
                "key_prefix": self.settings.key_prefix,
            },
            "workers": [
                {**asdict(w), "alive": w.alive(now), "seen_seconds_ago": round(now - w.seen_at, 1)} for w in workers
            ],
            "instances": leases["instances"],  # per worker instance: its lease, what it holds (leases.py)
            "queue": {"waiting": depth, "unacknowledged": unacked, "unowned": leases["unowned"]},
            "intake": {"length": intake_len, "groups": self._groups(keys.intake, only=INTAKE_GROUP)},
            "results": {"length": results_len, "groups": self._groups(keys.results)},
            "dead_letter": {"length": dead_len},
        }

    def _groups(self, stream: str, only: str | None = None) -> list[dict[str, Any]]:
        try:
            groups: list[dict[str, Any]] = self.redis.xinfo_groups(stream)
        except redis.ResponseError:  # no such stream yet
            return []
        out = []
        for group in groups:
            name = group["name"].decode() if isinstance(group["name"], bytes) else str(group["name"])
            if only is not None and name != only:
                continue
            out.append({"name": name, "pending": group.get("pending"), "lag": group.get("lag")})
        return out

    def dead_letters(self, count: int = 100) -> list[dict[str, str]]:
        """The newest dead-letter entries (id, error, origin, payload, model_version), newest first."""
        return self._guard(lambda: self.store.dead_letters(count))

    def _guard(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except REDIS_ERRORS as exc:
            raise unavailable(self.settings, exc) from None
        except redis.RedisError as exc:
            raise QueueError(f"Redis at {mask_url(self.settings.redis_url)}: {exc}") from None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def submit(postings: Iterable[str], settings: Settings | None = None) -> list[str | None]:
    """`Client(settings).submit(postings)`."""
    return Client(settings).submit(postings)


def get_result(posting_id: str, settings: Settings | None = None) -> dict[str, Any] | None:
    """`Client(settings).get_result(posting_id)`."""
    return Client(settings).get_result(posting_id)


def iter_results(group: str, consumer: str | None = None, settings: Settings | None = None) -> Iterator[StreamResult]:
    """`Client(settings).iter_results(group, consumer)`."""
    return Client(settings).iter_results(group, consumer)


def top(role: str, n: int = 10, settings: Settings | None = None) -> list[dict[str, Any]]:
    """`Client(settings).top(role, n)`."""
    return Client(settings).top(role, n)
