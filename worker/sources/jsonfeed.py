"""Generic JSON and JSON-lines feeds at a URL, mapped onto postings field by field through dotted paths."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .base import FetchResult, FetchState, Options, Posting, SourceConfig
from .errors import SourceFormatError
from .http import FetchPolicy
from .records import MAPPABLE_FIELDS, RecordContext, Records, dig, map_fields, parse_json, type_name

__all__ = [
    "FORMATS",
    "JsonFeedSource",
    "RecordMapping",
    "collect_json_lines",
    "decode_text",
    "mapping_options",
]

FORMATS: tuple[str, ...] = ("json", "jsonl")


@dataclass(frozen=True)
class RecordMapping:
    """How a generic record becomes a posting: `fields` (posting field → dotted path), default company."""

    source: str
    fields: Mapping[str, str] = field(default_factory=dict)
    company: str | None = None

    def __call__(self, context: RecordContext, record: Any) -> Posting:
        return map_fields(context, record, source=self.source, fields=self.fields, company=self.company)


def mapping_options(options: Options) -> RecordMapping:
    """Read the `fields` table and the `company` option shared by the generic kinds."""
    return RecordMapping(
        source=options.config.name,
        fields=options.text_mapping("fields", allowed_keys=MAPPABLE_FIELDS),
        company=options.text("company"),
    )


def decode_text(content: bytes, *, source: str, where: str) -> str:
    """UTF-8 text (a BOM is dropped). Raises `SourceFormatError` naming `where` (URL or path)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(f"{source}: {where}: body is not UTF-8 text: {exc}", source=source, url=where) from None


def collect_json_lines(records: Records, text: str, mapping: RecordMapping) -> None:
    """One record per non-blank line; a line that is not JSON becomes a `RecordError` with its number."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            records.reject(f"line {number}", None, f"malformed JSON at column {exc.colno}: {exc.msg}")
            continue
        records.collect(f"line {number}", mapping, record)


@dataclass(frozen=True)
class JsonFeedSource:
    """Options: `url` (required, http/https), `format` ("json" or "jsonl"; default from the URL),
    `items` (dotted path to the list in a JSON document, "" for a top-level list), `fields`, `company`.
    """

    config: SourceConfig
    url: str
    mapping: RecordMapping
    format: str = "json"
    items: str = ""
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def from_config(cls, config: SourceConfig, policy: FetchPolicy | None = None) -> JsonFeedSource:
        options = Options(config)
        url = options.required_url("url")
        guessed = "jsonl" if url.split("?")[0].endswith((".jsonl", ".ndjson")) else "json"
        kind = options.choice("format", FORMATS, default=guessed)
        items = options.text("items", default="", allow_empty=True) or ""
        if items and kind != "json":
            raise options.error("items", "only applies to format 'json'")
        source = cls(
            config=config,
            policy=policy or FetchPolicy(),
            url=url,
            mapping=mapping_options(options),
            format=kind,
            items=items,
        )
        options.finish()
        return source

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult:
        """Fetch and map. Raises `SourceFormatError` for a malformed document or no list at `items`."""
        name = self.config.name
        fetched = self.policy.get(
            client,
            self.url,
            headers={"Accept": "application/json, application/x-ndjson;q=0.9"},
            state=state,
            source=name,
        )
        if fetched.not_modified:
            return FetchResult.unchanged(fetched.state)
        records = Records(name)
        if self.format == "jsonl":
            collect_json_lines(records, decode_text(fetched.content, source=name, where=fetched.url), self.mapping)
            return records.result(fetched.state)
        document = parse_json(fetched.content, source=name, url=fetched.url)
        items = dig(document, self.items) if self.items else document
        if not isinstance(items, list):
            at = f"items path {self.items!r}" if self.items else "the top level"
            raise SourceFormatError(
                f"{name}: {fetched.url}: expected a list at {at}, got {type_name(items)}",
                source=name,
                url=fetched.url,
            )
        prefix = self.items or ""
        for index, item in enumerate(items):
            records.collect(f"{prefix}[{index}]", self.mapping, item)
        return records.result(fetched.state)
