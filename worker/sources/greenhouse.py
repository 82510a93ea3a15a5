"""Greenhouse job boards: the public Job Board API's job list, one board per source.

`GET {base_url}/{board}/jobs?content=true&pay_transparency=true` answers
`{"jobs": [...], "meta": {"total": N}}`. Each job has `id`, `title`, `absolute_url`,
`location.name`, `updated_at` (and on most boards `first_published`), `departments`, `offices`,
`metadata`, and with `content=true` a `content` that is entity-escaped HTML ("&lt;p&gt;...").
Each job names its company (`company_name`: "GitLab", where the board token is "gitlab").
Pay, where the board publishes it, is `pay_input_ranges: [{min_cents, max_cents, currency_type,
title, blurb}]`: cents, and no period, so the period comes from the range's title ("Hourly ...")
or else the `pay_period` option (default "year"). A job may publish several ranges (by zone, by
country): all are kept as the salary's `zones`; the salary itself is their overall span when they
share currency and period, else the range in the currency of the job's location.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from matching.location import outside_us, us_state
from matching.pay import local_currencies
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
    """Options: `board` (required), `company` (default: each job's `company_name`, else the board token),
    `pay_period`, `base_url`."""

    config: SourceConfig
    board: str
    company: str | None = None
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
            company=options.text("company"),
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
        location = optional_text(context, dig(job, "location.name"), "location")
        salary, salary_text = self._pay(context, job.get("pay_input_ranges"), location)
        return new_posting(
            self.config.name,
            own_id,
            title,
            # Greenhouse escapes the HTML itself ("&lt;p&gt;"): unescape once, then read it as HTML.
            description=markup_to_text(html.unescape(content)) if content else "",
            # The payload names the company ("GitLab"); the board token ("gitlab") is only the last resort.
            company=self.company or optional_text(context, job.get("company_name"), "company") or self.board,
            location=location,
            url=optional_text(context, job.get("absolute_url"), "url"),
            posted_at=optional_posted_at(context, job.get("first_published") or job.get("updated_at")),
            salary=salary,
            salary_text=salary_text,
        )

    def _pay(
        self, context: RecordContext, ranges: Any, location: str | None
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The pay ranges as `salary` (several: with `zones`); when none fits, the first goes to `salary_text`."""
        if not ranges:
            return None, None
        if not isinstance(ranges, list):
            context.warn("salary", f"expected a list of pay ranges, got {type_name(ranges)}")
            return None, None
        zones: list[dict[str, Any]] = []
        fallback: str | None = None
        for index, item in enumerate(ranges):
            if not isinstance(item, dict):
                context.warn("salary", f"pay range {index}: expected an object, got {type_name(item)}")
                continue
            low, high = item.get("min_cents"), item.get("max_cents")
            label = item.get("title")
            label = label.strip() if isinstance(label, str) else ""
            period = next((word for word, pattern in _PERIOD_WORDS if pattern.search(label)), self.pay_period)
            try:
                salary = make_salary(_dollars(low), _dollars(high), item.get("currency_type"), period)
            except ValueError as exc:
                where = "pay range" if len(ranges) == 1 else f"pay range {index}"
                context.warn("salary", f"{where}: {exc}; kept as salary_text")
                if fallback is None:
                    parts = (label, low, high, item.get("currency_type"))
                    fallback = " ".join(str(part) for part in parts if part) or None
                continue
            zones.append({"label": label, **salary})
        if not zones:
            return None, fallback
        if len(zones) == 1:
            return {key: zones[0][key] for key in ("min", "max", "currency", "period")}, None
        if len({(zone["currency"], zone["period"]) for zone in zones}) == 1:
            first = zones[0]
            span = {"min": min(z["min"] for z in zones), "max": max(z["max"] for z in zones)}
            return {**span, "currency": first["currency"], "period": first["period"], "zones": zones}, None
        chosen = _local_zone(zones, location)
        return {**{key: chosen[key] for key in ("min", "max", "currency", "period")}, "zones": zones}, None


def _local_zone(zones: list[dict[str, Any]], location: str | None) -> dict[str, Any]:
    """Of ranges in several currencies, the one paid where the job is: in the currency of its location
    ("$" in Canada is CAD; a US or unplaced location is USD), else the one whose title names a word of the
    location ("UK" for "London, UK"), else the first."""
    local = local_currencies(location)
    wanted = [local[symbol] for symbol in ("$", "kr") if symbol in local]
    if not wanted and (us_state(location) is not None or not outside_us(location)):
        wanted.append("USD")
    for code in wanted:
        for zone in zones:
            if zone["currency"] == code:
                return zone
    words = set(re.findall(r"[a-z]{2,}", (location or "").lower()))
    for zone in zones:
        if words & set(re.findall(r"[a-z]{2,}", zone["label"].lower())):
            return zone
    return zones[0]


def _dollars(cents: object) -> object:
    """Cents to whole units; anything that is not a number passes through for `make_salary` to refuse."""
    if isinstance(cents, int | float) and not isinstance(cents, bool):
        return cents / 100
    return cents
