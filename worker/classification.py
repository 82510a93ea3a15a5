"""Classifying postings inside a worker process: the process's one classifier and store, poison isolation.

Tasks hand in raw postings (`Item`: the JSON text as it arrived, and its input line if it had one). A
posting the classifier rejects is a value (`status: rejected`); a posting that makes the classifier *raise*
is poison: it is isolated from the rest of its chunk, and after a bounded number of attempts becomes a
`rejected` result naming the exception, so it reaches the dead-letter stream and the chunk goes on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from matching import Classifier, rejected_result

from .batch import classify_chunk, decode_line
from .redisconn import connect
from .results import Outcome, ResultStore
from .runtime import load_classifier
from .settings import Settings

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_REDELIVERIES",
    "Item",
    "ProcessContext",
    "RetryLater",
    "classify_items",
    "handle",
    "outcomes",
    "poison_result",
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
        return self._store


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
    line, value = record
    posting_id = None
    if isinstance(value, dict) and isinstance(value.get("id"), str | int) and not isinstance(value.get("id"), bool):
        posting_id = str(value["id"])
    where = f"line {line}: " if line is not None else ""
    if posting_id is not None:
        where += f"posting {posting_id!r}: "
    reason = exc if isinstance(exc, str) else f"classification failed: {type(exc).__name__}: {exc}"
    message = where + reason
    return rejected_result(posting_id, message, model_version=model_version, line=line)


def outcomes(items: Sequence[Item], results: Sequence[dict[str, Any]], *, origin: str, token: str) -> list[Outcome]:
    """What to publish for classified items: each result with its original payload and where it came from."""
    return [
        Outcome(result=result, payload=item.payload, origin=item.origin or origin, token=f"{token}:{index}")
        for index, (item, result) in enumerate(zip(items, results, strict=True))
    ]


MAX_ATTEMPTS = 3  # a posting whose classification raises is tried this often, then dead-lettered
MAX_REDELIVERIES = 5  # a task whose worker process died this often is dead-lettered, not run again


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
    `MAX_REDELIVERIES` times (its process killed each time) is dead-lettered whole without running.
    """
    store = context.store
    if redelivered and store.count_redelivery(task_id) > MAX_REDELIVERIES:
        model_version = context.classifier.model_version
        error = f"given up after {MAX_REDELIVERIES} redeliveries: the worker process died each time"
        results = [
            poison_result((item.line, decode_line(item.payload)), error, model_version=model_version) for item in items
        ]
        store.publish(outcomes(items, results, origin=origin, token=task_id))
        return results
    results, poisoned = classify_items(context.classifier, items)
    if poisoned and attempt + 1 < MAX_ATTEMPTS:
        raise RetryLater(f"{len(poisoned)} of {len(items)} postings raised during classification")
    store.publish(outcomes(items, results, origin=origin, token=task_id))
    return results
