"""Local JSON-lines and CSV files: mapping, line numbers for bad lines, and unchanged files skipped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from worker.sources import (
    FetchResult,
    FetchState,
    SourceTooLarge,
    SourceUnavailable,
    build_source,
    parse_source_config,
)
from worker.sources.http import FetchPolicy

pytestmark = pytest.mark.timeout(5)


@pytest.fixture
def fetch(fetch_source):
    def fetch(
        path: Path, state: FetchState | None = None, policy: FetchPolicy | None = None, **options: Any
    ) -> FetchResult:
        table = {"name": "local", "kind": "files", "path": str(path), **options}
        return fetch_source(table, state=state, policy=policy, where="sources[3]")[0]  # files make no request

    return fetch


def test_a_jsonl_file_maps_and_reports_its_bad_lines(fetch, tmp_path: Path) -> None:
    path = tmp_path / "postings.jsonl"
    path.write_text(
        '{"id": "1", "title": "Welder", "location": "Leeds", "salary_text": "£30k"}\n'
        "not json\n"
        "\n"
        '{"id": "3"}\n'
        '{"id": "4", "title": "Fitter", "posted_at": "2024-03-05"}\n',
        encoding="utf-8",
    )
    result = fetch(path)
    assert [p["id"] for p in result.postings] == ["local:1", "local:4"]
    assert result.postings[0]["salary_text"] == "£30k" and result.postings[0]["location"] == "Leeds"
    assert result.postings[1]["posted_at"] == "2024-03-05T00:00:00+00:00"
    assert [str(e) for e in result.errors] == ["local: line 2: malformed JSON at column 1: Expecting value"]
    assert result.skipped == 1  # line 4: an id and nothing else, no title nor description, is no posting


def test_a_csv_file_with_a_header_a_quoted_newline_and_bad_rows(fetch, tmp_path: Path) -> None:
    path = tmp_path / "postings.csv"
    path.write_text(
        "ref,role,about,min,max,currency,per\n"
        '1,Nurse,"Ward work,\nnights",30000,36000,GBP,year\n'
        "2,Porter,,12,14\n"
        '3,Cook,"bad"quote,1,2,GBP,hour\n'
        "4,,No title,,,,\n"
        "5,Cleaner,,11.5,13,GBP,hour\n",
        encoding="utf-8",
    )
    fields = {
        "id": "ref",
        "title": "role",
        "description": "about",
        "salary_min": "min",
        "salary_max": "max",
        "salary_currency": "currency",
        "salary_period": "per",
    }
    result = fetch(path, fields=fields, company="NHS Trust")
    assert [p["id"] for p in result.postings] == ["local:1", "local:5"]
    nurse, cleaner = result.postings
    assert nurse["description"] == "Ward work,\nnights" and nurse["company"] == "NHS Trust"
    assert nurse["salary"] == {"min": 30000.0, "max": 36000.0, "currency": "GBP", "period": "year"}
    assert cleaner["salary"] == {"min": 11.5, "max": 13.0, "currency": "GBP", "period": "hour"}
    assert [str(e) for e in result.errors] == [
        "local: line 4: 5 fields where the header has 7",
        "local: line 5: malformed CSV: ',' expected after '\"'",
        "local: line 6 (id 4): title: missing",
    ]


def test_an_unchanged_file_is_not_modified_and_a_changed_one_is_read_again(fetch, tmp_path: Path) -> None:
    path = tmp_path / "postings.jsonl"
    path.write_text('{"id": "1", "title": "Welder"}\n', encoding="utf-8")
    first = fetch(path)
    assert len(first.postings) == 1 and first.state.etag is not None

    again = fetch(path, first.state)
    assert again.not_modified and again.postings == [] and again.state == first.state

    path.write_text('{"id": "1", "title": "Welder"}\n{"id": "2", "title": "Fitter"}\n', encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = fetch(path, first.state)
    assert not changed.not_modified and len(changed.postings) == 2


def test_the_format_option_overrides_the_extension(fetch, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("id,title\n9,Plumber\n", encoding="utf-8")
    assert [p["id"] for p in fetch(path, format="csv").postings] == ["local:9"]


def test_a_missing_file_is_unavailable(fetch, tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match=r"^local: .*missing\.jsonl: No such file or directory$"):
        fetch(tmp_path / "missing.jsonl")


def test_a_file_past_the_size_bound_is_refused(fetch, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": "1", "title": "x"}\n' * 100, encoding="utf-8")
    with pytest.raises(SourceTooLarge, match=r"big\.jsonl: file larger than 500 bytes"):
        fetch(path, policy=FetchPolicy(max_bytes=500))


def test_an_empty_csv_file_has_no_postings(fetch, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    result = fetch(path)
    assert result.postings == [] and result.errors == []


def test_the_client_argument_is_not_used(fetch, tmp_path: Path) -> None:
    path = tmp_path / "postings.jsonl"
    path.write_text('{"id": "1", "title": "Welder"}\n', encoding="utf-8")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("files must not touch the network")

    source = build_source(parse_source_config({"name": "l", "kind": "files", "path": str(path)}, where="s"))
    with httpx.Client(transport=httpx.MockTransport(refuse), timeout=1.0) as client:
        assert len(source.fetch(client, FetchState()).postings) == 1
