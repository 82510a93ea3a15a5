"""RSS 2.0 and Atom feeds, parsed by feedparser from bytes fetched here (feedparser fetches nothing).

Multi-company boards say per entry who is hiring and where, each in its own way; what feedparser exposes is read:

- the company: the entry's author (`author_detail.name`: Stack Overflow's `<a10:author><a10:name>`, an RSS
  `<author>jobs@acme.com (Acme)</author>`, `dc:creator`), else a `<company>` element, else a title written
  "Company: Role" (We Work Remotely), which then leaves the role as the title;
- the location: `<location>` (Stack Overflow), else `<region>` (We Work Remotely);
- a title that repeats them, "Role at Company (Place)" (Stack Overflow), is cut to the role.

A `company` option names the one company of a single-company feed and wins over all of these.
"""

from __future__ import annotations

import io
import re
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
# "Company: Role": a short name before the first ": " (at most 6 words, no sentence punctuation or brackets).
_COMPANY_TITLE = re.compile(r"(?P<company>[^:.!?()]{1,60}?)\s*:\s+(?P<title>\S.*)")
# Words that open titles ("Urgent: ...", "Remote: ...") but are no company.
_NOT_COMPANIES = frozenset(
    "urgent hiring now new remote hybrid onsite on-site contract freelance full-time part-time internship job "
    "jobs position role opening update wanted immediate start apply featured sponsored closed re fw fwd".split()
)
_EMAIL_AND_NAME = re.compile(r"\S+@\S+\s*\((?P<name>[^()@]+)\)")
# A "name" holding one of these is a role ("Senior Engineer: Payments"), not a company.
_ROLE_WORDS = frozenset(
    "engineer developer manager designer analyst scientist architect senior junior lead principal staff intern "
    "specialist director officer administrator technician assistant coordinator consultant head".split()
)


@dataclass(frozen=True)
class FeedSource:
    """Options: `url` (required, http/https), `company` (default: each entry's own, if it names one)."""

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
        location = optional_text(context, entry.get("location"), "location") or optional_text(
            context, entry.get("region"), "location"
        )
        company = self.company
        if company is None:
            company = _author(entry) or optional_text(context, entry.get("company"), "company")
            if company is None:
                company, title = _company_from_title(title)
        title, place = _without_company(title, company)
        return new_posting(
            self.config.name,
            own_id,
            title,
            description=_description(entry),
            company=company,
            location=location or place,
            url=optional_text(context, entry.get("link"), "url"),
            posted_at=_when(context, entry),
        )


def _author(entry: Any) -> str | None:
    """The entry's author by name: "Acme" of an RSS "jobs@acme.com (Acme)", else `author_detail.name`, else
    `author` unless it is only an e-mail address."""
    author = entry.get("author")
    author = author.strip() if isinstance(author, str) else ""
    # feedparser's own split of "e-mail (Name)" garbles addresses with long domains ("jobs@acme.careers").
    if match := _EMAIL_AND_NAME.fullmatch(author):
        return match["name"].strip()
    detail = entry.get("author_detail")
    name = detail.get("name") if hasattr(detail, "get") else None
    if isinstance(name, str) and name.strip() and "@" not in name:
        return name.strip()
    return author if author and "@" not in author else None


def _company_from_title(title: str) -> tuple[str | None, str]:
    """("Fin", "Solutions Architect") from "Fin: Solutions Architect"; (None, title) when it is not so written."""
    match = _COMPANY_TITLE.fullmatch(title)
    if match is None:
        return None, title
    company = match["company"].strip()
    words = company.lower().split()
    if len(words) > 6 or company.lower() in _NOT_COMPANIES or _ROLE_WORDS.intersection(words):
        return None, title
    return company, match["title"].strip()


def _without_company(title: str, company: str | None) -> tuple[str, str | None]:
    """ "Full Stack Engineer at Sandstorm Design (Chicago, IL)" → ("Full Stack Engineer", "Chicago, IL"), when
    the title names the entry's own company so; any other title is left as it is."""
    if not company:
        return title, None
    match = re.fullmatch(rf"(?P<role>.+?)\s+at\s+{re.escape(company)}(?:\s*\((?P<place>[^()]+)\))?", title)
    if match is None:
        return title, None
    place = match["place"].strip() if match["place"] else None
    return match["role"].strip(), place


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
