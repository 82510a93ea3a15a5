"""The Celery tasks, thin: plain data in, `handling`/`polling` do the work, results go out through the store.

Their names and arguments are in `names.py`.
"""

from __future__ import annotations

from typing import Any

from ..chunks import numbered_lines, render_chunk
from .handling import MAX_ATTEMPTS, Item, RetryLater, handle, process_context
from .names import CLASSIFY, CLASSIFY_BATCH, CLASSIFY_MANY, POLL_SOURCE
from .polling import poll
from .redisconn import REDIS_ERRORS

__all__ = ["register"]

REDIS_RETRIES = 10  # a task that cannot reach Redis tries again this often (with backoff) before it fails


def _run(task: Any, items: list[Item], origin: str) -> list[dict[str, Any]]:
    request = task.request
    try:
        return handle(
            process_context(task.app),
            items,
            origin=origin,
            task_id=str(request.id),
            attempt=int(request.retries or 0),
            redelivered=bool((request.delivery_info or {}).get("redelivered")),
        )
    except RetryLater as exc:
        raise task.retry(exc=exc, countdown=0.5 * (request.retries + 1), max_retries=MAX_ATTEMPTS) from None
    except REDIS_ERRORS as exc:
        raise task.retry(exc=exc, countdown=min(30.0, 2.0**request.retries), max_retries=REDIS_RETRIES) from None


def classify(task: Any, payload: str, origin: str = "submit", line: int | None = None) -> str:
    """Classify and publish one posting (JSON text as it arrived); returns its status."""
    return str(_run(task, [Item(payload, line)], origin)[0]["status"])


def classify_many(task: Any, items: list[list[Any]], origin: str = "submit") -> int:
    """Classify and publish several postings (submitted together, or read together from the intake stream)."""
    postings = [
        Item(str(item[1]), None if item[0] is None else int(item[0]), item[2] if len(item) > 2 else None)
        for item in items
    ]
    return len(_run(task, postings, origin))


def classify_batch(task: Any, batch_id: str, index: int, first_line: int) -> int:
    """Classify and publish one chunk of a `batch --via-queue` run and hand its result lines to the client.

    The chunk's lines are read from Redis, where the client keeps them until it has collected the chunk: none
    there means the chunk was collected already (this is a redelivery) or the batch was abandoned long ago.
    """
    store = process_context(task.app).store
    try:
        data = store.get_lines(batch_id, index)
    except REDIS_ERRORS as exc:
        raise task.retry(exc=exc, countdown=min(30.0, 2.0**task.request.retries), max_retries=REDIS_RETRIES) from None
    if data is None:
        return 0
    items = [Item(text, line) for line, text in numbered_lines(data, int(first_line))]
    results = _run(task, items, f"batch:{batch_id}")
    chunk = render_chunk(results)
    try:
        store.store_chunk(batch_id, index, chunk.summary.to_dict(), chunk.text)
    except REDIS_ERRORS as exc:
        raise task.retry(exc=exc, countdown=min(30.0, 2.0**task.request.retries), max_retries=REDIS_RETRIES) from None
    return len(results)


def poll_source(task: Any, name: str, table: dict[str, Any] | None = None) -> dict[str, Any]:
    """Poll one source (its `[[sources]]` table as beat sent it, else this worker's config): fetch, skip postings
    already classified unchanged, classify, publish."""
    redelivered = bool((task.request.delivery_info or {}).get("redelivered"))
    return poll(process_context(task.app), name, table, redelivered=redelivered).to_dict()


def register(app: Any) -> None:
    """Define the tasks on `app`, each under its explicit name (soft time limits turn a hang into an error)."""
    app.task(name=CLASSIFY, bind=True, soft_time_limit=120)(classify)
    app.task(name=CLASSIFY_MANY, bind=True, soft_time_limit=300)(classify_many)
    app.task(name=CLASSIFY_BATCH, bind=True, soft_time_limit=600)(classify_batch)
    app.task(name=POLL_SOURCE, bind=True, soft_time_limit=900)(poll_source)
