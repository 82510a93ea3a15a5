"""Greenhouse board mapping, through httpx.MockTransport with Job Board API-shaped bodies."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from worker.sources import (
    FetchResult,
    SourceFormatError,
)

pytestmark = pytest.mark.timeout(5)


def job(job_id: object = 123, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": job_id,
        "internal_job_id": 900,
        "title": "Senior Data Engineer",
        "updated_at": "2024-03-05T10:00:00-05:00",
        "requisition_id": "R-1",
        "location": {"name": "New York, NY"},
        "absolute_url": f"https://boards.greenhouse.io/acme/jobs/{job_id}",
        "metadata": None,
        "content": (
            "&lt;p&gt;You will build &amp;amp; run pipelines.&lt;/p&gt;"
            "&lt;h3&gt;What you bring&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;Python&lt;/li&gt;"
            "&lt;li&gt;SQL&amp;nbsp;at scale&lt;/li&gt;&lt;/ul&gt;"
        ),
        "departments": [{"id": 1, "name": "Data", "parent_id": None, "child_ids": []}],
        "offices": [{"id": 2, "name": "NYC", "location": "New York, NY, United States"}],
    }
    base.update(fields)
    return base


@pytest.fixture
def fetch(fetch_source):
    def fetch(body: Any, *, status: int = 200, **options: Any) -> tuple[FetchResult, list[httpx.Request]]:
        def handle(request: httpx.Request) -> httpx.Response:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            return httpx.Response(status, content=content, headers={"Content-Type": "application/json"})

        return fetch_source({"name": "acme", "kind": "greenhouse", "board": "acme", **options}, handle)

    return fetch


def test_a_job_maps_onto_a_posting(fetch) -> None:
    result, seen = fetch({"jobs": [job()], "meta": {"total": 1}})
    assert str(seen[0].url) == (
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true"
    )
    assert result.errors == [] and not result.not_modified
    assert result.postings == [
        {
            "id": "acme:123",
            "source": "acme",
            "title": "Senior Data Engineer",
            "description": "You will build & run pipelines.\nWhat you bring\nPython\nSQL at scale",
            "company": "acme",
            "location": "New York, NY",
            "url": "https://boards.greenhouse.io/acme/jobs/123",
            "posted_at": "2024-03-05T15:00:00+00:00",
        }
    ]


def test_first_published_is_preferred_over_updated_at(fetch) -> None:
    result, _ = fetch({"jobs": [job(first_published="2024-01-02T03:04:05Z")]})
    assert result.postings[0]["posted_at"] == "2024-01-02T03:04:05+00:00"


def test_pay_is_in_cents_and_the_first_range_wins(fetch) -> None:
    ranges = [
        {
            "min_cents": 15000050,
            "max_cents": 19000000,
            "currency_type": "USD",
            "title": "NYC",
            "blurb": "Base.",
        },
        {"min_cents": 1, "max_cents": 2, "currency_type": "USD", "title": "Elsewhere", "blurb": ""},
    ]
    result, _ = fetch({"jobs": [job(pay_input_ranges=ranges)]})
    assert result.postings[0]["salary"] == {
        "min": 150000.5,
        "max": 190000.0,
        "currency": "USD",
        "period": "year",
    }
    assert "salary_text" not in result.postings[0]


def test_the_period_comes_from_the_range_title_or_the_option(fetch) -> None:
    hourly = [{"min_cents": 4000, "max_cents": 5500, "currency_type": "USD", "title": "Hourly Pay Range"}]
    result, _ = fetch({"jobs": [job(pay_input_ranges=hourly)]})
    assert result.postings[0]["salary"]["period"] == "hour"
    assert result.postings[0]["salary"]["min"] == 40.0
    plain = [{"min_cents": 500000, "max_cents": 600000, "currency_type": "EUR", "title": "Berlin"}]
    result, _ = fetch({"jobs": [job(pay_input_ranges=plain)]}, pay_period="month")
    assert result.postings[0]["salary"] == {
        "min": 5000.0,
        "max": 6000.0,
        "currency": "EUR",
        "period": "month",
    }


def test_a_pay_range_that_does_not_fit_is_kept_as_text_with_a_warning(fetch) -> None:
    backwards = [{"min_cents": 900000, "max_cents": 100000, "currency_type": "USD", "title": "NYC"}]
    result, _ = fetch({"jobs": [job(pay_input_ranges=backwards)]})
    (posting,) = result.postings
    assert "salary" not in posting and posting["salary_text"] == "NYC 900000 100000 USD"
    (warning,) = result.errors
    assert not warning.dropped and warning.field == "salary" and "min 9000 is above max 1000" in warning.message


def test_company_option_and_base_url_override(fetch) -> None:
    result, seen = fetch({"jobs": [job()]}, company="Acme Corp", base_url="https://gh.test/v1/boards/")
    assert result.postings[0]["company"] == "Acme Corp"
    assert seen[0].url.host == "gh.test" and seen[0].url.path == "/v1/boards/acme/jobs"


def test_a_job_missing_its_title_is_a_record_error_and_the_rest_are_kept(fetch) -> None:
    untitled = job(124)
    del untitled["title"]
    result, _ = fetch({"jobs": [job(123), untitled, job(125, title="  ")]})
    assert [p["id"] for p in result.postings] == ["acme:123"]
    assert [str(e) for e in result.errors] == [
        "acme: jobs[1] (id 124): title: missing",
        "acme: jobs[2] (id 125): title: missing",
    ]
    assert all(e.dropped for e in result.errors)


def test_bad_ids_and_non_objects_are_record_errors(fetch) -> None:
    result, _ = fetch({"jobs": [job(1), job(None), "junk", job(1), job(True)]})
    assert [p["id"] for p in result.postings] == ["acme:1"]
    assert [str(e) for e in result.errors] == [
        "acme: jobs[1]: id: missing",
        "acme: jobs[2]: expected an object, got string",
        "acme: jobs[3] (id 1): id: duplicate id, first seen at jobs[0] (id 1)",
        "acme: jobs[4]: id: expected a string or whole number, got boolean",
    ]


def test_an_unreadable_date_leaves_posted_at_empty_with_a_warning(fetch) -> None:
    result, _ = fetch({"jobs": [job(updated_at="last tuesday")]})
    assert result.postings[0]["posted_at"] is None
    assert [(e.field, e.dropped) for e in result.errors] == [("posted_at", False)]


def test_no_content_means_an_empty_description(fetch) -> None:
    bare = job()
    del bare["content"]
    result, _ = fetch({"jobs": [bare]})
    assert result.postings[0]["description"] == ""


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        ({"error": "board not found"}, "an object without a 'jobs' list"),
        ({"jobs": {"id": 1}}, "an object without a 'jobs' list"),
        ([job()], "array"),
        ("jobs", "string"),
    ],
)
def test_the_wrong_top_level_shape_is_a_format_error(fetch, body: Any, shape: str) -> None:
    with pytest.raises(SourceFormatError, match=rf"^acme: https://boards-api\.greenhouse\.io/.*got {shape}$"):
        fetch(body)


def test_a_truncated_json_body_is_a_format_error(fetch) -> None:
    whole = json.dumps({"jobs": [job(), job(124)]}).encode()
    with pytest.raises(SourceFormatError, match=r"malformed JSON at line 1 column \d+: .*\(truncated\?\)"):
        fetch(whole[: len(whole) // 2])


def test_a_body_that_is_not_utf8_is_a_format_error(fetch) -> None:
    with pytest.raises(SourceFormatError, match=r"malformed JSON|not UTF-8"):
        fetch(b"\xff\xfe\xfa{")
