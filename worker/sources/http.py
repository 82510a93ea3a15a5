"""HTTP for sources: the client factory and one GET with retries, conditional requests and a size bound."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version

import httpx

from .base import FetchState
from .errors import (
    SourceConfigError,
    SourceError,
    SourceFormatError,
    SourceHTTPError,
    SourceTooLarge,
    SourceUnavailable,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "MAX_RETRY_AFTER",
    "FetchPolicy",
    "Fetched",
    "default_user_agent",
    "get_with_retries",
    "make_client",
]

DEFAULT_TIMEOUT = 10.0  # seconds per connect / read / write / pool wait, not for the whole request
MAX_BYTES = 20_000_000
# The longest Retry-After we sleep through inside a fetch; past it the fetch gives up and reports
# `retry_after`, so the scheduler, not a sleeping worker, waits for the server.
MAX_RETRY_AFTER = 30.0


def _package_version() -> str:
    try:
        return version("jobmatch")
    except PackageNotFoundError:
        return "0"


def default_user_agent() -> str:
    """`jobmatch/<version> (+https://github.com/jobmatch)`: who is polling, and where to read about it."""
    return f"jobmatch/{_package_version()} (+https://github.com/jobmatch)"


def make_client(
    user_agent: str | None = None,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    *,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An `httpx.Client` for sources: explicit timeout, jobmatch User-Agent, redirects followed.

    A number `timeout` bounds each phase (connect at most 5 s). `transport` is for tests.
    """
    if not isinstance(timeout, httpx.Timeout):
        timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": user_agent or default_user_agent()},
        follow_redirects=True,
        max_redirects=5,
        transport=transport,
    )


@dataclass(frozen=True)
class Fetched:
    """A successful GET: a 2xx body, or a 304 (`not_modified`, empty body); `state` for next time."""

    url: str
    status_code: int
    content: bytes
    headers: httpx.Headers
    state: FetchState

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304


@dataclass(frozen=True)
class FetchPolicy:
    """How hard a source tries: the `get_with_retries` knobs, with `sleep` injectable for tests."""

    max_attempts: int = 4
    backoff: float = 0.5
    max_bytes: int = MAX_BYTES
    max_retry_after: float = MAX_RETRY_AFTER
    sleep: Callable[[float], None] = time.sleep

    def get(
        self,
        client: httpx.Client,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        state: FetchState | None = None,
        source: str = "",
    ) -> Fetched:
        """`get_with_retries` with this policy's settings."""
        return get_with_retries(
            client,
            url,
            params=params,
            headers=headers,
            state=state,
            max_attempts=self.max_attempts,
            backoff=self.backoff,
            max_bytes=self.max_bytes,
            max_retry_after=self.max_retry_after,
            source=source,
            sleep=self.sleep,
        )


def get_with_retries(
    client: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    state: FetchState | None = None,
    max_attempts: int = 4,
    backoff: float = 0.5,
    max_bytes: int = MAX_BYTES,
    max_retry_after: float = MAX_RETRY_AFTER,
    source: str = "",
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> Fetched:
    """GET `url`, conditionally on `state`, retrying what may pass and reading at most `max_bytes`.

    - `state` sends If-None-Match / If-Modified-Since; a 304 comes back as `Fetched.not_modified`.
    - Timeouts, connection errors, 5xx and 429 are retried up to `max_attempts` in all, sleeping
      `backoff * 2**n` times a jitter factor in [0.5, 1.5), or the server's Retry-After.
    - Raises `SourceUnavailable` when the attempts run out, or at once when Retry-After asks for more
      than `max_retry_after` seconds (its `retry_after` says how long); `SourceHTTPError` for other
      4xx; `SourceTooLarge` past `max_bytes`; `SourceFormatError` for a body that cannot be decoded.
    Every message starts with `source` and the URL.
    """
    target = httpx.URL(url).copy_merge_params(dict(params)) if params else httpx.URL(url)
    shown = f"{source}: GET {target}" if source else f"GET {target}"
    request_headers = dict(headers or {})
    if state is not None and state.etag:
        request_headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        request_headers["If-Modified-Since"] = state.last_modified

    problem = "no attempt made"
    retry_after: float | None = None
    attempts = max(1, max_attempts)
    for attempt in range(1, attempts + 1):
        retry_after = None
        try:
            with client.stream("GET", target, headers=request_headers) as response:
                status = response.status_code
                if status == 304:
                    return Fetched(str(response.url), status, b"", response.headers, _state(response, state))
                if status == 429 or status >= 500:
                    problem = f"HTTP {status} {response.reason_phrase}".rstrip()
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                elif status >= 300:
                    # 3xx here means redirects are off or ran out; either way there is no body to use.
                    raise SourceHTTPError(
                        f"{shown}: HTTP {status} {response.reason_phrase}".rstrip(),
                        source=source,
                        url=str(target),
                        status_code=status,
                    )
                else:
                    content = _read_bounded(response, max_bytes, shown=shown, source=source)
                    return Fetched(str(response.url), status, content, response.headers, _state(response, None))
        except httpx.TimeoutException as exc:
            problem = f"timed out ({type(exc).__name__})"
        except httpx.UnsupportedProtocol as exc:
            raise SourceConfigError(f"{shown}: {exc}", source=source, url=str(target)) from None
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        except httpx.DecodingError as exc:
            raise SourceFormatError(
                f"{shown}: could not decode the body: {exc}", source=source, url=str(target)
            ) from None
        except httpx.TooManyRedirects as exc:
            raise SourceError(f"{shown}: {exc}", source=source, url=str(target)) from None

        if attempt == attempts:
            break
        if retry_after is not None and retry_after > max_retry_after:
            raise SourceUnavailable(
                f"{shown}: {problem}; server asked to retry after {retry_after:g} s",
                source=source,
                url=str(target),
                attempts=attempt,
                retry_after=retry_after,
            )
        delay = retry_after if retry_after is not None else backoff * 2 ** (attempt - 1) * (0.5 + jitter())
        sleep(delay)

    raise SourceUnavailable(
        f"{shown}: gave up after {attempts} attempt{'s' if attempts > 1 else ''}: {problem}",
        source=source,
        url=str(target),
        attempts=attempts,
        retry_after=retry_after,
    )


def _state(response: httpx.Response, previous: FetchState | None) -> FetchState:
    """Validators for the next conditional request; a 304 without them keeps the previous ones."""
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if previous is not None:
        etag = etag or previous.etag
        modified = modified or previous.last_modified
    return FetchState(etag=etag, last_modified=modified)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _read_bounded(response: httpx.Response, max_bytes: int, *, shown: str, source: str) -> bytes:
    """The decoded body, refusing to hold more than `max_bytes` of it (Content-Length is checked first)."""
    too_large = f"{shown}: response larger than {max_bytes} bytes"
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceTooLarge(too_large, source=source, url=str(response.url))
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise SourceTooLarge(too_large, source=source, url=str(response.url))
    return bytes(body)
