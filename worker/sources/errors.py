"""Errors raised while fetching a source: one base class, `SourceError`.

The tree, as httpx draws its own:

    SourceError                 anything that stopped a whole fetch
    ├── SourceConfigError       a bad `[[sources]]` table: unknown kind, bad name, interval, URL, option
    ├── SourceUnavailable       transient, after the retries ran out: timeout, connection error, 5xx, 429
    ├── SourceHTTPError         permanent HTTP failure, not retried: 4xx other than 429 (a board that is gone)
    ├── SourceTooLarge          the body passed `max_bytes`
    └── SourceFormatError       the body is not what the kind expects: malformed JSON/XML/CSV, wrong shape

A single record that cannot be mapped is not an error here: it becomes a
`RecordError` in `FetchResult.errors` and the rest of the response is kept.
Every message names the source and the URL (or file) it came from.
"""

from __future__ import annotations

__all__ = [
    "SourceConfigError",
    "SourceError",
    "SourceFormatError",
    "SourceHTTPError",
    "SourceTooLarge",
    "SourceUnavailable",
]


class SourceError(Exception):
    """Base class: a whole fetch failed. `source` is the source's name, `url` what was fetched."""

    def __init__(self, message: str, *, source: str = "", url: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.url = url


class SourceConfigError(SourceError):
    """A source's configuration is invalid; the message names the table, the source and the field."""


class SourceUnavailable(SourceError):
    """The source could not be reached in time; worth trying again later.

    `retry_after` is the delay in seconds the server asked for, when it asked for one.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        url: str = "",
        attempts: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, source=source, url=url)
        self.attempts = attempts
        self.retry_after = retry_after


class SourceHTTPError(SourceError):
    """The server answered with a status that retrying will not change (404, 401, 410, ...)."""

    def __init__(self, message: str, *, source: str = "", url: str = "", status_code: int) -> None:
        super().__init__(message, source=source, url=url)
        self.status_code = status_code


class SourceTooLarge(SourceError):
    """The response body was larger than the configured bound."""


class SourceFormatError(SourceError):
    """The body could not be read as the kind's format, or lacks the top-level shape it needs."""
