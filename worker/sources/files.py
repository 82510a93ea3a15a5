"""Local JSON-lines or CSV files of postings, mapped like `jsonfeed`; an unchanged file is not re-read."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .base import FetchResult, FetchState, Options, SourceConfig
from .errors import SourceTooLarge, SourceUnavailable
from .http import FetchPolicy
from .jsonfeed import RecordMapping, collect_json_lines, decode_text, mapping_options
from .records import Records

__all__ = ["FILE_FORMATS", "FileSource"]

FILE_FORMATS: tuple[str, ...] = ("jsonl", "csv")
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


@dataclass(frozen=True)
class FileSource:
    """Options: `path` (required), `format` ("jsonl" or "csv"; default from the extension), `fields`,
    `company`. The file's mtime and size stand in for an ETag: `FetchState.etag` keeps them."""

    config: SourceConfig
    path: Path
    mapping: RecordMapping
    format: str = "jsonl"
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def from_config(cls, config: SourceConfig, policy: FetchPolicy | None = None) -> FileSource:
        options = Options(config)
        path = Path(options.required_text("path")).expanduser()
        guessed = _BY_SUFFIX.get(path.suffix.lower())
        kind = options.choice("format", FILE_FORMATS, default=guessed or "")
        if not kind:
            raise options.error("format", f"cannot tell it from {path.name!r}; set format to 'jsonl' or 'csv'")
        source = cls(
            config=config,
            policy=policy or FetchPolicy(),
            path=path,
            mapping=mapping_options(options),
            format=kind,
        )
        options.finish()
        return source

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult:
        """Read and map the file (`client` is unused). Raises `SourceUnavailable` if it cannot be read."""
        name, where = self.config.name, str(self.path)
        try:
            stat = self.path.stat()
            marker = f"file:{stat.st_mtime_ns}:{stat.st_size}"
            if state.etag == marker:
                return FetchResult.unchanged(state)
            if stat.st_size > self.policy.max_bytes:
                limit = self.policy.max_bytes
                raise SourceTooLarge(f"{name}: {where}: file larger than {limit} bytes", source=name, url=where)
            content = self.path.read_bytes()
        except OSError as exc:
            raise SourceUnavailable(f"{name}: {where}: {exc.strerror or exc}", source=name, url=where) from None
        text = decode_text(content, source=name, where=where)
        records = Records(name)
        if self.format == "csv":
            _collect_csv(records, text, self.mapping)
        else:
            collect_json_lines(records, text, self.mapping)
        return records.result(FetchState(etag=marker))


def _collect_csv(records: Records, text: str, mapping: RecordMapping) -> None:
    """One record per row under the header; a malformed row becomes a `RecordError` with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        records.reject("line 1", None, f"malformed CSV header: {exc}")
        return
    while True:
        label = f"line {reader.line_num + 1}"  # where the row starts; a quoted field may span lines
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            records.reject(label, None, f"malformed CSV: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            records.reject(label, None, f"{len(row)} fields where the header has {len(header)}")
            continue
        records.collect(label, mapping, dict(zip(header, row, strict=True)))
