"""RSS 2.0 and Atom feeds through httpx.MockTransport: ids, descriptions, dates, and broken feeds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from worker.sources import (
    FetchResult,
    SourceFormatError,
)

pytestmark = pytest.mark.timeout(5)

URL = "https://acme.example/jobs.rss"


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Acme jobs</title>'
        "<link>https://acme.example/jobs</link>" + "".join(items) + "</channel></rss>"
    ).encode()


@pytest.fixture
def fetch(fetch_source):
    def fetch(body: bytes, content_type: str = "application/rss+xml", **options: Any) -> FetchResult:
        def handle(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=body, headers={"Content-Type": content_type})

        return fetch_source({"name": "acme", "kind": "feed", "url": URL, **options}, handle)[0]

    return fetch


ITEM = (
    "<item><title>Platform Engineer</title><guid isPermaLink='false'>job-1</guid>"
    "<link>https://acme.example/jobs/1</link>"
    "<description>&lt;p&gt;Run the platform.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Kubernetes&lt;/li&gt;"
    "&lt;li&gt;Terraform&lt;/li&gt;&lt;/ul&gt;</description>"
    "<pubDate>Tue, 05 Mar 2024 10:00:00 +0100</pubDate><location>Berlin</location></item>"
)


def test_an_rss_item_maps_onto_a_posting(fetch) -> None:
    result = fetch(rss(ITEM), company="Acme")
    assert result.errors == []
    assert result.postings == [
        {
            "id": "acme:job-1",
            "source": "acme",
            "title": "Platform Engineer",
            "description": "Run the platform.\nKubernetes\nTerraform",
            "company": "Acme",
            "location": "Berlin",
            "url": "https://acme.example/jobs/1",
            "posted_at": "2024-03-05T09:00:00+00:00",
        }
    ]


def test_without_a_guid_the_link_is_the_id(fetch) -> None:
    result = fetch(rss("<item><title>Analyst</title><link>https://acme.example/jobs/9</link></item>"))
    assert result.postings[0]["id"] == "acme:https://acme.example/jobs/9"
    assert result.postings[0]["posted_at"] is None and result.postings[0]["description"] == ""


def test_an_atom_entry_prefers_its_html_content(fetch) -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>Acme</title><id>urn:acme</id>
    <updated>2024-03-02T00:00:00Z</updated>
    <entry><id>urn:job:7</id><title>ML Engineer</title><link href="https://acme.example/jobs/7"/>
    <updated>2024-03-02T00:00:00Z</updated><summary>Short.</summary>
    <content type="html">&lt;h2&gt;Role&lt;/h2&gt;&lt;p&gt;Train models.&lt;/p&gt;</content></entry></feed>"""
    (posting,) = fetch(atom, "application/atom+xml").postings
    assert posting["id"] == "acme:urn:job:7"
    assert posting["description"] == "Role\nTrain models."
    assert posting["posted_at"] == "2024-03-02T00:00:00+00:00"  # no published: updated
    assert posting["company"] is None


def test_entries_without_id_or_title_are_record_errors(fetch) -> None:
    ghost = "<item><title>Ghost</title><description>x</description></item>"
    untitled = "<item><guid isPermaLink='false'>j2</guid></item>"
    result = fetch(rss(ITEM, ghost, untitled))
    assert [p["id"] for p in result.postings] == ["acme:job-1"]
    assert [str(e) for e in result.errors] == [
        "acme: entry 1: id: entry has no id, guid or link",
        "acme: entry 2 (id j2): title: missing",
    ]


def test_a_truncated_feed_keeps_what_parsed_and_says_so(fetch) -> None:
    whole = rss(ITEM, ITEM.replace("job-1", "job-2"))
    result = fetch(whole[: whole.index(b"job-2") + 20])
    assert [p["id"] for p in result.postings][:1] == ["acme:job-1"]
    note = result.errors[0]
    assert note.record == "feed" and not note.dropped and "not well-formed" in note.message


@pytest.mark.parametrize(
    "body",
    [b"<html><body><h1>Jobs</h1></body></html>", b'{"jobs": []}', b"", b"<rss><channel><title>x</ti"],
)
def test_something_that_is_not_a_feed_is_a_format_error_naming_the_url(fetch, body: bytes) -> None:
    with pytest.raises(SourceFormatError, match=r"^acme: https://acme\.example/jobs\.rss: not a readable RSS or Atom"):
        fetch(body, "text/html")


def test_an_empty_but_valid_feed_is_no_postings(fetch) -> None:
    result = fetch(rss())
    assert result.postings == [] and result.errors == []
