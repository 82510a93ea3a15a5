"""`jobmatch batch --workers N`: the in-process batch's exact output, classified by N processes.

This process reads lines, cuts them into chunks of raw lines and writes the classified text back in input order;
N - 1 helper processes (forked with the loaded classifier on Linux, else spawned to load the cached artefact)
decode and classify the chunks it hands out, and this process classifies a chunk itself whenever the helpers
have enough queued. Every classifying process holds the model, numpy and scipy (about 65 MB), so N - 1 helpers
plus a dispatching parent that also classifies costs one interpreter less than N helpers and an idle parent. At most
`IN_FLIGHT_PER_WORKER` chunks per helper and `LOCAL_AHEAD` chunks classified here wait to be written, so memory
does not grow with the feed.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import IO

from matching import Classifier

from ..chunks import WORKERS_CHUNK_LINES, BatchSummary, ChunkResult, render_chunk
from ..errors import WorkerError
from ..lines import iter_result_chunks, read_records
from ..runtime import freeze_long_lived, load_classifier
from ..settings import Settings
from .inprocess import classify_stream
from .output import write_chunks

__all__ = [
    "IN_FLIGHT_PER_WORKER",
    "LOCAL_AHEAD",
    "classify_lines",
    "classify_stream_parallel",
    "default_start_method",
    "iter_output_chunks",
]

# Chunks queued per helper process: one being classified, one waiting, so a helper never idles on the parent.
IN_FLIGHT_PER_WORKER = 2
# Chunks this process may classify ahead of the oldest chunk still at a helper.
LOCAL_AHEAD = 4


def default_start_method() -> str:
    """`fork` on Linux: helpers inherit the loaded classifier, start in milliseconds and share its pages, which
    lowers the summed RSS (no second import, no resource-tracker process). `spawn` elsewhere (fork is unsafe on
    macOS and absent on Windows); spawned helpers load the cached artefact."""
    return "fork" if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def classify_lines(classifier: Classifier, first_line: int, lines: list[str]) -> ChunkResult:
    """Decode, classify and serialise one chunk of raw lines numbered from `first_line`, as `classify_stream` would."""
    offset = first_line - 1
    records = ((number + offset, record) for number, record in read_records(io.StringIO("".join(lines))))
    return render_chunk(result for results in iter_result_chunks(classifier, records) for result in results)


# -- helper processes ----------------------------------------------------------------------------------------

_helper_classifier: Classifier | None = None
_helper_failure: str | None = None


def _start_helper(settings: Settings, inherited: Classifier | None) -> None:
    """Take the forked parent's classifier, or load it once (spawn); keep a failure for every task to report."""
    global _helper_classifier, _helper_failure
    if inherited is not None:
        _helper_classifier = inherited
        return
    try:
        _helper_classifier = load_classifier(settings)
    except Exception as exc:  # reported by each task as a WorkerError: the pool must not die without a word
        _helper_failure = f"{type(exc).__name__}: {exc}"
        return
    freeze_long_lived()


