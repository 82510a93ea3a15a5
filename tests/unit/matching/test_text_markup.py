"""HTML and plain descriptions to text, and the shared record readers (dates, salary, dotted paths)."""

from __future__ import annotations

import html

import pytest

from matching.text import looks_like_html, markup_to_text, plain_text, to_text
from worker.sources.records import dig, make_salary, posted_at

pytestmark = pytest.mark.timeout(5)


def test_blocks_and_list_items_become_lines() -> None:
    markup = (
        "<h2>About</h2><p>We build\n   <b>pipelines</b>.</p>"
        "<ul><li>Python</li><li>SQL<br>dbt</li></ul><div>Apply &amp; join!</div>"
    )
    assert markup_to_text(markup) == "About\nWe build pipelines.\nPython\nSQL\ndbt\nApply & join!"


def test_scripts_styles_and_comments_are_dropped() -> None:
    markup = "<style>p{color:red}</style><p>Visible</p><script>alert(1)</script><!-- hidden -->"
    assert markup_to_text(markup) == "Visible"


def test_entities_and_non_breaking_spaces_are_decoded() -> None:
    assert markup_to_text("<p>R&amp;D&nbsp;team &lt;3 &#8212; caf&eacute;</p>") == "R&D team <3 — café"


def test_table_cells_are_spaced_and_rows_split() -> None:
    assert markup_to_text("<table><tr><td>Level</td><td>L5</td></tr><tr><td>Team</td><td>Data</td></tr></table>") == (
        "Level L5\nTeam Data"
    )


def test_greenhouse_style_escaped_html_needs_one_unescape_first() -> None:
    escaped = "&lt;p&gt;Pay &amp;amp; perks&amp;nbsp;included&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Dental&lt;/li&gt;&lt;/ul&gt;"
    assert markup_to_text(html.unescape(escaped)) == "Pay & perks included\nDental"


def test_empty_input() -> None:
    assert markup_to_text("") == "" and to_text("") == ""


def test_plain_text_keeps_its_lines_and_paragraphs() -> None:
    text = "First line\r\n  second   line\n\n\n\nNew paragraph &amp; more"
    assert plain_text(text) == "First line\nsecond line\n\nNew paragraph & more"
    assert to_text(text) == plain_text(text)


def test_only_real_tags_count_as_html() -> None:
    assert looks_like_html("<p>x</p>") and looks_like_html("a<br/>b") and looks_like_html("<!-- c -->")
    assert not looks_like_html("salary < 100k and > 80k")
    assert not looks_like_html("use <T> generics")
    assert to_text("salary < 100k\nremote") == "salary < 100k\nremote"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T10:00:00-05:00", "2024-03-05T15:00:00+00:00"),
        ("2024-03-05T10:00:00Z", "2024-03-05T10:00:00+00:00"),
        ("2024-03-05", "2024-03-05T00:00:00+00:00"),
        ("Tue, 05 Mar 2024 10:00:00 GMT", "2024-03-05T10:00:00+00:00"),
        (1709632800, "2024-03-05T10:00:00+00:00"),
        (1709632800000, "2024-03-05T10:00:00+00:00"),
    ],
)
def test_posted_at_normalises_to_utc(value: object, expected: str) -> None:
    assert posted_at(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "", None, True, float("nan"), {}])
def test_posted_at_refuses_what_it_cannot_read(value: object) -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 or RFC 2822 date"):
        posted_at(value)


def test_make_salary() -> None:
    assert make_salary(100000, "120,000", "usd", "year") == {
        "min": 100000.0,
        "max": 120000.0,
        "currency": "USD",
        "period": "year",
    }
    with pytest.raises(ValueError, match="min 2 is above max 1"):
        make_salary(2, 1, "USD", "hour")
    with pytest.raises(ValueError, match="needs both a minimum and a maximum"):
        make_salary(None, 1, "USD", "hour")
    with pytest.raises(ValueError, match="3-letter currency"):
        make_salary(1, 2, "dollars", "hour")
    with pytest.raises(ValueError, match="period of hour, day, week, month, year"):
        make_salary(1, 2, "USD", "fortnight")
    with pytest.raises(ValueError, match="max 'lots' is not a number"):
        make_salary(1, "lots", "USD", "year")


def test_dig_follows_dotted_paths_through_objects_and_lists() -> None:
    record = {"data": {"jobs": [{"name": "a"}, {"name": "b"}]}, "flat": 1}
    assert dig(record, "data.jobs.1.name") == "b"
    assert dig(record, "flat") == 1
    assert dig(record, "data.missing.name") is None
    assert dig(record, "data.jobs.9") is None
