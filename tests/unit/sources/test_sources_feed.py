"""RSS 2.0 and Atom feeds through httpx.MockTransport: ids, descriptions, dates, and broken feeds."""

from __future__ import annotations

from pathlib import Path
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


# --- multi-company boards: who is hiring and where, per entry ---------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def test_stack_overflows_author_and_location_are_the_company_and_location(fetch) -> None:
    # A saved real Stack Overflow jobs feed (fixtures/README.md): <a10:author><a10:name>, a <location> in SO's
    # namespace, and titles "Role at Company (Place)".
    result = fetch((FIXTURES / "stackoverflow_jobs.rss").read_bytes())
    assert result.errors == []
    assert [(p["title"], p["company"], p["location"]) for p in result.postings] == [
        ("Full Stack Engineer", "Sandstorm Design", "Chicago, IL"),
        ("Senior Full Stack Engineer", "Triggr Health", "Chicago, IL"),
    ]
    first = result.postings[0]
    assert first["id"] == "acme:https://stackoverflow.com/jobs/117083/full-stack-engineer-sandstorm-design"
    assert first["posted_at"] == "2016-11-05T14:33:45+00:00"
    assert "You\u2019ll work in a fun, energetic environment" in first["description"]


def test_we_work_remotelys_region_and_company_title_are_read(fetch) -> None:
    # A saved real We Work Remotely feed: no author, the company before ": " in the title, <region>.
    result = fetch((FIXTURES / "weworkremotely_programming.rss").read_bytes())
    assert result.errors == []
    assert [(p["title"], p["company"], p["location"]) for p in result.postings] == [
        ("Solutions Architect -Spanish Speaking", "Fin", "Anywhere in the World"),
        ("Power Platform Solutions Architect", "Toptal", "North America Only"),
    ]
    assert "$190,800-$227,900" in result.postings[0]["description"]


def test_a_feed_without_company_or_location_leaves_them_empty(fetch) -> None:
    # A saved real Craigslist search feed (RSS 1.0, RDF): titles are the job alone, the channel's dc:creator is
    # the site's robot, not an employer.
    result = fetch((FIXTURES / "craigslist_jobs.rdf").read_bytes())
    assert result.errors == []
    assert [(p["title"], p["company"], p["location"]) for p in result.postings] == [
        ("Lyft Brand Marketing Representative", None, None),
        ("Local CDL Driver. Class A, Cicero, IL", None, None),
        ("Appliance Repair Technician (Kaneville)", None, None),
    ]
    assert result.postings[0]["posted_at"] == "2017-01-12T18:37:36+00:00"


def test_an_rss_author_is_the_company_unless_it_is_only_an_email(fetch) -> None:
    items = (
        "<item><title>Data Engineer</title><guid>1</guid><author>jobs@acme.careers (Acme Corp)</author></item>"
        "<item><title>Data Engineer</title><guid>2</guid><author>jobs@acme.com</author></item>"
        "<item><title>Data Engineer</title><guid>3</guid><dc:creator>Initech</dc:creator></item>"
    )
    body = rss(items).replace(
        b'<rss version="2.0">', b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    )
    result = fetch(body)
    assert [p["company"] for p in result.postings] == ["Acme Corp", None, "Initech"]


def test_the_company_option_wins_and_leaves_a_colon_title_whole(fetch) -> None:
    items = (
        "<item><title>Fin: Solutions Architect</title><guid>1</guid><author>x (Someone Else)</author></item>"
        "<item><title>Engineer at Acme (Berlin)</title><guid>2</guid></item>"
    )
    result = fetch(rss(items), company="Acme")
    assert [(p["title"], p["company"], p["location"]) for p in result.postings] == [
        ("Fin: Solutions Architect", "Acme", None),
        ("Engineer", "Acme", "Berlin"),
    ]


@pytest.mark.parametrize(
    "title",
    [
        "Senior Engineer: Payments",
        "Urgent: Python Developer",
        "Remote: Data Analyst",
        "Note. Read this first: then apply",
        "Platform Engineer",
        "Backend (Go): APIs",
    ],
)
def test_a_title_whose_head_is_no_company_is_left_whole(fetch, title: str) -> None:
    result = fetch(rss(f"<item><title>{title}</title><guid>1</guid></item>"))
    assert (result.postings[0]["title"], result.postings[0]["company"]) == (title, None)
