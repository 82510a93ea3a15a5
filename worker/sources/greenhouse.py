"""Greenhouse job boards: the public Job Board API's job list, one board per source.

`GET {base_url}/{board}/jobs?content=true&pay_transparency=true` answers
`{"jobs": [...], "meta": {"total": N}}`. Each job has `id`, `title`, `absolute_url`,
`location.name`, `updated_at` (and on most boards `first_published`), `departments`, `offices`,
`metadata`, and with `content=true` a `content` that is entity-escaped HTML ("&lt;p&gt;...").
Pay, where the board publishes it, is `pay_input_ranges: [{min_cents, max_cents, currency_type,
title, blurb}]`: cents, and no period, so the period comes from the range's title ("Hourly ...")
or else the `pay_period` option (default "year").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from matching.text import markup_to_text

from .base import FetchResult, FetchState, Options, Posting, SourceConfig
from .errors import SourceFormatError
from .http import FetchPolicy
from .records import (
    PERIODS,
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

__all__ = ["GREENHOUSE_API", "GreenhouseSource"]

GREENHOUSE_API = "https://boards-api.greenhouse.io/v1/boards"
_BOARD = re.compile(r"[A-Za-z0-9_-]+")
# Words in a pay range's title that name its period; checked in this order.
_PERIOD_WORDS = (
    ("hour", re.compile(r"\bhour(ly)?\b", re.I)),
    ("day", re.compile(r"\b(day|daily)\b", re.I)),
    ("week", re.compile(r"\bweek(ly)?\b", re.I)),
    ("month", re.compile(r"\bmonth(ly)?\b", re.I)),
    ("year", re.compile(r"\b(year(ly)?|annual(ly)?|annum)\b", re.I)),
)


@dataclass(frozen=True)
class GreenhouseSource:
    """Options: `board` (required), `company` (default: the board token), `pay_period`, `base_url`."""

    config: SourceConfig
    board: str
    company: str
    pay_period: str = "year"
    base_url: str = GREENHOUSE_API
    policy: FetchPolicy = field(default_factory=FetchPolicy)

    @classmethod
    def from_config(cls, config: SourceConfig, policy: FetchPolicy | None = None) -> GreenhouseSource:
        options = Options(config)
        board = options.required_text("board", pattern=_BOARD)
        source = cls(
            config=config,
            policy=policy or FetchPolicy(),
            board=board,
            company=options.text("company") or board,
            pay_period=options.choice("pay_period", PERIODS, default="year"),
            base_url=options.url("base_url", default=GREENHOUSE_API) or GREENHOUSE_API,
        )
        options.finish()
        return source

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}/{self.board}/jobs"

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult:
        """Fetch the board. Raises `SourceError` subclasses; a bad job becomes a `RecordError`."""
        name = self.config.name
        fetched = self.policy.get(
            client,
            self.url,
            params={"content": "true", "pay_transparency": "true"},
            headers={"Accept": "application/json"},
            state=state,
            source=name,
        )
        if fetched.not_modified:
            return FetchResult.unchanged(fetched.state)
        document = parse_json(fetched.content, source=name, url=fetched.url)
        jobs = document.get("jobs") if isinstance(document, dict) else None
        if not isinstance(jobs, list):
            shape = "an object without a 'jobs' list" if isinstance(document, dict) else type_name(document)
            raise SourceFormatError(
                f"{name}: {fetched.url}: expected an object with a 'jobs' list, got {shape}",
                source=name,
                url=fetched.url,
            )
        records = Records(name)
        for index, job in enumerate(jobs):
            records.collect(f"jobs[{index}]", self._posting, job)
        return records.result(fetched.state)

    def _posting(self, context: RecordContext, job: Any) -> Posting:
        if not isinstance(job, dict):
            raise RecordProblem(None, f"expected an object, got {type_name(job)}")
        own_id = read_id(job.get("id"))
        context.identify(own_id)
        title = require_text(job.get("title"), "title")
        content = job.get("content")
        if content is not None and not isinstance(content, str):
            context.warn("description", f"expected a string in 'content', got {type_name(content)}")
            content = None
        salary, salary_text = self._pay(context, job.get("pay_input_ranges"))
        return new_posting(
            self.config.name,
            own_id,
            title,
            # Greenhouse escapes the HTML itself ("&lt;p&gt;"): unescape once, then read it as HTML.
            description=markup_to_text(html.unescape(content)) if content else "",
            company=self.company,
            location=optional_text(context, dig(job, "location.name"), "location"),
            url=optional_text(context, job.get("absolute_url"), "url"),
            posted_at=optional_posted_at(context, job.get("first_published") or job.get("updated_at")),
            salary=salary,
            salary_text=salary_text,
        )

    def _pay(self, context: RecordContext, ranges: Any) -> tuple[dict[str, Any] | None, str | None]:
        """The first pay range as `salary`; one that does not fit goes to `salary_text` with a warning."""
        if not ranges:
            return None, None
        if not isinstance(ranges, list) or not isinstance(ranges[0], dict):
            context.warn("salary", f"expected a list of pay ranges, got {type_name(ranges)}")
            return None, None
        first = ranges[0]
        low, high = first.get("min_cents"), first.get("max_cents")
        label = first.get("title")
        label = label if isinstance(label, str) else ""
        period = next((word for word, pattern in _PERIOD_WORDS if pattern.search(label)), self.pay_period)
        try:
            salary = make_salary(_dollars(low), _dollars(high), first.get("currency_type"), period)
        except ValueError as exc:
            text = " ".join(str(part) for part in (label, low, high, first.get("currency_type")) if part)
            context.warn("salary", f"pay range: {exc}; kept as salary_text")
            return None, text or None
        return salary, None


def _dollars(cents: object) -> object:
    """Cents to whole units; anything that is not a number passes through for `make_salary` to refuse."""
    if isinstance(cents, int | float) and not isinstance(cents, bool):
        return cents / 100
    return cents
