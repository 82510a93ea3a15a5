"""From raw records to postings: the posting dict, per-record problems, and the shared field readers."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from matching.text import to_text

from .base import FetchResult, FetchState, Posting, RecordError
from .errors import SourceFormatError

__all__ = [
    "MAPPABLE_FIELDS",
    "PERIODS",
    "NotAPosting",
    "RecordContext",
    "RecordProblem",
    "Records",
    "dig",
    "make_salary",
    "map_fields",
    "new_posting",
    "optional_posted_at",
    "optional_text",
    "parse_json",
    "posted_at",
    "read_id",
    "read_text",
    "require_text",
    "type_name",
]

PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
# Posting fields a generic record (JSON, JSON lines, CSV) can be mapped onto, each from a dotted path.
MAPPABLE_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "company",
    "location",
    "url",
    "posted_at",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_text",
)
_CURRENCY = re.compile(r"[A-Z]{3}")
# Epoch numbers above this are milliseconds (1e11 s is the year 5138).
_EPOCH_MS_FROM = 1e11

T = TypeVar("T")


class RecordProblem(Exception):
    """Raised while mapping one record: this record cannot become a posting."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotAPosting(RecordProblem):
    """Raised for a record that is no posting at all (no title, no description): it is skipped and counted."""


@dataclass
class RecordContext:
    """One record being mapped: its label for messages and the problems that did not drop it."""

    label: str
    warnings: list[tuple[str | None, str]] = field(default_factory=list)

    def identify(self, own_id: str) -> None:
        """Add the record's own id to its label once it is known: "jobs[3]" → "jobs[3] (id 123)"."""
        self.label = f"{self.label} (id {own_id})"

    def warn(self, field: str | None, message: str) -> None:
        """Note a problem that leaves the posting usable (the field is left empty)."""
        self.warnings.append((field, message))


@dataclass
class Records:
    """Postings and record errors of one fetch, with duplicate ids caught."""

    source: str
    postings: list[Posting] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    skipped: int = 0
    _seen: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return set(self._seen)

    def collect(self, label: str, build: Callable[[RecordContext, T], Posting], item: T) -> None:
        """Map `item` with `build`; a `RecordProblem` becomes a dropped `RecordError`, never a raise."""
        context = RecordContext(label)
        try:
            posting = build(context, item)
        except NotAPosting:
            self.skipped += 1
            return
        except RecordProblem as problem:
            self.reject(context.label, problem.field, problem.message)
            return
        for field_name, message in context.warnings:
            self.errors.append(RecordError(self.source, context.label, field_name, message, dropped=False))
        first = self._seen.get(posting["id"])
        if first is not None:
            self.reject(context.label, "id", f"duplicate id, first seen at {first}")
            return
        self._seen[posting["id"]] = context.label
        self.postings.append(posting)

    def reject(self, label: str, field_name: str | None, message: str) -> None:
        self.errors.append(RecordError(self.source, label, field_name, message))

    def note(self, label: str, message: str) -> None:
        """A problem with the response as a whole that still left records to map."""
        self.errors.append(RecordError(self.source, label, None, message, dropped=False))

    def result(self, state: FetchState, *, incomplete: str | None = None) -> FetchResult:
        return FetchResult(
            postings=self.postings,
            errors=self.errors,
            not_modified=False,
            state=state,
            incomplete=incomplete,
            skipped=self.skipped,
        )


def new_posting(
    source: str,
    own_id: str,
    title: str,
    *,
    description: str = "",
    company: str | None = None,
    location: str | None = None,
    url: str | None = None,
    posted_at: str | None = None,
    salary: dict[str, Any] | None = None,
    salary_text: str | None = None,
) -> Posting:
    """The posting dict every source yields. Pay is `salary` or else `salary_text`, or neither key."""
    posting: Posting = {
        "id": f"{source}:{own_id}",
        "source": source,
        "title": title,
        "description": description,
        "company": company,
        "location": location,
        "url": url,
        "posted_at": posted_at,
    }
    if salary is not None:
        posting["salary"] = salary
    elif salary_text:
        posting["salary_text"] = salary_text
    return posting


def parse_json(content: bytes, *, source: str, url: str) -> Any:
    """The JSON document in `content`. Raises `SourceFormatError` naming the source, URL and position."""
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(f"{source}: {url}: body is not UTF-8 text: {exc}", source=source, url=url) from None
    except json.JSONDecodeError as exc:
        # Ran out of input (at the end, or inside a string that never closes): likely a body cut short.
        ended = exc.pos >= len(content.rstrip()) or exc.msg.startswith("Unterminated string")
        hint = " (truncated?)" if ended else ""
        raise SourceFormatError(
            f"{source}: {url}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}",
            source=source,
            url=url,
        ) from None


def type_name(value: object) -> str:
    """JSON's name for the type of `value`, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def dig(record: object, path: str) -> Any:
    """The value at a dotted `path` ("location.name", "offices.0.name") in `record`; None when absent."""
    value: Any = record
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def read_id(value: object, field_name: str = "id") -> str:
    """A record's own id as a string: a non-empty string or a whole number."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or value == "":
        raise RecordProblem(field_name, "missing")
    raise RecordProblem(field_name, f"expected a string or whole number, got {type_name(value)}")


