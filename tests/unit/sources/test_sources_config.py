"""Source configuration: the common keys, each kind's options, and messages that name source and field."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import worker.sources
from worker.sources import (
    SOURCE_KINDS,
    FetchState,
    RecordError,
    SourceConfig,
    SourceConfigError,
    build_source,
    parse_interval,
    parse_source_config,
)

pytestmark = pytest.mark.timeout(5)

MINIMAL: dict[str, dict[str, Any]] = {
    "feed": {"url": "https://acme.example/jobs.rss"},
    "files": {"path": "postings.jsonl"},
    "greenhouse": {"board": "acme"},
    "jsonfeed": {"url": "https://acme.example/jobs.json"},
    "lever": {"site": "acme"},
}


def parse(where: str = "sources[2]", **table: Any) -> SourceConfig:
    return parse_source_config(table, where=where)


def test_a_greenhouse_table_parses() -> None:
    config = parse(name="acme", kind="greenhouse", board="acme", interval="15m")
    assert config == SourceConfig(
        name="acme", kind="greenhouse", interval_seconds=900.0, enabled=True, options={"board": "acme"}
    )
    assert config.origin == "sources[2]"


def test_defaults_are_a_quarter_hour_and_enabled() -> None:
    config = parse(name="acme", kind="lever", site="acme")
    assert config.interval_seconds == 900.0 and config.enabled


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30.0),
        ("15m", 900.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("1.5h", 5400.0),
        (45, 45.0),
        (2.5, 2.5),
    ],
)
def test_intervals(value: object, seconds: float) -> None:
    assert parse_interval(value) == seconds
    assert parse(name="a", kind="greenhouse", board="a", interval=value).interval_seconds == seconds


def test_a_bad_interval_names_the_source_and_field() -> None:
    with pytest.raises(
        SourceConfigError,
        match=r"^sources\[2\] \(acme\): interval: expected a duration like '15m', got 'soon'$",
    ):
        parse(name="acme", kind="greenhouse", board="acme", interval="soon")


@pytest.mark.parametrize("value", [0, -5, "0s", True, "15 minutes", "", None, [15]])
def test_other_bad_intervals(value: object) -> None:
    with pytest.raises(SourceConfigError, match=r"sources\[2\] \(acme\): interval: expected a"):
        parse(name="acme", kind="greenhouse", board="acme", interval=value)


@pytest.mark.parametrize("name", ["Acme", "acme corp", "acme.io", "", 7])
def test_a_bad_name(name: object) -> None:
    with pytest.raises(SourceConfigError, match=r"^sources\[0\]: name: expected lowercase letters, digits"):
        parse("sources[0]", name=name, kind="greenhouse", board="acme")


def test_a_missing_name_or_kind() -> None:
    with pytest.raises(SourceConfigError, match=r"^sources\[0\]: name: missing$"):
        parse("sources[0]", kind="greenhouse", board="acme")
    with pytest.raises(SourceConfigError, match=r"^sources\[0\] \(acme\): kind: missing$"):
        parse("sources[0]", name="acme", board="acme")


def test_an_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(
        SourceConfigError,
        match=r"sources\[1\] \(acme\): kind: unknown kind 'workday' \(expected one of: feed, files, ",
    ):
        parse("sources[1]", name="acme", kind="workday")


def test_enabled_must_be_a_boolean() -> None:
    with pytest.raises(SourceConfigError, match=r"\(acme\): enabled: expected true or false, got 'yes'"):
        parse(name="acme", kind="greenhouse", board="acme", enabled="yes")
    assert not parse(name="acme", kind="greenhouse", board="acme", enabled=False).enabled


def test_a_table_must_be_a_table() -> None:
    with pytest.raises(SourceConfigError, match=r"sources\[0\]: expected a table, got list"):
        parse_source_config([], where="sources[0]")  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example/jobs.xml", "jobs.example/rss", "https://"])
@pytest.mark.parametrize("kind", ["feed", "jsonfeed"])
def test_url_kinds_refuse_anything_but_http_and_https(kind: str, url: str) -> None:
    with pytest.raises(SourceConfigError, match=r"\(acme\): url: expected an http:// or https:// URL, got"):
        parse(name="acme", kind=kind, url=url)


def test_base_url_overrides_are_checked_too() -> None:
    with pytest.raises(SourceConfigError, match=r"\(acme\): base_url: expected an http:// or https:// URL"):
        parse(name="acme", kind="greenhouse", board="acme", base_url="file:///tmp/jobs")
    with pytest.raises(SourceConfigError, match=r"\(acme\): base_url: expected an http"):
        parse(name="acme", kind="lever", site="acme", base_url="ftp://lever.example")


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("greenhouse", {}, r"board: missing"),
        ("greenhouse", {"board": "acme/../x"}, r"board: expected something matching"),
        ("greenhouse", {"board": "acme", "pay_period": "fortnight"}, r"pay_period: expected one of 'hour'"),
        ("greenhouse", {"board": "acme", "bord": "x"}, r"bord: unknown option for kind 'greenhouse'"),
        ("lever", {}, r"site: missing"),
        ("lever", {"site": "acme", "region": "us"}, r"region: expected one of 'global', 'eu', got 'us'"),
        ("lever", {"site": "acme", "page_size": 0}, r"page_size: expected a whole number from 1 to 1000"),
        ("lever", {"site": "acme", "page_size": True}, r"page_size: expected a whole number"),
        ("feed", {}, r"url: missing"),
        ("feed", {"url": "https://a.example/rss", "company": 3}, r"company: expected a non-empty string"),
        (
            "jsonfeed",
            {"url": "https://a.example/x", "format": "xml"},
            r"format: expected one of 'json', 'jsonl'",
        ),
        (
            "jsonfeed",
            {"url": "https://a.example/x", "fields": {"salary": "pay"}},
            r"fields\.salary: unknown field",
        ),
        (
            "jsonfeed",
            {"url": "https://a.example/x", "fields": {"title": ""}},
            r"fields\.title: expected a non-empty",
        ),
        ("jsonfeed", {"url": "https://a.example/x", "fields": "title"}, r"fields: expected a table"),
        (
            "jsonfeed",
            {"url": "https://a.example/x.jsonl", "items": "data"},
            r"items: only applies to format 'json'",
        ),
        ("files", {"path": "postings.txt"}, r"format: cannot tell it from 'postings.txt'"),
        ("files", {"path": "postings.csv", "format": "xlsx"}, r"format: expected one of 'jsonl', 'csv'"),
    ],
)
def test_kind_options_are_checked_at_parse_time(kind: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceConfigError, match=rf"^sources\[2\] \(acme\): {message}"):
        parse(name="acme", kind=kind, **options)


def test_every_kind_builds_from_a_minimal_table() -> None:
    assert sorted(MINIMAL) == sorted(SOURCE_KINDS)
    for kind, options in MINIMAL.items():
        config = parse(name=f"x-{kind}", kind=kind, **options)
        source = build_source(config)
        assert source.config is config
        assert callable(source.fetch)


def test_build_source_refuses_an_unknown_kind() -> None:
    with pytest.raises(SourceConfigError, match=r"^acme: kind: unknown kind 'nope'"):
        build_source(SourceConfig(name="acme", kind="nope"))


def test_lever_region_picks_the_host() -> None:
    eu = build_source(parse(name="acme", kind="lever", site="acme", region="eu"))
    world = build_source(parse(name="acme", kind="lever", site="acme"))
    assert eu.url == "https://api.eu.lever.co/v0/postings/acme"  # type: ignore[attr-defined]
    assert world.url == "https://api.lever.co/v0/postings/acme"  # type: ignore[attr-defined]


def test_jsonfeed_format_follows_the_url_unless_set() -> None:
    lines = build_source(parse(name="a", kind="jsonfeed", url="https://a.example/jobs.jsonl"))
    document = build_source(parse(name="a", kind="jsonfeed", url="https://a.example/jobs.jsonl", format="json"))
    assert lines.format == "jsonl" and document.format == "json"  # type: ignore[attr-defined]


def test_fetch_state_round_trips_through_a_dict() -> None:
    state = FetchState(etag='"v1"', last_modified="Tue, 05 Mar 2024 10:00:00 GMT")
    assert FetchState.from_dict(state.to_dict()) == state
    assert FetchState.from_dict(None) == FetchState()
    assert FetchState.from_dict({"etag": 5}) == FetchState()


def test_record_error_reads_as_a_located_message() -> None:
    error = RecordError("acme", "jobs[3] (id 123)", "title", "missing")
    assert str(error) == "acme: jobs[3] (id 123): title: missing"
    kept = RecordError("acme", "line 7", "posted_at", "bad date", dropped=False)
    assert str(kept) == "acme: line 7: posted_at: bad date (posting kept)"
    assert kept.to_dict()["dropped"] is False


def test_sources_import_neither_celery_nor_redis() -> None:
    """The caller persists state; this package only fetches and maps (read from the source files)."""
    package = Path(worker.sources.__file__).parent
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in {"celery", "redis", "kombu"}, f"{module.name} imports {name}"
