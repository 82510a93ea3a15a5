"""Greenhouse board mapping, through httpx.MockTransport with Job Board API-shaped bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from matching.pay import parse_structured_pay
from matching.posting import posting_from_dict
from worker.sources import (
    FetchResult,
    SourceFormatError,
)

FIXTURES = Path(__file__).parent / "fixtures"

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


def test_pay_is_in_cents(fetch) -> None:
    ranges = [{"min_cents": 15000050, "max_cents": 19000000, "currency_type": "USD", "title": "NYC", "blurb": "Base."}]
    result, _ = fetch({"jobs": [job(pay_input_ranges=ranges)]})
    assert result.postings[0]["salary"] == {
        "min": 150000.5,
        "max": 190000.0,
        "currency": "USD",
        "period": "year",
    }
    assert "salary_text" not in result.postings[0]


def test_the_company_is_the_payloads_name_unless_the_source_sets_one(fetch) -> None:
    result, _ = fetch({"jobs": [job(1, company_name="GitLab"), job(2)]})
    assert [p["company"] for p in result.postings] == ["GitLab", "acme"]  # no name in the job: the board token
    result, _ = fetch({"jobs": [job(1, company_name="GitLab")]}, company="GitLab Inc.")
    assert result.postings[0]["company"] == "GitLab Inc."


def test_a_saved_board_response_names_its_company(fetch) -> None:
    # A real response (fixtures/README.md): every job says "company_name": "Vercel"; the token is "vercel".
    body = (FIXTURES / "greenhouse_vercel.json").read_bytes()
    result, _ = fetch(body)
    assert result.errors == []
    assert [(p["id"], p["company"], p["location"]) for p in result.postings] == [
        ("acme:6136160004", "Vercel", "Hybrid - London"),
        ("acme:5999792004", "Vercel", "Hybrid - London"),
    ]
    assert result.postings[0]["title"] == "Account Executive, Commercial"
    assert result.postings[0]["description"].startswith("About Vercel:\nVercel is the agentic infrastructure company")
    assert "&#39;" not in result.postings[0]["description"] and "what's next" in result.postings[0]["description"]
    assert result.postings[0]["posted_at"] == "2026-08-06T16:50:10+00:00"


def test_several_pay_ranges_in_one_currency_are_zones_and_their_span(fetch) -> None:
    body = json.loads((FIXTURES / "greenhouse_pay_zones.json").read_text(encoding="utf-8"))
    result, _ = fetch(body)
    assert result.errors == []
    zoned = result.postings[0]
    assert zoned["company"] == "Northwind Analytics"
    assert zoned["salary"] == {
        "min": 160000.0,
        "max": 242000.0,
        "currency": "USD",
        "period": "year",
        "zones": [
            {"label": "US Zone 1", "min": 198000.0, "max": 242000.0, "currency": "USD", "period": "year"},
            {"label": "US Zone 2", "min": 178000.0, "max": 218000.0, "currency": "USD", "period": "year"},
            {"label": "US Zone 3", "min": 160000.0, "max": 196000.0, "currency": "USD", "period": "year"},
        ],
    }
    # ... carried into the stated pay of the result
    stated = parse_structured_pay(posting_from_dict(zoned).salary or {}, posting_id=zoned["id"]).to_dict()
    assert (stated["low"], stated["high"], stated["currency"], stated["period"]) == (160000.0, 242000.0, "USD", "year")
    assert stated["zones"] == [
        {"label": "US Zone 1", "low": 198000.0, "high": 242000.0},
        {"label": "US Zone 2", "low": 178000.0, "high": 218000.0},
        {"label": "US Zone 3", "low": 160000.0, "high": 196000.0},
    ]


def test_pay_ranges_in_several_currencies_report_the_one_of_the_jobs_location(fetch) -> None:
    body = json.loads((FIXTURES / "greenhouse_pay_zones.json").read_text(encoding="utf-8"))
    result, _ = fetch(body)
    toronto = result.postings[1]
    assert toronto["location"] == "Toronto, Ontario, Canada"
    assert {key: toronto["salary"][key] for key in ("min", "max", "currency", "period")} == {
        "min": 145000.0,
        "max": 175000.0,
        "currency": "CAD",
        "period": "year",
    }
    assert [(z["label"], z["currency"]) for z in toronto["salary"]["zones"]] == [
        ("US Salary Range", "USD"),
        ("Canada Salary Range", "CAD"),
    ]
    # The same ranges for a job in the US, and for one whose location only the range's title names.
    ranges = body["jobs"][1]["pay_input_ranges"]
    result, _ = fetch({"jobs": [job(1, location={"name": "Austin, TX"}, pay_input_ranges=ranges)]})
    assert result.postings[0]["salary"]["currency"] == "USD"
    euro = [
        {"min_cents": 9000000, "max_cents": 11000000, "currency_type": "USD", "title": "US"},
        {"min_cents": 7000000, "max_cents": 8500000, "currency_type": "EUR", "title": "Germany"},
    ]
    result, _ = fetch({"jobs": [job(1, location={"name": "Berlin, Germany"}, pay_input_ranges=euro)]})
    assert (result.postings[0]["salary"]["currency"], result.postings[0]["salary"]["min"]) == ("EUR", 70000.0)
    # Stated pay keeps the zones of the reported currency only: one range is no zones.
    posting = posting_from_dict(toronto)
    assert parse_structured_pay(posting.salary or {}, posting_id=posting.id).zones == ()


def test_a_bad_range_among_several_is_left_out_with_a_warning(fetch) -> None:
    ranges = [
        {"min_cents": 15000000, "max_cents": 19000000, "currency_type": "USD", "title": "NYC"},
        {"min_cents": 9, "max_cents": 1, "currency_type": "USD", "title": "Elsewhere"},
        {"min_cents": 12000000, "max_cents": 14000000, "currency_type": "USD", "title": "Remote"},
    ]
    result, _ = fetch({"jobs": [job(pay_input_ranges=ranges)]})
    salary = result.postings[0]["salary"]
    assert (salary["min"], salary["max"]) == (120000.0, 190000.0)
    assert [zone["label"] for zone in salary["zones"]] == ["NYC", "Remote"]
    (warning,) = result.errors
    assert not warning.dropped and warning.message.startswith("pay range 1: min 0.09 is above max 0.01")


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


def test_malformed_zones_in_a_postings_own_salary_are_a_pay_error() -> None:
    from matching.pay import PayError

    salary = {"min": 1, "max": 2, "currency": "USD", "period": "year", "zones": "Zone 1"}
    with pytest.raises(PayError, match=r"^posting p1: salary\.zones: expected a list, got str$"):
        parse_structured_pay(salary, posting_id="p1")
    with pytest.raises(PayError, match=r"salary\.min: expected a non-negative number, got 'lots'"):
        parse_structured_pay({**salary, "zones": [{"label": "A", "min": "lots", "max": 2}]}, posting_id="p1")
