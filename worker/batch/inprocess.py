"""`jobmatch batch` in one process: a JSONL feed in, one result line out per line in, streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from matching import Classifier

from ..chunks import BatchSummary, render_chunk
from ..lines import iter_result_chunks
from .output import write_chunks

__all__ = ["classify_stream"]


def classify_stream(
    classifier: Classifier,
    records: Iterable[tuple[int, object]],
    out: IO[str],
    *,
    progress: bool = False,
    total: int | None = None,
) -> BatchSummary:
    """Classify records, writing one JSON line per record in input order, and summarise the run."""
    chunks = (render_chunk(results) for results in iter_result_chunks(classifier, records))
    return write_chunks(chunks, out, progress=progress, total=total)
