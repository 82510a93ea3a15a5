"""Sources fed fuzzed responses: a whole response fails as a `SourceError`, a bad record as a `RecordError`, and
nothing else ever escapes (a schema change must not crash a poll). Derandomized, so CI sees the same examples."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from worker.sources import FetchState, SourceError, build_source, parse_source_config
from worker.sources.http import FetchPolicy

pytestmark = pytest.mark.timeout(120)

FUZZ = settings(
    derandomize=True,
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TABLES: dict[str, dict[str, Any]] = {
    "greenhouse": {"name": "gh", "kind": "greenhouse", "board": "acme", "base_url": "http://feeds.test/v1/boards"},
    "lever": {"name": "lv", "kind": "lever", "site": "acme", "base_url": "http://feeds.test", "page_size": 3},
    "jsonfeed": {"name": "jf", "kind": "jsonfeed", "url": "http://feeds.test/jobs.json", "items": "data.jobs"},
    "jsonl": {"name": "jl", "kind": "jsonfeed", "url": "http://feeds.test/jobs.jsonl"},
    "feed": {"name": "rss", "kind": "feed", "url": "http://feeds.test/rss.xml"},
}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12), st.just(" ")
)
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner)),
    max_leaves=8,
)  # fmt: skip
# Records shaped like each kind's, with any field of any type, missing or renamed (a schema change).
KEYS = [
    "id", "title", "text", "content", "description", "descriptionPlain", "lists", "additional", "location",
    "categories", "absolute_url", "hostedUrl", "updated_at", "first_published", "createdAt", "pay_input_ranges",
    "salaryRange", "salaryDescription", "company", "url", "posted_at", "name",
]  # fmt: skip
field_value = st.one_of(
    values,
    st.fixed_dictionaries({}, optional={"name": values, "location": values, "min_cents": values, "max": values}),
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "min_cents": values, "max_cents": values, "currency_type": values, "title": values,
                "text": values, "content": values, "min": values, "max": values, "interval": values,
            },
        ),
        max_size=2,
    ),
)  # fmt: skip
records = st.lists(st.one_of(st.dictionaries(st.sampled_from(KEYS), field_value, max_size=10), values), max_size=5)
documents = st.one_of(
    values,
    records.map(lambda jobs: {"jobs": jobs}),
    records.map(lambda jobs: {"data": {"jobs": jobs}}),
    records,
)


def body_for(kind: str, document: object, style: int) -> bytes:
    if kind == "feed":
        items = document if isinstance(document, list) else [document]
        entries = "".join(
            f"<item><title>{_xml(r.get('title'))}</title><guid>{_xml(r.get('id'))}</guid>"
            f"<description>{_xml(r.get('description'))}</description><pubDate>{_xml(r.get('posted_at'))}</pubDate>"
            "</item>"
            for r in items
            if isinstance(r, dict)
        )
        text = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{entries}</channel></rss>"
    elif kind == "jsonl":
        rows = document if isinstance(document, list) else [document]
        text = "\n".join(json.dumps(r) for r in rows)
    else:
        text = json.dumps(document)
    raw = text.encode("utf-8")
    if style == 1:
        return raw[: len(raw) // 2]  # truncated
    if style == 2:
        return raw.replace(b'"', b"", 1) + b"\xff\xfe"  # malformed, and not UTF-8
    return raw


def _xml(value: object) -> str:
    return "" if value is None else str(value).replace("&", "&amp;").replace("<", "&lt;")


@FUZZ
# An entry with an empty pubDate once made feedparser's updated->published fallback warn (an error under pytest).
@example(kind="feed", document=[{"id": {}, "title": {}}], style=0)
@given(kind=st.sampled_from(sorted(TABLES)), document=documents, style=st.sampled_from([0, 0, 0, 1, 2]))
def test_a_response_of_any_shape_is_postings_record_errors_or_a_source_error(kind, document, style):
    body = body_for(kind, document, style)
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        # Lever pages: the first page is the document, later ones are empty, so paging ends.
        return httpx.Response(200, content=body if len(calls) == 1 else b"[]")

    source = build_source(parse_source_config(TABLES[kind], where="sources[0]"), policy=FetchPolicy(sleep=_no_sleep))
    with httpx.Client(transport=httpx.MockTransport(answer), timeout=1.0) as client:
        try:
            result = source.fetch(client, FetchState())
        except SourceError as exc:
            assert str(exc).startswith(f"{source.config.name}: ")  # names the source (and the URL after it)
            return
    for posting in result.postings:
        assert isinstance(posting["id"], str) and posting["id"].startswith(f"{source.config.name}:")
        assert isinstance(posting["title"], str) and posting["title"].strip()
        assert isinstance(posting["description"], str)
        json.dumps(posting)  # what is classified and published must be plain JSON
    for error in result.errors:
        assert error.source == source.config.name and error.record and error.message
    assert len({p["id"] for p in result.postings}) == len(result.postings)


def _no_sleep(seconds: float) -> None:
    pass
