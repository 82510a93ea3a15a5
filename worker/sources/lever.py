"""Lever job sites: the public Postings API, paged with skip/limit until a short page.

`GET {host}/v0/postings/{site}?mode=json&skip=N&limit=M` answers a JSON list of postings with
`id`, `text` (the title), `hostedUrl`, `createdAt` (epoch milliseconds), `categories` {location,
team, commitment, department}, `description` / `descriptionPlain`, `lists` [{text, content}]
(content is HTML list items), `additional` / `additionalPlain`, and optionally `salaryRange`
{min, max, currency, interval} with intervals such as "per-year-salary" or "per-hour-wage".
Sites on Lever's EU instance are served from api.eu.lever.co (`region = "eu"`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from matching.text import markup_to_text, plain_text

from .base import FetchResult, FetchState, Options, Posting, SourceConfig
from .errors import SourceError, SourceFormatError
from .http import FetchPolicy
from .records import (
    RecordContext,
    RecordProblem,
    Records,
    dig,
    make_salary,
    new_posting,
    optional_posted_at,
    optional_text,
    parse_json,
    read_id,
    require_text,
    type_name,
)

__all__ = ["LEVER_HOSTS", "LeverSource"]

LEVER_HOSTS = {"global": "https://api.lever.co", "eu": "https://api.eu.lever.co"}
_SITE = re.compile(r"[A-Za-z0-9_.-]+")
# "per-year-salary", "per-hour-wage", "per-month-salary", ... → the posting's period.
_INTERVAL = re.compile(r"per-(hour|day|week|month|year)(?:-[a-z]+)?")


@dataclass(frozen=True)
class LeverSource:
    """Options: `site` (required), `region` ("global" or "eu"), `company` (default: the site),
    `page_size` (default 100), `max_pages` (default 50), `base_url` (overrides the region's host)."""

    config: SourceConfig
    site: str
    company: str
    base_url: str = LEVER_HOSTS["global"]
    page_size: int = 100
    max_pages: int = 50
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def from_config(cls, config: SourceConfig, policy: FetchPolicy | None = None) -> LeverSource:
        options = Options(config)
        site = options.required_text("site", pattern=_SITE)
        region = options.choice("region", tuple(LEVER_HOSTS), default="global")
        source = cls(
            config=config,
            policy=policy or FetchPolicy(),
            site=site,
            company=options.text("company") or site,
            base_url=options.url("base_url") or LEVER_HOSTS[region],
            page_size=options.integer("page_size", default=100, minimum=1, maximum=1000),
            max_pages=options.integer("max_pages", default=50, minimum=1, maximum=10_000),
        )
        options.finish()
        return source

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}/v0/postings/{self.site}"

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult:
        """Fetch every page. Raises `SourceError` subclasses; a bad posting becomes a `RecordError`.

        Only a listing that fits on one page keeps its ETag for next time: with more pages, an
        unchanged first page says nothing about the others, so such a listing is always fetched whole.
        A later page that cannot be fetched or read does not throw away the pages before it: they come
        back as an `incomplete` result naming the failure. (A listing that repeats itself or runs past
        `max_pages` is wrong as a whole, and raises.)
        """
        name = self.config.name
        records = Records(name)
        skip = 0
        for page in range(self.max_pages):
            try:
                fetched = self.policy.get(
                    client,
                    self.url,
                    params={"mode": "json", "skip": skip, "limit": self.page_size},
                    headers={"Accept": "application/json"},
                    state=state if page == 0 else None,
                    source=name,
                )
                if fetched.not_modified:
                    return FetchResult.unchanged(fetched.state)
                postings = parse_json(fetched.content, source=name, url=fetched.url)
                if not isinstance(postings, list):
                    raise SourceFormatError(
                        f"{name}: {fetched.url}: expected a list of postings, got {type_name(postings)}",
                        source=name,
                        url=fetched.url,
                    )
            except SourceError as exc:
                if not records.postings:
                    raise
                return records.result(FetchState(), incomplete=f"{exc} (page {page + 1})")
            known = len(records.ids)
            for offset, item in enumerate(postings):
                records.collect(f"postings[{skip + offset}]", self._posting, item)
            if len(postings) < self.page_size:
                return records.result(fetched.state if page == 0 else FetchState())
            if len(records.ids) == known:
                raise SourceFormatError(
                    f"{name}: {fetched.url}: the page at skip={skip} repeats earlier postings (is skip being ignored?)",
                    source=name,
                    url=fetched.url,
                )
            skip += len(postings)
        raise SourceFormatError(
            f"{name}: {self.url}: more than {self.max_pages} pages of {self.page_size}; raise max_pages",
            source=name,
            url=self.url,
        )

    def _posting(self, context: RecordContext, item: Any) -> Posting:
        if not isinstance(item, dict):
            raise RecordProblem(None, f"expected an object, got {type_name(item)}")
        own_id = read_id(item.get("id"))
        context.identify(own_id)
        title = require_text(item.get("text"), "title")
        salary, salary_text = _pay(context, item)
        return new_posting(
            self.config.name,
            own_id,
            title,
            description=_description(item),
            company=self.company,
            location=optional_text(context, dig(item, "categories.location"), "location"),
            url=optional_text(context, item.get("hostedUrl"), "url"),
            posted_at=optional_posted_at(context, item.get("createdAt")),
            salary=salary,
            salary_text=salary_text,
        )


def _html_or_plain(item: dict[str, Any], key: str) -> str:
    """The HTML field as text, or its `...Plain` twin when the HTML one is absent."""
    markup = item.get(key)
    if isinstance(markup, str) and markup.strip():
        return markup_to_text(markup)
    plain = item.get(f"{key}Plain")
    return plain_text(plain) if isinstance(plain, str) else ""


def _description(item: dict[str, Any]) -> str:
    """Description, then each list under its heading ("Requirements", ...), then the closing text."""
    parts = [_html_or_plain(item, "description")]
    lists = item.get("lists")
    for block in lists if isinstance(lists, list) else []:
        if isinstance(block, dict):
            heading, content = block.get("text"), block.get("content")
            heading = heading.strip() if isinstance(heading, str) else ""
            body = markup_to_text(content) if isinstance(content, str) else ""
            parts.append("\n".join(part for part in (heading, body) if part))
    parts.append(_html_or_plain(item, "additional"))
    return "\n".join(part for part in parts if part)


def _pay(context: RecordContext, item: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """`salaryRange` as `salary`; otherwise the salary description, if any, as `salary_text`."""
    described = item.get("salaryDescriptionPlain") or item.get("salaryDescription")
    fallback = markup_to_text(described) if isinstance(described, str) and described.strip() else None
    pay = item.get("salaryRange")
    if not pay:
        return None, fallback
    if not isinstance(pay, dict):
        context.warn("salary", f"expected an object in 'salaryRange', got {type_name(pay)}")
        return None, fallback
    interval = pay.get("interval")
    match = _INTERVAL.fullmatch(interval) if isinstance(interval, str) else None
    try:
        if match is None:
            raise ValueError(f"unknown interval {interval!r}")
        return make_salary(pay.get("min"), pay.get("max"), pay.get("currency"), match[1]), None
    except ValueError as exc:
        raw = " ".join(str(pay[key]) for key in ("min", "max", "currency", "interval") if pay.get(key) is not None)
        context.warn("salary", f"salaryRange: {exc}; kept as salary_text")
        return None, fallback or raw or None
