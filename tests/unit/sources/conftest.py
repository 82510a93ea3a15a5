"""The set-up the source tests share: a source built from its `[[sources]]` table, fetched through a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import httpx
import pytest

from worker.sources import FetchResult, FetchState, build_source, make_client, parse_source_config
from worker.sources.http import FetchPolicy

Handler = Callable[[httpx.Request], httpx.Response]


class FetchSource(Protocol):
    def __call__(
        self,
        table: dict[str, Any],
        handler: Handler | None = None,
        *,
        state: FetchState | None = None,
        policy: FetchPolicy | None = None,
        where: str = "sources[0]",
    ) -> tuple[FetchResult, list[httpx.Request]]: ...


@pytest.fixture
def fetch_source() -> FetchSource:
    """Fetch the source `table` configures, its requests answered by `handler` (httpx.MockTransport; None: no
    transport, for sources that make no request); returns the result and the requests, in order."""

    def fetch(
        table: dict[str, Any],
        handler: Handler | None = None,
        *,
        state: FetchState | None = None,
        policy: FetchPolicy | None = None,
        where: str = "sources[0]",
    ) -> tuple[FetchResult, list[httpx.Request]]:
        seen: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            assert handler is not None
            return handler(request)

        source = build_source(parse_source_config(table, where=where), policy=policy)
        transport = httpx.MockTransport(answer) if handler is not None else None
        with make_client(transport=transport) as client:
            return source.fetch(client, state or FetchState()), seen

    return fetch
