"""`jobmatch batch --via-queue`: a JSONL feed fanned out to the workers in chunks, collected back in input order.

The client reads the feed as bytes, in chunks of `chunk_lines` lines, SETs each chunk's bytes as they are under
`{prefix}batch:{id}:lines:{n}` and sends a `jobmatch.classify_batch` task that names it (batch id, chunk index,
first line number: the workers decode and number the lines as the in-process batch reads them, and reject bad ones
with the same messages), at most `window` chunks in flight. A worker GETs the lines, publishes the chunk's results
like any others, then stores the chunk as the exact JSON lines `batch` writes plus a small summary (counts, first
rejections) under `{prefix}batch:{id}:chunk:{n}` and pushes `n` to `{prefix}batch:{id}:done`, which the client
BLPOPs. The client writes those lines without parsing them as soon as every earlier chunk is written, and only then
deletes the chunk's lines, so a redelivered task still finds them: memory (here and in Redis) holds at most
`window` chunks. A chunk finished twice (a redelivered task) is taken once.

A chunk not finished `resend_after(settings)` seconds after it was sent (a dead worker's lease expiring plus the
time a live worker takes to restore its deliveries) is sent again: a backstop, the transport (service/transport.py)
leaving no moment in which a message taken off the queue is recorded nowhere.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from typing import IO, Any, cast

from kombu.exceptions import OperationalError

from ..chunks import QUEUE_CHUNK_LINES, BatchSummary, ChunkResult, byte_chunks
from ..errors import NoWorkers
from ..service.client import Client
from ..service.heartbeat import WorkerInfo
from ..service.leases import LEASE_SECONDS, RENEW_SECONDS
from ..service.names import CLASSIFY_BATCH
from ..service.redisconn import REDIS_ERRORS, unavailable
from ..settings import Settings
from .output import write_chunks

__all__ = ["check_workers", "resend_after", "run_via_queue"]

WAIT_SECONDS = 5  # BLPOP timeout; between waits the client checks that some worker is still alive


def resend_after(settings: Settings) -> float:
    """Seconds after which an unfinished chunk is sent again: by then a dead worker's chunk was restored to the
    queue and run (its lease expired, a live worker swept, a wait), so one still missing was lost some other way."""
    return LEASE_SECONDS + 2 * RENEW_SECONDS + WAIT_SECONDS


def check_workers(client: Client, local_model_version: str, *, wait: float = 0.0) -> list[WorkerInfo]:
    """The live workers, if there are any (waiting up to `wait` seconds for one: `jobmatch worker & jobmatch
    batch --via-queue` is the usual script) and all run `local_model_version`; else raises `NoWorkers`."""
    workers = client.workers()
    if not workers and wait > 0:
        print(f"jobmatch batch: no live worker yet; waiting up to {wait:g} s for one", file=sys.stderr)
    workers = workers or client.wait_for_workers(wait)
    other = [w for w in workers if w.model_version != local_model_version]
    if other:
        names = ", ".join(f"{w.hostname} runs {w.model_version}" for w in other)
        raise NoWorkers(
            f"model version mismatch: this machine has {local_model_version}, but {names}; "
            "run the same seeds and code on both sides (or run `jobmatch batch` without --via-queue)"
        )
    return workers


def run_via_queue(
    client: Client,
    source: IO[bytes],
    out: IO[str],
    *,
    local_model_version: str,
    chunk_lines: int = QUEUE_CHUNK_LINES,
    window: int | None = None,
    progress: bool = False,
    total: int | None = None,
) -> BatchSummary:
    """Classify a JSONL feed on the workers, writing one result line per input line in input order.

    Raises `NoWorkers` (no live worker, or a model version other than `local_model_version`) before
    sending anything, and `RedisUnavailable` if Redis goes away for longer than a blip.
    """
    client.check()
    workers = check_workers(client, local_model_version)
    window = window or max(4, 2 * sum(w.concurrency for w in workers))
    chunks = _collect(client, byte_chunks(source, chunk_lines), window)
    return write_chunks(chunks, out, progress=progress, total=total)


def _collect(client: Client, chunks: Iterator[tuple[int, int, bytes]], window: int) -> Iterator[ChunkResult]:
    """Send `chunks` (first line, last line, bytes) to the workers, at most `window` at a time, and yield them
    classified in input order."""
    errors: tuple[type[BaseException], ...] = (OperationalError, *REDIS_ERRORS)
    batch_id = uuid.uuid4().hex
    done_key = client.keys.batch_done(batch_id)
    app = client.app
    sent = written = 0
    ready: dict[int, tuple[dict[str, Any], str]] = {}  # collected, waiting for an earlier chunk: summary, text
    pending: dict[int, tuple[int, int, float]] = {}  # sent, not collected: first and last line, when sent
    overdue = resend_after(client.settings)
    warned = False
    try:
        exhausted = False
        while True:
            while not exhausted and sent - written < window:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                first, last, data = chunk
                client.store.put_lines(batch_id, sent, data)
                app.send_task(CLASSIFY_BATCH, args=[batch_id, sent, first])
                pending[sent] = (first, last, time.monotonic())
                sent += 1
            if exhausted and written == sent:
                break
            now = time.monotonic()
            for index, (first, last, since) in list(pending.items()):
                if now - since > overdue:
                    print(f"jobmatch batch: chunk {index} (lines {first}-{last}) not finished "
                          f"{now - since:.0f} s after it was sent; sending it again", file=sys.stderr)  # fmt: skip
                    app.send_task(CLASSIFY_BATCH, args=[batch_id, index, first])  # its lines are still kept
                    pending[index] = (first, last, now)
            reply = cast(tuple[bytes, bytes] | None, client.redis.blpop([done_key], timeout=WAIT_SECONDS))
            if reply is None:
                if not client.workers() and not warned:
                    print(
                        "jobmatch batch: no live worker; waiting (chunks a dead worker held return to the queue "
                        f"{LEASE_SECONDS:g} s after its last lease renewal, once a worker runs)",
                        file=sys.stderr,
                    )
                    warned = True
                continue
            index = int(reply[1])
            if index < written or index in ready:
                continue  # a chunk finished twice
            taken = client.store.take_chunk(batch_id, index)
            if taken is None:
                continue
            ready[index] = taken
            pending.pop(index, None)
            while written in ready:
                counts, text = ready.pop(written)
                yield ChunkResult(text=text, summary=BatchSummary.from_dict(counts))
                written += 1
        client.redis.delete(done_key)
    except errors as exc:
        raise unavailable(client.settings, exc) from None