def _classify_in_helper(first_line: int, spooled: str) -> ChunkResult:
    """Classify the chunk spooled at `spooled` + ".in"; its output goes to `spooled` + ".out", the tally back."""
    if _helper_classifier is None:
        raise WorkerError(f"batch helper process could not load the classifier: {_helper_failure}")
    with open(spooled + ".in", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        text = handle.read()
    done = classify_lines(_helper_classifier, first_line, [text])
    with open(spooled + ".out", "w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        handle.write(done.text)
    return ChunkResult(summary=done.summary)


def _spool_chunk(folder: str, first_line: int, lines: list[str]) -> str:
    """Write a chunk's lines for a helper; returns the name its input and output files share."""
    spooled = os.path.join(folder, f"lines-{first_line}")
    with open(spooled + ".in", "w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        handle.write("".join(lines))
    return spooled


def _collect(result: ChunkResult, spooled: str) -> ChunkResult:
    """A helper's chunk with its output text read back from the spool (and the spool files removed)."""
    with open(spooled + ".out", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        result.text = handle.read()
    os.unlink(spooled + ".in")
    os.unlink(spooled + ".out")
    return result


# -- dispatching ---------------------------------------------------------------------------------------------


def _line_chunks(lines: Iterable[str], size: int) -> Iterator[tuple[int, list[str]]]:
    chunk: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        if not chunk:
            first = number
        chunk.append(line)
        if len(chunk) >= size:
            yield first, chunk
            chunk = []
    if chunk:
        yield first, chunk


def iter_output_chunks(
    settings: Settings,
    lines: Iterable[str],
    *,
    workers: int,
    classifier: Classifier | None = None,
    chunk_lines: int = WORKERS_CHUNK_LINES,
    in_flight_per_worker: int = IN_FLIGHT_PER_WORKER,
    local_ahead: int = LOCAL_AHEAD,
    start_method: str | None = None,
) -> Iterator[ChunkResult]:
    """Classified chunks in input order from this process and `workers - 1` helper processes started with
    `start_method` (default: `default_start_method()`). At most
    `(workers - 1) * in_flight_per_worker + local_ahead` chunks are read ahead of the one being yielded.

    Raises what `load_classifier` raises for this process, WorkerError when a helper cannot load the
    classifier, BrokenProcessPool when a helper dies.
    """
    if workers < 1:
        raise ValueError(f"workers: expected a positive number, got {workers}")
    # Loaded here first: a bad seeds folder fails before any helper starts, and helpers find the artefact cached.
    local = classifier if classifier is not None else load_classifier(settings)
    helpers = workers - 1
    at_helpers = helpers * in_flight_per_worker
    limit = at_helpers + local_ahead
    method = start_method or default_start_method()
    pool = None
    if helpers:
        pool = ProcessPoolExecutor(
            max_workers=helpers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_helper,
            # A forked helper receives the classifier without pickling; a spawned one loads the artefact.
            initargs=(settings, local if method == "fork" else None),
        )
    # Chunks go to helpers and come back through files in a private folder, not pickled through the pool's
    # pipes: a megabyte through a pipe hands the GIL back and forth with this process's classifying thread
    # dozens of times, and that cost --workers 2 about a tenth of its speed (1.65x -> 1.75-1.8x one process).
    spool = tempfile.TemporaryDirectory(prefix="jobmatch-batch-") if pool is not None else None
    pending: deque[tuple[Future[ChunkResult], str] | ChunkResult] = deque()

    def ready(item: tuple[Future[ChunkResult], str] | ChunkResult) -> bool:
        return not isinstance(item, tuple) or item[0].done()

    def finish(item: tuple[Future[ChunkResult], str] | ChunkResult) -> ChunkResult:
        return _collect(item[0].result(), item[1]) if isinstance(item, tuple) else item

    try:
        for first, chunk in _line_chunks(lines, chunk_lines):
            busy = sum(1 for p in pending if not ready(p))
            if pool is not None and spool is not None and busy < at_helpers:
                spooled = _spool_chunk(spool.name, first, chunk)
                pending.append((pool.submit(_classify_in_helper, first, spooled), spooled))
            else:
                pending.append(classify_lines(local, first, chunk))
            while pending and (len(pending) >= limit or ready(pending[0])):
                yield finish(pending.popleft())
        while pending:
            yield finish(pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if spool is not None:
            spool.cleanup()


def classify_stream_parallel(
    settings: Settings,
    lines_in: IO[str],
    out: IO[str],
    *,
    workers: int,
    classifier: Classifier | None = None,
    progress: bool = False,
    total: int | None = None,
) -> BatchSummary:
    """`classify_stream` with `workers` classifying processes: byte for byte the same output and summary.

    `classifier` is this process's (loaded from the settings when not given); helpers load their own from the
    artefact cache. `workers=1` is `classify_stream` itself. Raises what `load_classifier` raises, WorkerError
    when a helper process cannot load the classifier.
    """
    local = classifier if classifier is not None else load_classifier(settings)
    if workers == 1:
        return classify_stream(local, read_records(lines_in), out, progress=progress, total=total)
    chunks = iter_output_chunks(settings, lines_in, workers=workers, classifier=local)
    return write_chunks(chunks, out, progress=progress, total=total)
