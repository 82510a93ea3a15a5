"""Writing a batch's classified chunks in input order, with a progress bar on a terminal and the run's summary."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO

from ..chunks import BatchSummary, ChunkResult

__all__ = ["write_chunks"]


def write_chunks(
    chunks: Iterable[ChunkResult], out: IO[str], *, progress: bool = False, total: int | None = None
) -> BatchSummary:
    """Write each chunk's result lines to `out` as it comes, and return the summary of them all.

    With `progress`, a bar on standard error counts postings towards `total` (None: unknown). It appears with the
    first chunk: by then `--workers` helpers are forked, and tqdm's monitor thread must not exist when they are.
    """
    summary = BatchSummary()
    bar = None
    try:
        for chunk in chunks:
            if progress and bar is None:
                from tqdm import tqdm  # only a run on a terminal pays for importing it

                bar = tqdm(total=total, unit=" postings", file=sys.stderr, dynamic_ncols=True)
            out.write(chunk.text)
            summary.merge(chunk.summary)
            if bar is not None:
                bar.update(chunk.summary.total)
    finally:
        if bar is not None:
            bar.close()
    return summary