def read_text(value: object, field_name: str) -> str | None:
    """A stripped string (numbers are written out), or None when absent or blank."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return value.strip() or None
    if value is None:
        return None
    raise RecordProblem(field_name, f"expected a string, got {type_name(value)}")


def require_text(value: object, field_name: str) -> str:
    """Like `read_text`, but a missing or blank value is a `RecordProblem` too."""
    text = read_text(value, field_name)
    if text is None:
        raise RecordProblem(field_name, "missing")
    return text


def optional_text(context: RecordContext, value: object, field_name: str) -> str | None:
    """`read_text`, with a value of the wrong type noted on `context` and left out instead."""
    try:
        return read_text(value, field_name)
    except RecordProblem as problem:
        context.warn(field_name, problem.message)
        return None


def optional_posted_at(context: RecordContext, value: object) -> str | None:
    """`posted_at(value)`, or None (noted on `context` when `value` was there but unreadable)."""
    if value is None or value == "":
        return None
    try:
        return posted_at(value)
    except ValueError as exc:
        context.warn("posted_at", str(exc))
        return None


def posted_at(value: object) -> str:
    """`value` as an ISO 8601 UTC timestamp: from ISO 8601, RFC 2822, or epoch seconds/milliseconds.

    A time without a zone is taken as UTC. Raises ValueError when `value` is none of those.
    """
    moment: datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_FROM else value
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            moment = None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                moment = None
    if moment is None:
        raise ValueError(f"expected an ISO 8601 or RFC 2822 date or an epoch number, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _amount(value: object, name: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            raise ValueError(f"{name} {value!r} is not a number") from None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{name} {value!r} is not a number")
    if value < 0:
        raise ValueError(f"{name} {value!r} is negative")
    return float(value)


def make_salary(low: object, high: object, currency: object, period: object) -> dict[str, Any]:
    """The posting's `salary` dict: min and max as floats, a 3-letter currency, a period from `PERIODS`.

    Raises ValueError saying what is wrong (missing side, min above max, unknown currency or period).
    """
    if low is None or high is None:
        raise ValueError("needs both a minimum and a maximum")
    low_amount, high_amount = _amount(low, "min"), _amount(high, "max")
    if low_amount > high_amount:
        raise ValueError(f"min {low_amount:g} is above max {high_amount:g}")
    code = currency.strip().upper() if isinstance(currency, str) else None
    if code is None or not _CURRENCY.fullmatch(code):
        raise ValueError(f"expected a 3-letter currency code, got {currency!r}")
    if period not in PERIODS:
        raise ValueError(f"expected a period of {', '.join(PERIODS)}, got {period!r}")
    return {"min": low_amount, "max": high_amount, "currency": code, "period": period}


def map_fields(
    context: RecordContext,
    record: object,
    *,
    source: str,
    fields: Mapping[str, str],
    company: str | None,
) -> Posting:
    """Map a generic record (JSON object or CSV row) onto a posting through dotted-path `fields`.

    A field left out of `fields` is read from the key of the same name. `id` and `title` are
    required (`RecordProblem`); a bad optional field is left empty with a warning.
    """
    if not isinstance(record, Mapping):
        raise RecordProblem(None, f"expected an object, got {type_name(record)}")
    paths = {name: fields.get(name, name) for name in MAPPABLE_FIELDS}

    def value(name: str) -> Any:
        return dig(record, paths[name])

    def optional(name: str) -> str | None:
        return optional_text(context, value(name), name)

    def entity_decoded(name: str) -> str | None:
        text = optional(name)
        return _unescape(text) if text else None

    if all(
        value(name) in (None, "") or (isinstance(value(name), str) and not value(name).strip())
        for name in ("title", "description")
    ):
        # RemoteOK's first element is a legal notice: reporting it as a bad posting on every poll helps nobody.
        raise NotAPosting(None, "no title and no description: not a posting")
    own_id = read_id(value("id"), "id")
    context.identify(own_id)
    title = _unescape(require_text(value("title"), "title"))
    description = optional("description")
    stamp = optional_posted_at(context, value("posted_at"))
    salary: dict[str, Any] | None = None
    salary_text = optional("salary_text")
    parts = [value(name) for name in ("salary_min", "salary_max", "salary_currency", "salary_period")]
    # An amount of 0 is "not stated" (RemoteOK writes "salary_min": 0, "salary_max": 0): no pay, not pay of 0.
    parts[:2] = [None if _is_zero(part) else part for part in parts[:2]]
    if parts[0] is None and parts[1] is None:
        parts = [None] * 4  # a currency or period with no amount is no pay either
    if any(part not in (None, "") for part in parts):
        low, high, currency, period = parts
        try:
            salary = make_salary(low, high, currency, period.strip().lower() if isinstance(period, str) else period)
        except ValueError as exc:
            context.warn("salary", f"{exc}; kept as salary_text")
            salary_text = salary_text or " ".join(str(part) for part in parts if part not in (None, ""))
    return new_posting(
        source,
        own_id,
        title,
        description=to_text(description) if description else "",
        company=entity_decoded("company") or company,
        location=entity_decoded("location"),
        url=optional("url"),
        posted_at=stamp,
        salary=salary,
        salary_text=salary_text,
    )


def _is_zero(value: object) -> bool:
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        try:
            value = float(value) if value else None
        except ValueError:
            return False
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


def _unescape(text: str) -> str:
    """`text` with HTML entities decoded, however many times the feed escaped them ("&amp;amp;" is "&")."""
    for _ in range(3):
        if "&" not in text:
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text.strip()
