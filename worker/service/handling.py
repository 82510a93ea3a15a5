"""Task handling: classifying postings in a worker process, its one classifier and store, poison isolation.

Tasks hand in raw postings (`Item`: the JSON text as it arrived, and its input line if it had one). A
posting the classifier rejects is a value (`status: rejected`); a posting that makes the classifier *raise*
is poison: it is isolated from the rest of its chunk, and after a bounded number of attempts becomes a
`rejected` result naming the exception, so it reaches the dead-letter stream and the chunk goes on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import redis

from matching import Classifier, rejected_result
from matching.classify import record_id

from ..decoding import value_of
from ..lines import classify_chunk, decode_line
from ..runtime import freeze_long_lived, load_classifier
from ..settings import Settings
from .recommend import card_maker
from .redisconn import connect
from .store.results import Outcome, ResultStore

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_REDELIVERIES",
    "Item",
    "ProcessContext",
    "RetryLater",
    "classify_items",
    "handle",
    "isolate",
    "outcomes",
    "poison_result",
    "process_context",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One posting as it arrived: its JSON text, its input line (None when it came from no file), and where
    it came from when that differs from its task's origin (an intake entry id)."""

    payload: str
    line: int | None = None
    origin: str | None = None


class ProcessContext:
    """What one worker process builds once and keeps: the classifier, the Redis client and the result store.

    Built lazily on first use (or warmed on `worker_process_init`), never at import and never per task.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pid = os.getpid()
        self._classifier: Classifier | None = None
        self._redis: redis.Redis | None = None
        self._store: ResultStore | None = None

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            started = time.perf_counter()
            self._classifier = load_classifier(self.settings)
            freeze_long_lived()
            log.info(
                "classifier %s ready in process %d (%.2f s)",
                self._classifier.model_version,
                self.pid,
                time.perf_counter() - started,
            )
        return self._classifier

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = connect(self.settings)
        return self._redis

    @property
    def store(self) -> ResultStore:
        if self._store is None:
            self._store = ResultStore(self.redis, self.settings)
            self._store.cards = card_maker(lambda: self.classifier)  # recommendations' cards, written at publish
        return self._store


def process_context(app: Any) -> ProcessContext:
    """This process's context for a Celery app built by `create_app` (a forked pool process gets its own, never
    its parent's)."""
    context: ProcessContext | None = app.jobmatch_context
    if context is None or context.pid != os.getpid():
        context = ProcessContext(app.jobmatch_settings)
        app.jobmatch_context = context
    return context


def classify_items(classifier: Classifier, items: Sequence[Item]) -> tuple[list[dict[str, Any]], list[int]]:
    """Results for `items` in order, and the positions of those whose classification raised (poison).

    The chunk is classified in one vectorised call; if that raises, each item is classified alone so one
    poison posting costs only itself: it gets `poison_result` and its position is reported.
    """
    records = [(item.line, decode_line(item.payload)) for item in items]
    try:
        return classify_chunk(classifier, records), []
    except Exception:
        log.exception("classifying a chunk of %d postings raised; classifying them one at a time", len(items))
    results: list[dict[str, Any]] = []
    poisoned: list[int] = []
    for position, record in enumerate(records):
        try:
            results.extend(classify_chunk(classifier, [record]))
        except Exception as exc:
            log.exception("posting at line %s raised during classification", record[0])
            results.append(poison_result(record, exc, model_version=classifier.model_version))
            poisoned.append(position)
    return results, poisoned


def poison_result(record: tuple[int | None, object], exc: BaseException | str, *, model_version: str) -> dict[str, Any]:
    """The `rejected` result of a posting whose classification raised (the exception is its error), or that
    was given up for the reason `exc` names."""
    line, value = record[0], value_of(record[1])
    posting_id = record_id(value)
    where = f"line {line}: " if line is not None else ""
    if posting_id is not None:
        where += f"posting {posting_id!r}: "
    reason = exc if isinstance(exc, str) else f"classification failed: {type(exc).__name__}: {exc}"
    message = where + reason
    return rejected_result(posting_id, message, model_version=model_version, line=line)


def outcomes(
    items: Sequence[Item],
    results: Sequence[dict[str, Any]],
    *,
    origin: str,
    token: str,
    given_up: Collection[int] = (),
) -> list[Outcome]:
    """What to publish for classified items: each result with its original payload and where it came from.

    Positions in `given_up` (postings that killed the process) never overwrite a result this model version
    already published for the posting (another delivery of the same task may have classified it); their
    failure still reaches the dead-letter stream.
    """
    return [
        Outcome(
            result=result,
            payload=item.payload,
            origin=item.origin or origin,
            token=f"{token}:{index}",
            replace=index not in given_up,
        )
        for index, (item, result) in enumerate(zip(items, results, strict=True))
    ]


MAX_ATTEMPTS = 3  # a posting whose classification raises is tried this often, then dead-lettered
MAX_REDELIVERIES = 5  # a task whose worker process died this often is then classified one posting at a time


class RetryLater(Exception):
    """Some postings raised during classification and have attempts left: the task should run again."""


def handle(
    context: ProcessContext,
    items: Sequence[Item],
    *,
    origin: str,
    task_id: str,
    attempt: int,
    redelivered: bool,
) -> list[dict[str, Any]]:
    """Classify and publish `items` for one task run (`attempt` counts from 0); returns the results in order.

    Raises `RetryLater` while poison postings have attempts left; on the last attempt they are published as
    `rejected` (and so dead-lettered) with the exception as their error. A task redelivered more than
    `MAX_REDELIVERIES` times (its process killed each time) is classified in isolation (`isolate`).
    """
    store = context.store
    if redelivered and store.count_redelivery(task_id) > MAX_REDELIVERIES:
        return isolate(context, items, origin=origin, task_id=task_id)
    results, poisoned = classify_items(context.classifier, items)
    if poisoned and attempt + 1 < MAX_ATTEMPTS:
        raise RetryLater(f"{len(poisoned)} of {len(items)} postings raised during classification")
    store.publish(outcomes(items, results, origin=origin, token=task_id))
    return results


def isolate(context: ProcessContext, items: Sequence[Item], *, origin: str, task_id: str) -> list[dict[str, Any]]:
    """Classify a crash-looping task's postings one at a time, noting in Redis which one is being classified.

    A posting during which the process died last time is blamed: published as `rejected` (dead-lettered)
    without being classified again. Each death blames one posting, so the task ends after at most one more
    delivery per posting that kills the process, and every other posting of it gets its real result.
    """
    store, classifier = context.store, context.classifier
    at, blamed = store.isolation(task_id)
    if at is not None:
        blamed.add(at)
        log.error("task %s: posting %d of %d killed the worker process; dead-lettering it", task_id, at, len(items))
    reason = f"the worker process died while classifying it (task given up after {MAX_REDELIVERIES} redeliveries)"
    results: list[dict[str, Any]] = []
    given_up: list[int] = []
    for position, item in enumerate(items):
        if position in blamed:
            record = (item.line, decode_line(item.payload))
            results.append(poison_result(record, reason, model_version=classifier.model_version))
            given_up.append(position)
            continue
        store.mark_isolation(task_id, position, blamed)
        results.extend(classify_items(classifier, [item])[0])  # one that raises becomes its `rejected` result
    store.mark_isolation(task_id, None, blamed)
    store.publish(outcomes(items, results, origin=origin, token=task_id, given_up=given_up))
    return results
