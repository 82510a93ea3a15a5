"""`jobmatch batch`: a JSONL feed in, one result line out per line in, streamed in chunks."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from matching import Classifier, rejected_result

__all__ = [
    "MAX_REJECTIONS_SHOWN",
    "BatchSummary",
    "classify_chunk",
    "classify_stream",
    "decode_line",
    "iter_result_chunks",
    "read_records",
    "result_lines",
]

CHUNK_SIZE = 256  # postings per vectorised call: large enough to amortise, small enough to stream


MAX_REJECTIONS_SHOWN = 20  # a summary lists this many rejected lines and counts the rest


@dataclass
class BatchSummary:
    """What a batch run produced: counts per verdict and role, and the first rejected lines with their errors
    (only the first few are kept, so a feed of a million bad lines costs no more memory than a good one)."""

    total: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    rejected_lines: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, result: dict[str, Any]) -> None:
        self.total += 1
        self.statuses[result["status"]] += 1
        if result["status"] == "matched":
            self.roles[result["role"]] += 1
        elif result["status"] == "rejected" and len(self.rejected_lines) < MAX_REJECTIONS_SHOWN:
            self.rejected_lines.append((result.get("line"), result["error"]))

    def merge(self, other: BatchSummary) -> None:
        """Add the counts of a summary of the lines that follow this one's (a parallel chunk's)."""
        self.total += other.total
        self.statuses.update(other.statuses)
        self.roles.update(other.roles)
        room = MAX_REJECTIONS_SHOWN - len(self.rejected_lines)
        self.rejected_lines.extend(other.rejected_lines[: max(room, 0)])

    def render(self) -> str:
        lines = [f"{self.total} postings: " + ", ".join(
            f"{self.statuses[s]} {s}" for s in ("matched", "no_match", "rejected")
        )]  # fmt: skip
        for role, count in sorted(self.roles.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {count:>7}  {role}")
        for line, error in self.rejected_lines:
            lines.append(f"  rejected: {error}" if line is None or f"line {line}" in error
                         else f"  rejected line {line}: {error}")  # fmt: skip
        more = self.statuses["rejected"] - len(self.rejected_lines)
        if more > 0:
            lines.append(f"  ... and {more} more rejected lines")
        return "\n".join(lines)


def result_lines(results: Iterable[dict[str, Any]]) -> str:
    """Results as JSON lines: the one serialisation every batch path writes, so their outputs compare byte for byte."""
    return "".join(_result_line(r) for r in results)


def _result_line(result: dict[str, Any]) -> str:
    try:
        return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    except TypeError:
        # A lone surrogate (an invalid byte of the input, or a "\udc80" escape) is not UTF-8: escape it
        # instead (ASCII JSON), so the result is kept exactly rather than the run failing.
        return json.dumps(result, separators=(",", ":")) + "\n"


def read_records(stream: IO[str]) -> Iterator[tuple[int, object]]:
    """(line number, decoded JSON or the decoding error) for every non-blank line of a JSONL stream."""
    for number, line in enumerate(stream, start=1):
        if line.isspace() or not line:  # not strip(): that copies every line of the feed
            continue
        yield number, decode_line(line)


def decode_line(line: str) -> object:
    """One line's JSON value, or the decoding error that `classify_chunk` turns into a `rejected` result."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        pass  # orjson refuses what is not UTF-8 too: the standard parser decides, and words the error
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return _Undecodable(f"not valid JSON: {exc.msg} (column {exc.colno})")


class _Undecodable:
    """A line that is not JSON; the classifier turns it into a `rejected` result with this reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _chunks(records: Iterable[tuple[int, object]], size: int) -> Iterator[list[tuple[int, object]]]:
    chunk: list[tuple[int, object]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def classify_chunk(classifier: Classifier, chunk: Sequence[tuple[int | None, object]]) -> list[dict[str, Any]]:
    """Results for one chunk of (line, record), in order; undecodable lines are rejected with their line.

    A line number of None (a posting that came from no file: the intake stream) is left out of messages.
    """
    decodable = [(line, record) for line, record in chunk if not isinstance(record, _Undecodable)]
    results = iter(classifier.classify_records(decodable))
    out = []
    for line, record in chunk:
        if isinstance(record, _Undecodable):
            where = f"line {line}: " if line is not None else ""
            out.append(rejected_result(None, where + record.reason,
                                       model_version=classifier.model_version, line=line))  # fmt: skip
        else:
            out.append(next(results))
    return out


def iter_result_chunks(classifier: Classifier, records: Iterable[tuple[int, object]]) -> Iterator[list[dict[str, Any]]]:
    """Results chunk by chunk, in input order: memory stays flat however long the feed."""
    for chunk in _chunks(records, CHUNK_SIZE):
        yield classify_chunk(classifier, chunk)


def classify_stream(
    classifier: Classifier,
    records: Iterable[tuple[int, object]],
    out: IO[str],
    *,
    progress: bool = False,
    total: int | None = None,
) -> BatchSummary:
    """Classify records, writing one JSON line per record in input order, and summarise the run."""
    summary = BatchSummary()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit=" postings", file=sys.stderr, dynamic_ncols=True)
    for results in iter_result_chunks(classifier, records):
        out.write(result_lines(results))
        for result in results:
            summary.add(result)
        if bar is not None:
            bar.update(len(results))
    if bar is not None:
        bar.close()
    return summary
