"""A chunk of a feed, the one format every batch path hands on: raw lines in, result lines and a summary out.

`jobmatch batch` classifies a feed chunk by chunk, in this process, in `--workers` helper processes or on the
service's workers (`--via-queue`); each classified chunk is a `ChunkResult` (its result lines, exactly as the
output file gets them, and its `BatchSummary`), made by `render_chunk`, so the three outputs compare byte for byte.
The chunk sizes of the three paths are here, side by side, with why each is what it is.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from matching.market import MarketTable

__all__ = [
    "CLASSIFY_POSTINGS",
    "MAX_REJECTIONS_SHOWN",
    "NOT_JSON_LINES_HINT",
    "QUEUE_CHUNK_LINES",
    "WORKERS_CHUNK_LINES",
    "BatchSummary",
    "ChunkResult",
    "byte_chunks",
    "numbered_lines",
    "render_chunk",
    "result_lines",
]

# Postings per vectorised classifier call: large enough to amortise, small enough to stream.
CLASSIFY_POSTINGS = 256
# Lines per chunk handed to a `--workers` helper: one vectorised call's worth, ~100 ms of work against a ~0.1 ms
# round trip.
WORKERS_CHUNK_LINES = CLASSIFY_POSTINGS
# Lines per `--via-queue` chunk (`--chunk-lines`): 500 moved 3,256-3,361 postings/s in bench/via_queue.py, 200
# 3,070-3,099 (the per-chunk cost weighs more now that classifying is faster); about 2 MB of raw text per chunk in
# Redis, a few in flight.
QUEUE_CHUNK_LINES = 500

MAX_REJECTIONS_SHOWN = 20  # a summary lists this many rejected lines and counts the rest

# A rejection for a line that holds no JSON object (written by `worker.decoding` and `matching.posting`): when every
# line is one, the feed is no JSON Lines (a pretty-printed object, an array, binary data), and the summary says so.
_NOT_AN_OBJECT = ("not valid JSON: ", "expected a JSON object, got ")
NOT_JSON_LINES_HINT = (
    "  hint: no line is a JSON object: `batch` reads JSON Lines, one posting (an object) per line;\n"
    "        `jobmatch classify FILE` and `jobmatch submit FILE` take a single JSON object in any layout"
)


@dataclass
class BatchSummary:
    """What a batch run produced: counts per verdict and role, and the first rejected lines with their errors
    (only the first few are kept, so a feed of a million bad lines costs no more memory than a good one)."""

    total: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    rejected_lines: list[tuple[int | None, str]] = field(default_factory=list)
    not_objects: int = 0  # rejected lines that hold no JSON object
    # The stated pay of a chunk's matched postings (`matching.market.Observation`s as lists), counted once per
    # posting into `market` (the run's table per role, level and currency) as chunks are merged into the run's
    # summary: the same table however the feed was cut and wherever it was classified.
    observed: list[list[Any]] = field(default_factory=list)
    market: MarketTable | None = None

    def add(self, result: dict[str, Any]) -> None:
        self.total += 1
        self.statuses[result["status"]] += 1
        if result["status"] == "matched":
            self.roles[result["role"]] += 1
            if result.get("stated_salary"):
                from matching.market import observation  # here: this module loads for every command

                if (item := observation(result)) is not None:
                    self.observed.append(item.to_list())
        elif result["status"] == "rejected":
            if len(self.rejected_lines) < MAX_REJECTIONS_SHOWN:
                self.rejected_lines.append((result.get("line"), result["error"]))
            if result.get("id") is None and any(reason in str(result["error"]) for reason in _NOT_AN_OBJECT):
                self.not_objects += 1

    def merge(self, other: BatchSummary) -> None:
        """Add the counts of a summary of the lines that follow this one's (a later chunk's)."""
        self.total += other.total
        self.statuses.update(other.statuses)
        self.roles.update(other.roles)
        room = MAX_REJECTIONS_SHOWN - len(self.rejected_lines)
        self.rejected_lines.extend(other.rejected_lines[: max(room, 0)])
        self.not_objects += other.not_objects
        if other.observed or other.market:
            from matching.market import MarketTable, Observation  # here: this module loads for every command

            self.market = self.market or MarketTable()
            self.market.add_all(Observation.from_list(item) for item in other.observed)
            for (role, level, currency), histogram in (other.market.histograms if other.market else {}).items():
                self.market.histogram(role, level, currency).merge(histogram)

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
        if self.total and self.not_objects == self.total:
            lines.append(NOT_JSON_LINES_HINT)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON data (a worker stores it next to a `--via-queue` chunk's result lines)."""
        return {
            "total": self.total,
            "statuses": dict(self.statuses),
            "roles": dict(self.roles),
            "rejected": [[line, error] for line, error in self.rejected_lines],
            "not_objects": self.not_objects,
            "observed": self.observed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchSummary:
        """The summary `to_dict` wrote."""
        return cls(
            total=int(data["total"]),
            statuses=Counter(data["statuses"]),
            roles=Counter(data["roles"]),
            rejected_lines=[(line, str(error)) for line, error in data["rejected"]],
            not_objects=int(data.get("not_objects", 0)),
            observed=list(data.get("observed", [])),
        )


@dataclass
class ChunkResult:
    """One chunk classified: its output lines (JSONL text, as the output file gets them) and its tally."""

    text: str = ""
    summary: BatchSummary = field(default_factory=BatchSummary)


def render_chunk(results: Iterable[dict[str, Any]]) -> ChunkResult:
    """A classified chunk's results as its result lines and its summary."""
    results = list(results)
    done = ChunkResult(text=result_lines(results))
    for result in results:
        done.summary.add(result)
    return done


def result_lines(results: Iterable[dict[str, Any]]) -> str:
    """Results as JSON lines: the one serialisation every batch path writes, so their outputs compare byte for byte."""
    return "".join(_result_line(r) for r in results)


def _result_line(result: dict[str, Any]) -> str:
    try:
        return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    except TypeError:
        # A lone surrogate is not UTF-8. The decoder replaces those of the input (`worker.decoding`), but a
        # caller's own records may hold one: escape it instead (ASCII JSON) rather than fail the run.
        return json.dumps(result, separators=(",", ":")) + "\n"


# -- a `--via-queue` chunk on its way to a worker: raw bytes --------------------------------------------------


def byte_chunks(source: IO[bytes], size: int) -> Iterator[tuple[int, int, bytes]]:
    """(first line number, last line number, raw bytes) of chunks of `size` lines of a feed read as bytes.

    Reading bytes spares the client decoding the feed and encoding it again for Redis; the workers decode it as
    `jobmatch batch` does (UTF-8, undecodable bytes kept for the decoder to replace and name). A chunk holding a
    carriage return is given universal newlines first (a lone "\r" ends a line, "\r\n" is one line break), as
    text-mode reading does, so line numbers agree with the in-process batch.
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


def numbered_lines(data: bytes, first_line: int) -> list[tuple[int, str]]:
    """A chunk's raw bytes (as `byte_chunks` cut them) as (line number, text) from `first_line`, blank lines left
    out: the lines, numbers and text `read_records` reads from the feed opened as `jobmatch batch` opens it."""
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    last = lines.pop()  # after the final newline: empty, or a last line without one
    numbered = [
        (number, line + "\n") for number, line in enumerate(lines, start=first_line) if line and not line.isspace()
    ]
    if last and not last.isspace():
        numbered.append((first_line + len(lines), last))
    return numbered
