"""Sources against a real HTTP server on 127.0.0.1: conditional requests, paging, retries, timeouts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from scripted_http import RSS, Reply, ScriptedServer, Seen

from worker.sources import (
    FetchState,
    SourceFormatError,
    SourceTooLarge,
    SourceUnavailable,
    build_source,
    make_client,
    parse_source_config,
)
from worker.sources.http import FetchPolicy

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=2.0) as c:
        yield c


def no_sleep() -> tuple[FetchPolicy, list[float]]:
    slept: list[float] = []
    return FetchPolicy(sleep=slept.append), slept


def source(table: dict[str, Any], policy: FetchPolicy | None = None) -> Any:
    return build_source(parse_source_config(table, where="sources[0]"), policy=policy)


GREENHOUSE_BODY = {
    "jobs": [
        {
            "id": 123,
            "title": "Senior Data Engineer",
            "absolute_url": "https://boards.greenhouse.io/acme/jobs/123",
            "location": {"name": "New York, NY"},
            "updated_at": "2024-03-05T10:00:00-05:00",
            "content": "&lt;p&gt;Build pipelines.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;SQL&lt;/li&gt;&lt;/ul&gt;",
            "departments": [{"id": 1, "name": "Data"}],
            "offices": [{"id": 2, "name": "NYC"}],
            "metadata": None,
            "pay_input_ranges": [
                {"min_cents": 15000000, "max_cents": 19000000, "currency_type": "USD", "title": "NYC"}
            ],
        }
    ],
    "meta": {"total": 1},
}


def test_greenhouse_conditional_fetch_gets_304_the_second_time(server: ScriptedServer, client: httpx.Client) -> None:
    def board(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, json.dumps(GREENHOUSE_BODY).encode(), {"ETag": '"v1"', "Content-Type": "application/json"})

    server.routes["/v1/boards/acme/jobs"] = board
    gh = source({"name": "acme", "kind": "greenhouse", "board": "acme", "base_url": f"{server.base}/v1/boards"})

    first = gh.fetch(client, FetchState())
    assert not first.not_modified
    assert [p["id"] for p in first.postings] == ["acme:123"]
    assert first.postings[0]["salary"] == {
        "min": 150000.0,
        "max": 190000.0,
        "currency": "USD",
        "period": "year",
    }
    assert first.state == FetchState(etag='"v1"')

    second = gh.fetch(client, first.state)
    assert second.not_modified
    assert second.postings == [] and second.errors == []
    assert second.state.etag == '"v1"'

    one, two = server.hits("/v1/boards/acme/jobs")
    assert one.query == {"content": ["true"], "pay_transparency": ["true"]}
    assert "if-none-match" not in one.headers
    assert two.headers["if-none-match"] == '"v1"'
    assert one.headers["user-agent"].startswith("jobmatch/")


def test_last_modified_is_sent_back_as_if_modified_since(server: ScriptedServer, client: httpx.Client) -> None:
    stamp = "Tue, 05 Mar 2024 10:00:00 GMT"

    def board(seen: Seen) -> Reply:
        if seen.headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(200, json.dumps(GREENHOUSE_BODY).encode(), {"Last-Modified": stamp})

    server.routes["/v1/boards/acme/jobs"] = board
    gh = source({"name": "acme", "kind": "greenhouse", "board": "acme", "base_url": f"{server.base}/v1/boards"})
    first = gh.fetch(client, FetchState())
    assert first.state == FetchState(last_modified=stamp)
    second = gh.fetch(client, first.state)
    assert second.not_modified and second.state.last_modified == stamp


def lever_postings(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"p{n}",
            "text": f"Engineer {n}",
            "hostedUrl": f"https://jobs.lever.co/acme/p{n}",
            "createdAt": 0,
        }
        for n in range(count)
    ]


def test_lever_pages_with_skip_and_limit_until_a_short_page(server: ScriptedServer, client: httpx.Client) -> None:
    everything = lever_postings(5)

    def postings(seen: Seen) -> Reply:
        skip, limit = int(seen.query["skip"][0]), int(seen.query["limit"][0])
        return Reply(200, json.dumps(everything[skip : skip + limit]).encode(), {"ETag": f'"page-{skip}"'})

    server.routes["/v0/postings/acme"] = postings
    lever = source({"name": "lev", "kind": "lever", "site": "acme", "page_size": 2, "base_url": server.base})
    result = lever.fetch(client, FetchState())

    assert [p["id"] for p in result.postings] == [f"lev:p{n}" for n in range(5)]
    hits = server.hits("/v0/postings/acme")
    assert [(h.query["skip"], h.query["limit"], h.query["mode"]) for h in hits] == [
        (["0"], ["2"], ["json"]),
        (["2"], ["2"], ["json"]),
        (["4"], ["2"], ["json"]),
    ]
    # An unchanged first page says nothing about the others: no validator is kept.
    assert result.state == FetchState()


def test_lever_single_page_listing_keeps_its_etag(server: ScriptedServer, client: httpx.Client) -> None:
    def postings(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"all"':
            return Reply(304)
        return Reply(200, json.dumps(lever_postings(2)).encode(), {"ETag": '"all"'})

    server.routes["/v0/postings/acme"] = postings
    lever = source({"name": "lev", "kind": "lever", "site": "acme", "base_url": server.base})
    first = lever.fetch(client, FetchState())
    assert len(first.postings) == 2 and first.state.etag == '"all"'
    assert lever.fetch(client, first.state).not_modified


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Acme</title><id>urn:acme</id>
<updated>2024-03-02T00:00:00Z</updated>
<entry><id>tag:acme.example,2024:job-7</id><title>ML Engineer</title>
<link href="https://acme.example/jobs/7"/><published>2024-03-01T09:30:00+01:00</published>
<updated>2024-03-02T00:00:00Z</updated><content type="html">&lt;p&gt;Train models.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_and_atom_feeds_over_http(server: ScriptedServer, client: httpx.Client) -> None:
    server.routes["/rss.xml"] = lambda seen: Reply(200, RSS, {"Content-Type": "application/rss+xml"})
    server.routes["/atom.xml"] = lambda seen: Reply(200, ATOM, {"Content-Type": "application/atom+xml"})

    rss = source({"name": "acme-rss", "kind": "feed", "url": f"{server.base}/rss.xml", "company": "Acme"})
    (posting,) = rss.fetch(client, FetchState()).postings
    assert posting["id"] == "acme-rss:job-1"
    assert posting["description"] == "Run the platform.\nKubernetes"
    assert posting["posted_at"] == "2024-03-05T10:00:00+00:00"
    assert posting["company"] == "Acme"

    atom = source({"name": "acme-atom", "kind": "feed", "url": f"{server.base}/atom.xml"})
    (entry,) = atom.fetch(client, FetchState()).postings
    assert entry["id"] == "acme-atom:tag:acme.example,2024:job-7"
    assert entry["url"] == "https://acme.example/jobs/7"
    assert entry["posted_at"] == "2024-03-01T08:30:00+00:00"


def test_a_page_that_is_not_a_feed_is_a_format_error_naming_the_url(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.routes["/broken.xml"] = lambda seen: Reply(200, b'{"jobs": []}', {"Content-Type": "application/json"})
    feed = source({"name": "broken", "kind": "feed", "url": f"{server.base}/broken.xml"})
    with pytest.raises(SourceFormatError, match=r"broken: http://127\.0\.0\.1:\d+/broken\.xml: not a readable"):
        feed.fetch(client, FetchState())


def test_a_500_then_a_200_succeeds_after_one_backoff(server: ScriptedServer, client: httpx.Client) -> None:
    replies = iter([Reply(500, b"oops"), Reply(200, json.dumps(GREENHOUSE_BODY).encode())])
    server.routes["/v1/boards/acme/jobs"] = lambda seen: next(replies)
    policy, slept = no_sleep()
    gh = source(
        {"name": "acme", "kind": "greenhouse", "board": "acme", "base_url": f"{server.base}/v1/boards"},
        policy,
    )
    result = gh.fetch(client, FetchState())
    assert len(result.postings) == 1
    assert len(slept) == 1 and 0.25 <= slept[0] < 0.75
    assert len(server.hits("/v1/boards/acme/jobs")) == 2


def test_a_timeout_is_retried_then_reported_unavailable(server: ScriptedServer) -> None:
    server.routes["/slow"] = lambda seen: Reply(200, b"[]", delay=0.5)
    slept: list[float] = []
    feed = source(
        {"name": "slow", "kind": "jsonfeed", "url": f"{server.base}/slow"},
        FetchPolicy(max_attempts=2, sleep=slept.append),
    )
    with make_client(timeout=0.1) as quick, pytest.raises(SourceUnavailable) as caught:
        feed.fetch(quick, FetchState())
    assert caught.match(r"slow: GET .*/slow: gave up after 2 attempts: timed out \(ReadTimeout\)")
    assert caught.value.attempts == 2
    assert len(slept) == 1
    assert len(server.hits("/slow")) == 2


def test_a_body_cut_short_of_its_content_length_is_retried_then_unavailable(
    server: ScriptedServer, client: httpx.Client
) -> None:
    server.routes["/cut"] = lambda seen: Reply(200, b'{"jobs": [{"id": 1', declared_length=500)
    policy, slept = no_sleep()
    feed = source({"name": "cut", "kind": "jsonfeed", "url": f"{server.base}/cut"}, policy)
    with pytest.raises(SourceUnavailable, match=r"gave up after 4 attempts: RemoteProtocolError"):
        feed.fetch(client, FetchState())
    assert len(server.hits("/cut")) == 4 and len(slept) == 3


def test_an_oversized_body_stops_the_download(server: ScriptedServer, client: httpx.Client) -> None:
    server.routes["/big"] = lambda seen: Reply(200, b"[" + b" " * 5000 + b"]")
    feed = source({"name": "big", "kind": "jsonfeed", "url": f"{server.base}/big"}, FetchPolicy(max_bytes=1000))
    with pytest.raises(SourceTooLarge, match=r"big: GET .*/big: response larger than 1000 bytes"):
        feed.fetch(client, FetchState())
    assert len(server.hits("/big")) == 1  # a permanent problem: not retried


def test_malformed_json_from_the_server_is_a_format_error(server: ScriptedServer, client: httpx.Client) -> None:
    server.routes["/v1/boards/acme/jobs"] = lambda seen: Reply(200, b'{"jobs": [}')
    gh = source({"name": "acme", "kind": "greenhouse", "board": "acme", "base_url": f"{server.base}/v1/boards"})
    with pytest.raises(SourceFormatError, match=r"acme: http://127\.0\.0\.1:\d+/v1/boards/acme/jobs\?.*malformed JSON"):
        gh.fetch(client, FetchState())
