"""Generic JSON and JSON-lines feeds through httpx.MockTransport: items paths, field mapping, bad records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from worker.sources import (
    FetchResult,
    SourceFormatError,
)

pytestmark = pytest.mark.timeout(5)

FIXTURES = Path(__file__).parent / "fixtures"
# RemoteOK's API (https://remoteok.com/api) as a jsonfeed source: a top-level list, the title in `position`.
REMOTEOK = {"fields": {"title": "position", "posted_at": "date"}}


@pytest.fixture
def fetch(fetch_source):
    def fetch(body: bytes | Any, url: str = "https://jobs.example/feed.json", **options: Any) -> FetchResult:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()

        def handle(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=content)

        return fetch_source({"name": "board", "kind": "jsonfeed", "url": url, **options}, handle)[0]

    return fetch


def test_a_top_level_list_with_identity_fields(fetch) -> None:
    record = {
        "id": 7,
        "title": "Data Analyst",
        "description": "<p>Dashboards.</p><ul><li>SQL</li></ul>",
        "company": "Initech",
        "location": "Remote",
        "url": "https://jobs.example/7",
        "posted_at": "2024-03-05T10:00:00Z",
        "salary_min": 70000,
        "salary_max": 90000,
        "salary_currency": "usd",
        "salary_period": "Year",
    }
    result = fetch([record])
    assert result.errors == []
    assert result.postings == [
        {
            "id": "board:7",
            "source": "board",
            "title": "Data Analyst",
            "description": "Dashboards.\nSQL",
            "company": "Initech",
            "location": "Remote",
            "url": "https://jobs.example/7",
            "posted_at": "2024-03-05T10:00:00+00:00",
            "salary": {"min": 70000.0, "max": 90000.0, "currency": "USD", "period": "year"},
        }
    ]


def test_an_items_path_and_a_field_mapping_with_dotted_paths(fetch) -> None:
    document = {
        "data": {
            "jobs": [
                {
                    "ref": "a-1",
                    "name": "SRE",
                    "body": "Keep it up.\n\nOn call.",
                    "where": {"city": "Lisbon"},
                    "pay": {"text": "€60-75k"},
                    "ts": 1709632800,
                }
            ]
        }
    }
    fields = {
        "id": "ref",
        "title": "name",
        "description": "body",
        "location": "where.city",
        "salary_text": "pay.text",
        "posted_at": "ts",
    }
    result = fetch(document, items="data.jobs", fields=fields, company="Globex")
    (posting,) = result.postings
    assert posting["id"] == "board:a-1" and posting["title"] == "SRE"
    assert posting["description"] == "Keep it up.\n\nOn call."
    assert posting["location"] == "Lisbon" and posting["company"] == "Globex"
    assert posting["salary_text"] == "€60-75k" and "salary" not in posting
    assert posting["posted_at"] == "2024-03-05T10:00:00+00:00"


def test_records_missing_id_or_title_are_record_errors_naming_index_and_id(fetch) -> None:
    items = [
        {"id": 1, "title": "Kept"},
        {"id": 2, "description": "No title"},
        {"title": "No id"},
        [1, 2],
        {"id": 3, "title": ["x"]},
    ]
    result = fetch({"data": {"jobs": items}}, items="data.jobs")
    assert [p["id"] for p in result.postings] == ["board:1"]
    assert [str(e) for e in result.errors] == [
        "board: data.jobs[1] (id 2): title: missing",
        "board: data.jobs[2]: id: missing",
        "board: data.jobs[3]: expected an object, got array",
        "board: data.jobs[4] (id 3): title: expected a string, got array",
    ]


def test_incomplete_pay_is_kept_as_text_with_a_warning(fetch) -> None:
    result = fetch([{"id": 1, "title": "T", "salary_min": 50000, "salary_currency": "GBP"}])
    (posting,) = result.postings
    assert "salary" not in posting and posting["salary_text"] == "50000 GBP"
    (warning,) = result.errors
    assert warning.field == "salary" and not warning.dropped and "needs both" in warning.message


def test_json_lines_with_a_malformed_line(fetch) -> None:
    lines = b'{"id": "a", "title": "One"}\n\n{"id": "b", "title": \n{"id": "c", "title": "Three"}\n'
    result = fetch(lines, url="https://jobs.example/feed.jsonl")
    assert [p["id"] for p in result.postings] == ["board:a", "board:c"]
    (error,) = result.errors
    assert error.record == "line 3" and error.dropped and "malformed JSON" in error.message


def test_a_truncated_json_lines_body_loses_only_its_last_line(fetch) -> None:
    lines = b'{"id": "a", "title": "One"}\n{"id": "b", "tit'
    result = fetch(lines, format="jsonl")
    assert [p["id"] for p in result.postings] == ["board:a"]
    assert [e.record for e in result.errors] == ["line 2"]


@pytest.mark.parametrize(
    ("body", "options", "message"),
    [
        (
            {"data": {"jobs": {}}},
            {"items": "data.jobs"},
            r"expected a list at items path 'data\.jobs', got object",
        ),
        ({"data": {}}, {"items": "data.jobs"}, r"expected a list at items path 'data\.jobs', got null"),
        ({"jobs": []}, {}, r"expected a list at the top level, got object"),
        (b'[{"id": 1, "title": "x"', {}, r"malformed JSON at line 1 column \d+: .*\(truncated\?\)"),
        (b"\xff\xfe\x00garbage", {"format": "jsonl"}, r"body is not UTF-8 text"),
    ],
)
def test_whole_document_problems_are_format_errors(fetch, body: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceFormatError, match=rf"^board: https://jobs\.example/feed\.json: {message}"):
        fetch(body, **options)


# --- what real JSON feeds send ------------------------------------------------------------------------------------


def test_remoteoks_legal_notice_is_skipped_and_counted_not_an_error(fetch) -> None:
    # A saved real RemoteOK response (fixtures/README.md): element 0 is {"last_updated", "legal"}, no posting.
    result = fetch((FIXTURES / "remoteok_api.json").read_bytes(), url="https://remoteok.com/api", **REMOTEOK)
    assert result.errors == []
    assert result.skipped == 1
    assert [(p["id"], p["company"], p["location"]) for p in result.postings] == [
        ("board:1137431", "Mercier Consultancy Group", None),
        ("board:1137429", "Workana", None),
    ]
    assert result.postings[0]["posted_at"] == "2026-09-24T16:00:06+00:00"


def test_remoteoks_zero_salary_is_no_salary(fetch) -> None:
    # "salary_min": 0, "salary_max": 0 means "not stated": no salary and no salary_text "0 0", which would also
    # keep the description's own pay from being read.
    result = fetch((FIXTURES / "remoteok_api.json").read_bytes(), **REMOTEOK)
    for posting in result.postings:
        assert "salary" not in posting and "salary_text" not in posting
    record = {"id": 9, "position": "Data Engineer", "description": "Pay: $120,000 - $150,000 a year."}
    result = fetch([{**record, "salary_min": 0, "salary_max": 0}], **REMOTEOK)
    assert result.errors == [] and "salary_text" not in result.postings[0]
    from matching.pay import find_pay_in_text

    pay = find_pay_in_text(result.postings[0]["description"])
    assert pay is not None and (pay.low, pay.high) == (120000, 150000)
    # "0" as text is not stated either; a real amount still needs its other side.
    result = fetch([{**record, "salary_min": "0", "salary_max": "0", "salary_currency": "USD"}], **REMOTEOK)
    assert result.errors == [] and "salary" not in result.postings[0] and "salary_text" not in result.postings[0]
    result = fetch([{**record, "salary_min": 0, "salary_max": 90000, "salary_currency": "USD"}], **REMOTEOK)
    assert result.postings[0]["salary_text"] == "90000 USD"


def test_html_entities_in_company_title_and_location_are_decoded(fetch) -> None:
    record = {
        "id": 1,
        "position": "Plumber &amp; Drain Technician",
        "company": "Bay Plumbing &amp;amp; Drainage",
        "location": "San Jos&eacute;, CA",
        "description": "<p>Fix &amp; clear drains.</p>",
    }
    result = fetch([record], **REMOTEOK)
    (posting,) = result.postings
    assert posting["title"] == "Plumber & Drain Technician"
    assert posting["company"] == "Bay Plumbing & Drainage"
    assert posting["location"] == "San José, CA"
    assert posting["description"] == "Fix & clear drains."


def test_a_record_with_neither_title_nor_description_is_skipped_one_with_either_is_checked(fetch) -> None:
    items = [
        {"legal": "Terms", "last_updated": 1},
        {"id": 5, "title": "  ", "description": ""},
        {"id": 6, "description": "A body but no title"},
        {"id": 7, "title": "Kept"},
    ]
    result = fetch(items)
    assert [p["id"] for p in result.postings] == ["board:7"]
    assert result.skipped == 2
    assert [str(e) for e in result.errors] == ["board: [2] (id 6): title: missing"]
