"""A JSONL feed's lines as records, classified chunk by chunk in input order: what every batch path and the
service's tasks run on. `decoding` reads each line; one that is not JSON becomes a `rejected` result naming its line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from matching import Classifier, rejected_result

from .chunks import CLASSIFY_POSTINGS
from .decoding import Repaired, Undecodable, decode_line, value_of, with_warnings

__all__ = ["classify_chunk", "decode_line", "iter_result_chunks", "read_records"]


def read_records(stream: IO[str]) -> Iterator[tuple[int, object]]:
    """(line number, decoded JSON or the decoding error) for every non-blank line of a JSONL stream."""
    for number, line in enumerate(stream, start=1):
        if line.isspace() or not line:  # not strip(): that copies every line of the feed
            continue
        yield number, decode_line(line)


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
    """Results for one chunk of (line, record), in order; undecodable lines are rejected with their line, and
    the results of repaired ones carry their `warnings`.

    A line number of None (a posting that came from no file: the intake stream) is left out of messages.
    """
    decodable = [(line, value_of(record)) for line, record in chunk if not isinstance(record, Undecodable)]
    results = iter(classifier.classify_records(decodable))
    out = []
    for line, record in chunk:
        if isinstance(record, Undecodable):
            where = f"line {line}: " if line is not None else ""
            out.append(rejected_result(None, where + record.reason,
                                       model_version=classifier.model_version, line=line))  # fmt: skip
        elif isinstance(record, Repaired):
            out.append(with_warnings(next(results), record.warnings))
        else:
            out.append(next(results))
    return out


def iter_result_chunks(classifier: Classifier, records: Iterable[tuple[int, object]]) -> Iterator[list[dict[str, Any]]]:
    """Results chunk by chunk, in input order: memory stays flat however long the feed."""
    for chunk in _chunks(records, CLASSIFY_POSTINGS):
        yield classify_chunk(classifier, chunk)
