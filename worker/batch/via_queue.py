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

A chunk not finished `resend_after(settings)` seconds after it was sent (the visibility timeout plus the
time workers take to notice) is sent again: kombu's Redis transport pops a message from the queue before it
records it as unacknowledged, so a worker killed in between loses it, and only the client can tell.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any, cast

from .batch import BatchSummary, result_lines
from .classification import Item
from .client import Client
from .errors import NoWorkers
from .heartbeat import WorkerInfo
from .redisconn import REDIS_ERRORS, unavailable
from .settings import Settings

__all__ = [
    "CHUNK_LINES",
    "check_workers",
    "chunk_items",
    "decode_summary",
    "encode_summary",
    "render_chunk",
    "resend_after",
    "run_via_queue",
]

# Lines per chunk: 500 moved 3,256-3,361 postings/s in bench/via_queue.py, 200 3,070-3,099 (the per-chunk cost
# weighs more now that classifying is faster); about 2 MB of raw text per chunk in Redis, a few in flight.
CHUNK_LINES = 500
WAIT_SECONDS = 5  # BLPOP timeout; between waits the client checks that some worker is still alive


def resend_after(settings: Settings) -> float:
    """Seconds after which an unfinished chunk is sent again: by then a dead worker's chunk was restored to the
    queue and run (visibility timeout, restore interval, a wait), so one still missing was lost in transit."""
    from .app import restore_every

    timeout = settings.visibility_timeout_seconds
    return timeout + 2 * restore_every(timeout) + WAIT_SECONDS


def check_workers(client: Client, local_model_version: str) -> list[WorkerInfo]:
    """The live workers, if there are any and all run `local_model_version`; else raises `NoWorkers`."""
    workers = client.workers()
    if not workers:
        raise NoWorkers(
            f"no live worker under key prefix {client.settings.key_prefix!r} (no heartbeat in the last seconds): "
            "start one with `jobmatch worker`"
        )
    other = [w for w in workers if w.model_version != local_model_version]
    if other:
        names = ", ".join(f"{w.hostname} runs {w.model_version}" for w in other)
        raise NoWorkers(
            f"model version mismatch: this machine has {local_model_version}, but {names}; "
            "run the same seeds and code on both sides (or run `jobmatch batch` without --via-queue)"
        )
    return workers


def encode_summary(summary: BatchSummary) -> dict[str, Any]:
    """A chunk's summary as plain JSON data (the worker stores it next to the chunk's result lines)."""
    return {
        "total": summary.total,
        "statuses": dict(summary.statuses),
        "roles": dict(summary.roles),
        "rejected": [[line, error] for line, error in summary.rejected_lines],
    }


def decode_summary(data: dict[str, Any]) -> BatchSummary:
    """The `BatchSummary` that `encode_summary` wrote."""
    return BatchSummary(
        total=int(data["total"]),
        statuses=Counter(data["statuses"]),
        roles=Counter(data["roles"]),
        rejected_lines=[(line, str(error)) for line, error in data["rejected"]],
    )


def chunk_items(data: bytes, first_line: int) -> list[Item]:
    """A chunk's raw bytes (as `_byte_chunks` cut them) as postings numbered from `first_line`, blank lines left
    out: the lines, numbers and text `read_records` reads from the feed opened as `jobmatch batch` opens it."""
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    last = lines.pop()  # after the final newline: empty, or a last line without one
    items = [
        Item(line + "\n", number) for number, line in enumerate(lines, start=first_line) if line and not line.isspace()
    ]
    if last and not last.isspace():
        items.append(Item(last, first_line + len(lines)))
    return items


def render_chunk(results: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """A classified chunk as the worker stores it: its summary (`encode_summary`) and its result lines."""
    results = list(results)
    summary = BatchSummary()
    for result in results:
        summary.add(result)
    return encode_summary(summary), result_lines(results)


def _byte_chunks(source: IO[bytes], size: int) -> Iterator[tuple[int, int, bytes]]:
    """(first line number, last line number, raw bytes) of chunks of `size` lines of a feed read as bytes.

    Reading bytes spares the client decoding the feed and encoding it again for Redis; the workers decode it as
    `jobmatch batch` does (UTF-8, undecodable bytes kept). A chunk holding a carriage return is given universal
    newlines first (a lone "\r" ends a line, "\r\n" is one line break), as text-mode reading does, so line numbers
    agree with the in-process batch.
    """
    number = 0
    while lines := list(islice(source, size)):
        data = b"".join(lines)
        count = len(lines)
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            count = data.count(b"\n") + (not data.endswith(b"\n"))
        yield number + 1, number + count, data
        number += count


def run_via_queue(
    client: Client,
    source: IO[bytes],
    out: IO[str],
    *,
    local_model_version: str,
    chunk_lines: int = CHUNK_LINES,
    window: int | None = None,
    progress: bool = False,
    total: int | None = None,
) -> BatchSummary:
    """Classify a JSONL feed on the workers, writing one result line per input line in input order.

    Raises `NoWorkers` (no live worker, or a model version other than `local_model_version`) before
    sending anything, and `RedisUnavailable` if Redis goes away for longer than a blip.
    """
    from kombu.exceptions import OperationalError

    from .tasks import CLASSIFY_BATCH

    errors: tuple[type[BaseException], ...] = (OperationalError, *REDIS_ERRORS)
    client.check()
    workers = check_workers(client, local_model_version)
    window = window or max(4, 2 * sum(w.concurrency for w in workers))
    batch_id = uuid.uuid4().hex
    done_key = client.keys.batch_done(batch_id)
    summary = BatchSummary()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit=" postings", file=sys.stderr, dynamic_ncols=True)
    app = client.app
    chunks = _byte_chunks(source, chunk_lines)
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
                        f"after the visibility timeout, {client.settings.visibility_timeout_seconds:g} s)",
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
                out.write(text)
                done = decode_summary(counts)
                summary.merge(done)
                if bar is not None:
                    bar.update(done.total)
                written += 1
        client.redis.delete(done_key)
    except errors as exc:
        raise unavailable(client.settings, exc) from None
    finally:
        if bar is not None:
            bar.close()
    return summary
