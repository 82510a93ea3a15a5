"""Lever postings mapping and paging, through httpx.MockTransport with Postings API-shaped bodies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from worker.sources import (
    FetchResult,
    FetchState,
    SourceFormatError,
)

pytestmark = pytest.mark.timeout(5)


def posting(posting_id: str = "5ac21346-8e0c-4494-8e7a-3eb92ff77902", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": posting_id,
        "text": "Backend Engineer",
        "categories": {
            "location": "Berlin",
            "team": "Platform",
            "commitment": "Full-time",
            "department": "Engineering",
            "allLocations": ["Berlin"],
        },
        "country": "DE",
        "createdAt": 1709632800000,
        "description": "<div><b>About us</b></div><div>We ship &amp; learn.</div>",
        "descriptionPlain": "About us\nWe ship & learn.\n",
        "lists": [
            {"text": "Requirements", "content": "<li>Go</li><li>Postgres</li>"},
            {"text": "Benefits", "content": "<li>Remote budget</li>"},
        ],
        "additional": "<div>Equal opportunity employer.</div>",
        "additionalPlain": "Equal opportunity employer.",
        "hostedUrl": f"https://jobs.lever.co/acme/{posting_id}",
        "applyUrl": f"https://jobs.lever.co/acme/{posting_id}/apply",
        "workplaceType": "hybrid",
    }
    base.update(fields)
    return base


@pytest.fixture
def fetch(fetch_source):
    def fetch(
        pages: list[Any] | None = None, *, handler: Any = None, **options: Any
    ) -> tuple[FetchResult, list[httpx.Request]]:
        served: list[httpx.Request] = []

        def serve_pages(request: httpx.Request) -> httpx.Response:
            served.append(request)
            return httpx.Response(200, json=(pages or [])[len(served) - 1])

        return fetch_source({"name": "lev", "kind": "lever", "site": "acme", **options}, handler or serve_pages)

    return fetch


def test_a_posting_maps_onto_a_posting_dict(fetch) -> None:
    result, seen = fetch([[posting()]])
    assert str(seen[0].url) == "https://api.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"
    assert result.errors == []
    assert result.postings == [
        {
            "id": "lev:5ac21346-8e0c-4494-8e7a-3eb92ff77902",
            "source": "lev",
            "title": "Backend Engineer",
            "description": (
                "About us\nWe ship & learn.\nRequirements\nGo\nPostgres\nBenefits\nRemote budget\n"
                "Equal opportunity employer."
            ),
            "company": "acme",
            "location": "Berlin",
            "url": "https://jobs.lever.co/acme/5ac21346-8e0c-4494-8e7a-3eb92ff77902",
            "posted_at": "2024-03-05T10:00:00+00:00",
        }
    ]


def test_plain_fields_are_used_when_the_html_ones_are_missing(fetch) -> None:
    bare = posting(description="", lists=[], additional=None)
    result, _ = fetch([[bare]])
    assert result.postings[0]["description"] == "About us\nWe ship & learn.\nEqual opportunity employer."


def test_the_eu_region_uses_the_eu_host(fetch) -> None:
    _, seen = fetch([[posting()]], region="eu")
    assert seen[0].url.host == "api.eu.lever.co"
    assert seen[0].url.path == "/v0/postings/acme"


@pytest.mark.parametrize(
    ("interval", "period"),
    [
        ("per-year-salary", "year"),
        ("per-month-salary", "month"),
        ("per-week-salary", "week"),
        ("per-day-wage", "day"),
        ("per-hour-wage", "hour"),
    ],
)
def test_salary_range_intervals(fetch, interval: str, period: str) -> None:
    pay = {"currency": "EUR", "interval": interval, "min": 60, "max": 80}
    result, _ = fetch([[posting(salaryRange=pay)]])
    assert result.postings[0]["salary"] == {"min": 60.0, "max": 80.0, "currency": "EUR", "period": period}
    assert result.errors == []


def test_an_unknown_interval_is_kept_as_text_with_a_warning(fetch) -> None:
    pay = {"currency": "USD", "interval": "one-time", "min": 5000, "max": 5000}
    result, _ = fetch([[posting(salaryRange=pay)]])
    (mapped,) = result.postings
    assert "salary" not in mapped and mapped["salary_text"] == "5000 5000 USD one-time"
    (warning,) = result.errors
    assert warning.field == "salary" and not warning.dropped and "unknown interval 'one-time'" in warning.message


def test_a_salary_description_without_a_range_becomes_salary_text(fetch) -> None:
    result, _ = fetch([[posting(salaryDescriptionPlain="€70k – €90k depending on experience")]])
    assert result.postings[0]["salary_text"] == "€70k – €90k depending on experience"


def test_pages_follow_skip_and_limit_until_a_short_page(fetch) -> None:
    pages = [[posting("a"), posting("b")], [posting("c"), posting("d")], [posting("e")]]
    result, seen = fetch(pages, page_size=2)
    assert [p["id"] for p in result.postings] == ["lev:a", "lev:b", "lev:c", "lev:d", "lev:e"]
    assert [(r.url.params["skip"], r.url.params["limit"]) for r in seen] == [
        ("0", "2"),
        ("2", "2"),
        ("4", "2"),
    ]
    assert result.state == FetchState()


def test_an_exactly_full_last_page_ends_on_an_empty_one(fetch) -> None:
    result, seen = fetch([[posting("a"), posting("b")], []], page_size=2)
    assert len(result.postings) == 2 and len(seen) == 2


def test_a_server_that_ignores_skip_is_caught(fetch) -> None:
    def same_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[posting("a"), posting("b")])

    with pytest.raises(SourceFormatError, match=r"lev: .*skip=2.*: the page at skip=2 repeats earlier postings"):
        fetch(handler=same_page, page_size=2)


def test_paging_is_bounded(fetch) -> None:
    counter = iter(range(1000))

    def endless(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[posting(f"p{next(counter)}")])

    with pytest.raises(SourceFormatError, match="more than 3 pages of 1; raise max_pages"):
        fetch(handler=endless, page_size=1, max_pages=3)


def test_a_posting_without_text_is_a_record_error_and_the_rest_are_kept(fetch) -> None:
    untitled = posting("b")
    del untitled["text"]
    result, _ = fetch([[posting("a"), untitled, posting("c")]])
    assert [p["id"] for p in result.postings] == ["lev:a", "lev:c"]
    assert [str(e) for e in result.errors] == ["lev: postings[1] (id b): title: missing"]


def test_a_response_that_is_not_a_list_is_a_format_error(fetch) -> None:
    with pytest.raises(
        SourceFormatError, match=r"^lev: https://api\.lever\.co/.*expected a list of postings, got object"
    ):
        fetch([{"ok": False, "error": "Document not found"}])
