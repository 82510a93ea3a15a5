"""Source configuration, fetch state and results, the `Source` protocol, and `Options` for kind-specific keys."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from .errors import SourceConfigError

__all__ = [
    "DEFAULT_INTERVAL",
    "FetchResult",
    "FetchState",
    "Options",
    "Posting",
    "RecordError",
    "Source",
    "SourceConfig",
    "parse_interval",
    "parse_size",
]

# What every source yields; the matching layer validates it. See `records.new_posting` for the keys.
Posting = dict[str, Any]

DEFAULT_INTERVAL = 15 * 60.0

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?")
_UNIT_BYTES = {None: 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}


@dataclass(frozen=True)
class SourceConfig:
    """One `[[sources]]` table, validated: the common keys plus the kind's own `options`."""

    name: str
    kind: str
    interval_seconds: float = DEFAULT_INTERVAL
    enabled: bool = True
    # Seconds each phase of a request (connect, read) may take; None means the HTTP layer's default.
    timeout_seconds: float | None = None
    # The most bytes one response (or file) may have; None means the HTTP layer's default (`http.MAX_BYTES`).
    max_bytes: int | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Where the table came from ("sources[2]"), so later errors can say so too.
    origin: str = field(default="", compare=False)

    def error(self, key: str, message: str) -> SourceConfigError:
        """A `SourceConfigError` naming this source and `key`: "sources[2] (acme): board: ..."."""
        where = f"{self.origin} ({self.name})" if self.origin else self.name
        return SourceConfigError(f"{where}: {key}: {message}", source=self.name)


@dataclass(frozen=True)
class FetchState:
    """What a source remembers between fetches to ask "changed since?" (the caller persists it)."""

    etag: str | None = None
    last_modified: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"etag": self.etag, "last_modified": self.last_modified}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FetchState:
        """Read what `to_dict` wrote; anything else (None, missing or non-string values) reads as empty."""
        if not data:
            return cls()
        etag, modified = data.get("etag"), data.get("last_modified")
        return cls(
            etag=etag if isinstance(etag, str) else None,
            last_modified=modified if isinstance(modified, str) else None,
        )


@dataclass(frozen=True)
class RecordError:
    """One record that could not be mapped (`dropped`), or was kept with a field left empty.

    `record` says which one in the source's own terms: "jobs[3] (id 123)", "line 7", "entry 2".
    `field` is the posting field (or record key) at fault, None for the record as a whole.
    """

    source: str
    record: str
    field: str | None
    message: str
    dropped: bool = True

    def __str__(self) -> str:
        where = f"{self.source}: {self.record}" + (f": {self.field}" if self.field else "")
        return f"{where}: {self.message}" + ("" if self.dropped else " (posting kept)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "record": self.record,
            "field": self.field,
            "message": self.message,
            "dropped": self.dropped,
        }


@dataclass(frozen=True)
class FetchResult:
    """What one fetch produced: postings, per-record problems, and the state for the next fetch.

    `incomplete` is set when the fetch failed part way (a later page of a paged listing): it says why, and
    `postings` holds what was fetched before, which is worth publishing, but is not the whole listing.
    `skipped` counts records that are not postings at all (no title and no description: RemoteOK's legal
    notice), left out rather than reported as errors on every fetch.
    """

    postings: list[Posting]
    errors: list[RecordError]
    not_modified: bool
    state: FetchState
    incomplete: str | None = None
    skipped: int = 0

    @classmethod
    def unchanged(cls, state: FetchState) -> FetchResult:
        """The source said nothing changed since `state`: no postings, no errors."""
        return cls(postings=[], errors=[], not_modified=True, state=state)


class Source(Protocol):
    """One configured feed. `fetch` raises `SourceError` subclasses for whole-response failures."""

    @property
    def config(self) -> SourceConfig: ...

    def fetch(self, client: httpx.Client, state: FetchState) -> FetchResult: ...


def parse_interval(value: object) -> float:
    """Seconds in `value`: a positive number of seconds, or a string like "30s", "15m", "2h", "1d".

    Raises ValueError with the message a config error shows after the field name.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip().isdigit():
        seconds = float(value.strip())
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip().lower())):
        seconds = float(match[1]) * _UNIT_SECONDS[match[2]]
    else:
        raise ValueError(f"expected a duration like '15m', got {value!r}")
    if not seconds > 0:
        raise ValueError(f"expected a positive duration, got {value!r}")
    return seconds


def parse_size(value: object) -> int:
    """Bytes in `value`: a positive whole number of bytes, or a string like "512kb", "20MB", "1.5gb" (powers of 1000).

    Raises ValueError with the message a config error shows after the field name.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (match := _SIZE.fullmatch(value.strip().lower())):
        size = int(float(match[1]) * _UNIT_BYTES[match[2]])
    else:
        raise ValueError(f"expected a size like '20MB' or a number of bytes, got {value!r}")
    if size <= 0:
        raise ValueError(f"expected a positive size, got {value!r}")
    return size


class Options:
    """Reads a config's kind-specific options; every error names the source and the option.

    Call `finish()` last: an option nobody read is a typo, and is reported as one.
    """

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self._read: set[str] = set()

    def error(self, key: str, message: str) -> SourceConfigError:
        return self.config.error(key, message)

    def _get(self, key: str) -> Any:
        self._read.add(key)
        return self.config.options.get(key)

    def text(
        self,
        key: str,
        *,
        default: str | None = None,
        pattern: re.Pattern[str] | None = None,
        allow_empty: bool = False,
    ) -> str | None:
        """A non-empty (or, with `allow_empty`, possibly empty) string option; `default` when absent."""
        value = self._get(key)
        if value is None:
            return default
        if allow_empty and value == "":
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.error(key, f"expected something matching {pattern.pattern}, got {value!r}")
        return value

    def required_text(self, key: str, *, pattern: re.Pattern[str] | None = None) -> str:
        value = self.text(key, pattern=pattern)
        if value is None:
            raise self.error(key, "missing")
        return value

    def url(self, key: str, *, default: str | None = None) -> str | None:
        """An absolute http:// or https:// URL (file://, ftp:// and the like are refused)."""
        value = self.text(key, default=default)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.error(key, f"expected an http:// or https:// URL, got {value!r}")
        return value

    def required_url(self, key: str) -> str:
        value = self.url(key)
        if value is None:
            raise self.error(key, "missing")
        return value

    def choice(self, key: str, choices: Collection[str], *, default: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if value not in choices:
            raise self.error(key, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return str(value)

    def integer(self, key: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            raise self.error(key, f"expected a whole number from {minimum} to {maximum}, got {value!r}")
        return value

    def text_mapping(self, key: str, *, allowed_keys: Collection[str]) -> dict[str, str]:
        """A table of string values whose keys are all in `allowed_keys` (empty when absent)."""
        value = self._get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a table, got {value!r}")
        result: dict[str, str] = {}
        for item_key, item in value.items():
            if item_key not in allowed_keys:
                raise self.error(f"{key}.{item_key}", f"unknown field (expected one of: {', '.join(allowed_keys)})")
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key}.{item_key}", f"expected a non-empty string, got {item!r}")
            result[item_key] = item.strip()
        return result

    def finish(self) -> None:
        """Raise for the first option that no reader asked for (most likely a misspelling)."""
        for key in self.config.options:
            if key not in self._read:
                known = ", ".join(sorted(self._read)) or "none"
                raise self.error(key, f"unknown option for kind {self.config.kind!r} (known: {known})")
