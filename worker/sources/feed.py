"""RSS 2.0 and Atom feeds, parsed by feedparser from bytes fetched here (feedparser fetches nothing)."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx

from matching.text import to_text

from .base import FetchResult, FetchState, Options, Posting, SourceConfig
from .errors import SourceFormatError
from .http import FetchPolicy
from .records import (
    RecordContext,
    RecordProblem,
    Records,
    new_posting,
    optional_posted_at,
    optional_text,
    read_id,
    require_text,
    type_name,
)

__all__ = ["FeedSource"]

_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
# feedparser sets `bozo` for these too, but they do not mean entries were lost.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class FeedSource:
    """Options: `url` (required, http/https), `company` (default: each entry's own, if it has one)."""

    config: SourceConfig
    url: str
    company: str | None = None
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def from_config(cls, config: SourceConfig, policy: FetchPolicy | None = None) -> FeedSource:
        options = Options(config)
        source = cls(
            config=config,
            policy=policy or FetchPolicy(),
            url=options.required_url("url"),
            company=options.text("company"),
        )
        options.finish()
        return source

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult:
        """Fetch and parse the feed. Raises `SourceFormatError` when it is not a feed at all."""
        name = self.config.name
        fetched = self.policy.get(client, self.url, headers={"Accept": _ACCEPT}, state=state, source=name)
        if fetched.not_modified:
            return FetchResult.unchanged(fetched.state)
        # Handing feedparser a stream, never a string: a string that looks like a URL it would fetch.
        parsed = feedparser.parse(
            io.BytesIO(fetched.content),
            response_headers={
                "content-type": fetched.headers.get("Content-Type", "application/xml"),
                "content-location": fetched.url,
            },
        )
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        malformed = problem is not None and not isinstance(problem, _HARMLESS)
        if not parsed.entries and (malformed or not parsed.get("version")):
            reason = f": {problem}" if problem is not None else ""
            raise SourceFormatError(
                f"{name}: {fetched.url}: not a readable RSS or Atom feed{reason}",
                source=name,
                url=fetched.url,
            )
        records = Records(name)
        if malformed:
            records.note("feed", f"feed is not well-formed ({problem}); entries after the fault may be missing")
        for index, entry in enumerate(parsed.entries):
            records.collect(f"entry {index}", self._posting, entry)
        return records.result(fetched.state)

    def _posting(self, context: RecordContext, entry: Any) -> Posting:
        if not hasattr(entry, "get"):
            raise RecordProblem(None, f"expected an entry, got {type_name(entry)}")
        if not (entry.get("id") or entry.get("link")):
            raise RecordProblem("id", "entry has no id, guid or link")
        own_id = read_id(entry.get("id") or entry.get("link"))
        context.identify(own_id)
        title = require_text(entry.get("title"), "title")
        return new_posting(
            self.config.name,
            own_id,
            title,
            description=_description(entry),
            company=self.company or optional_text(context, entry.get("company"), "company"),
            location=optional_text(context, entry.get("location"), "location"),
            url=optional_text(context, entry.get("link"), "url"),
            posted_at=_when(context, entry),
        )


def _description(entry: Any) -> str:
    """The fullest body the entry has: Atom `content` (HTML preferred), else the summary/description."""
    contents = [item for item in entry.get("content") or [] if isinstance(item.get("value"), str)]
    contents.sort(key=lambda item: 0 if "html" in str(item.get("type", "")) else 1)
    body = contents[0]["value"] if contents else entry.get("summary")
    return to_text(body) if isinstance(body, str) else ""


def _when(context: RecordContext, entry: Any) -> str | None:
    """Published (else updated) time, which feedparser has already parsed to UTC."""
    # Plain dict lookups: FeedParserDict.get maps a missing `updated*` onto `published*` with a DeprecationWarning.
    fields = entry if isinstance(entry, dict) else {}
    for key in ("published", "updated"):
        parsed = dict.get(fields, f"{key}_parsed")
        if isinstance(parsed, time.struct_time):
            return datetime(*parsed[:6], tzinfo=UTC).isoformat(timespec="seconds")
        if dict.get(fields, key):
            # feedparser could not read it; try ours before giving up on it.
            return optional_posted_at(context, dict.get(fields, key))
    return None
