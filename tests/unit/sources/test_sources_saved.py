"""Every kind of source on saved real responses (fixtures/, origins in its README), served by a real HTTP server
on 127.0.0.1: what the boards really send, not what we think they send."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripted_http import Reply, ScriptedServer

from matching.posting import posting_from_dict
from worker.sources import FetchResult, FetchState, build_source, make_client, parse_source_config

pytestmark = pytest.mark.timeout(20)

FIXTURES = Path(__file__).parent / "fixtures"
# fixture -> (content type, the path it is served at, the source table that reads it; {base} is the server)
SAVED: dict[str, tuple[str, str, dict[str, Any]]] = {
    "greenhouse_vercel.json": (
        "application/json",
        "/v1/boards/vercel/jobs",
        {"kind": "greenhouse", "board": "vercel", "base_url": "{base}/v1/boards"},
    ),
    "greenhouse_pay_zones.json": (
        "application/json",
        "/v1/boards/northwind/jobs",
        {"kind": "greenhouse", "board": "northwind", "base_url": "{base}/v1/boards"},
    ),
    "lever_spotify.json": (
        "application/json",
        "/v0/postings/spotify",
        {"kind": "lever", "site": "spotify", "base_url": "{base}"},
    ),
    "remoteok_api.json": (
        "application/json",
        "/api",
        {"kind": "jsonfeed", "url": "{base}/api", "fields": {"title": "position", "posted_at": "date"}},
    ),
    "remotive_jobs.json": (
        "application/json",
        "/api/remote-jobs",
        {
            "kind": "jsonfeed",
            "url": "{base}/api/remote-jobs",
            "items": "jobs",
            "fields": {
                "company": "company_name",
                "location": "candidate_required_location",
                "posted_at": "publication_date",
                "salary_text": "salary",
            },
        },
    ),
    "stackoverflow_jobs.rss": ("application/rss+xml", "/jobs/feed", {"kind": "feed", "url": "{base}/jobs/feed"}),
    "weworkremotely_programming.rss": (
        "application/rss+xml",
        "/categories/remote-programming-jobs.rss",
        {"kind": "feed", "url": "{base}/categories/remote-programming-jobs.rss"},
    ),
    "craigslist_jobs.rdf": ("application/rdf+xml", "/search/jjj", {"kind": "feed", "url": "{base}/search/jjj"}),
}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        for name, (content_type, path, _table) in SAVED.items():
            body = (FIXTURES / name).read_bytes()
            if "lever" in name:
                # Lever pages with skip: the saved page is the first, the next one is empty.
                srv.routes[path] = lambda seen, body=body: Reply(
                    200, body if seen.query.get("skip", ["0"]) == ["0"] else b"[]", {"Content-Type": "application/json"}
                )
            else:
                srv.routes[path] = lambda seen, body=body, ct=content_type: Reply(200, body, {"Content-Type": ct})
        yield srv


def fetch(server: ScriptedServer, name: str) -> FetchResult:
    table = {"name": "saved", **SAVED[name][2]}
    table = {key: value.format(base=server.base) if isinstance(value, str) else value for key, value in table.items()}
    source = build_source(parse_source_config(table, where="sources[0]"))
    with make_client(timeout=5.0) as client:
        return source.fetch(client, FetchState())


def test_every_saved_response_is_listed_with_its_origin() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `([^`]+)` \|.*\| (.+) \|$", readme, re.M)}
    files = sorted(p.name for p in FIXTURES.iterdir() if p.name != "README.md")
    assert sorted(rows) == files
    assert sorted(SAVED) == files  # and each is read by a test below
    for name, origin in rows.items():
        real = re.search(r"\[[\w.-]+/[\w.-]+\]\(https://github\.com/[\w.-]+/[\w.-]+\), `[^`]+`", origin)
        assert real or "written for the project" in origin, f"{name}: no origin (repository and path) noted"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_every_saved_response_maps_onto_valid_postings(server, name: str) -> None:
    result = fetch(server, name)
    assert result.postings and not result.not_modified
    assert [e for e in result.errors if e.dropped] == []
    for posting in result.postings:
        checked = posting_from_dict(posting)  # what a worker does next: no PostingError
        assert checked.title and checked.description and checked.id.startswith("saved:")


def test_lever_postings_from_a_saved_response(server) -> None:
    result = fetch(server, "lever_spotify.json")
    assert result.errors == []
    assert [(p["title"], p["location"], p["company"]) for p in result.postings] == [
        ("Android Engineer - Experience", "London", "spotify"),
        ("Artist & Label Partnerships Contractor, Vietnam", "Ho Chi Minh", "spotify"),
    ]
    first = result.postings[0]
    assert first["url"] == "https://jobs.lever.co/spotify/2193db3f-77c5-43b8-b030-8f92c9882bf1"
    assert first["posted_at"] == "2026-06-23T11:29:45+00:00"
    assert "What You'll Do\nDevelop and maintain mobile client components" in first["description"]
    # Two postings, fewer than a page (100): the listing ends with its first page.
    assert {tuple(hit.query["skip"]) for hit in server.hits("/v0/postings/spotify")} == {("0",)}


def test_remotive_postings_from_a_saved_response(server) -> None:
    result = fetch(server, "remotive_jobs.json")
    assert result.errors == []
    assert [(p["title"], p["company"], p["location"]) for p in result.postings] == [
        ("Content Reviewer - United States", "TELUS Digital", "USA"),
        ("Frontend Web Application Developer", "KoboToolbox", "USA, Canada, Argentina, Mexico, Peru"),
    ]
    assert "salary_text" not in result.postings[0]  # "salary": "" is no pay
    assert result.postings[1]["salary_text"] == "$90k - $105k"
    assert result.postings[1]["posted_at"] == "2026-09-18T16:43:22+00:00"
