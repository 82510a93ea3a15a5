"""Bad input, fuzzed: every record ends as matched, no_match or rejected with a clear error, none raises or is lost.

Hypothesis builds records with missing fields, wrong types, empty and enormous descriptions, binary garbage, odd
Unicode (lone surrogates, RTL and zero-width marks, combining marks) and deeply nested HTML, and feeds them to
`Classifier.classify_records` and to `jobmatch batch`'s engine (`read_records` / `classify_stream`) as the JSON
lines a feed would hold. What batch writes is strict UTF-8 JSON: undecodable bytes and unpaired surrogate escapes
come out as U+FFFD, and the result's `warnings` say so. Derandomized (a fixed seed per test), so CI sees the same
examples every run.
"""

from __future__ import annotations

import io
import json
import math
import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.posting import MAX_DESCRIPTION_CHARS
from worker.batch.inprocess import classify_stream
from worker.decoding import decode_line, value_of
from worker.lines import read_records
from worker.runtime import load_classifier
from worker.service.store.results import dumps, loads
from worker.settings import Settings

pytestmark = pytest.mark.timeout(120)

STATUSES = {"matched", "no_match", "rejected"}
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# Characters that trip text handling: RTL/LTR overrides and marks, zero-width joiners and spaces, a BOM, combining
# marks stacked on letters, line and paragraph separators, a NUL, lone surrogates (what undecodable bytes become).
ODD = [
    "\u202e", "\u202d", "\u200f", "\u200e", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u0301", "\u0336",
    "\u0489", "\u2028", "\u2029", "\x00", "\x1b", "\ud800", "\udfff", "\udcff", "\U0001f680", "\u05d0", "\u0627",
    "ﷺ", "ǅ", "ß", "İ", "\uffff",
]  # fmt: skip
WORDS = ["machine", "learning", "engineer", "PyTorch", "Kubernetes", "nurse", "senior", "$180,000", "<b>", "&amp;"]

odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.sampled_from(WORDS), st.text(max_size=8)), max_size=30).map(
    " ".join
)
garbage = st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape"))


def nested_html(depth: int, tag: str = "div") -> str:
    return f"<{tag}>" * depth + "MLOps engineer, Kubeflow" + f"</{tag}>" * (depth // 2)  # half left unclosed


html_text = st.builds(nested_html, st.integers(0, 5000), st.sampled_from(["div", "ul", "b", "table", "p"]))
# Around the description limit: just under, at, and past it (the last must be rejected, not truncated silently).
enormous = st.sampled_from([-1, 0, 1, 50_000]).map(lambda extra: "data " * ((MAX_DESCRIPTION_CHARS + extra) // 5))
text_value = st.one_of(st.just(""), st.just("   "), odd_text, garbage, html_text, enormous)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner)),
    max_leaves=10,
)  # fmt: skip
any_value = st.one_of(text_value, json_values)
salary = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "min": st.one_of(json_scalars, st.floats()),
            "max": st.one_of(json_scalars, st.floats()),
            "currency": st.one_of(st.sampled_from(["USD", "usd", "EUR", "", "XXXX"]), json_scalars),
            "period": st.one_of(st.sampled_from(["year", "hour", "month", "fortnight"]), json_scalars),
        },
    ),
)
FIELDS = ("company", "location", "url", "posted_at", "salary_text", "source", "employment_type", "remote")
posting_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.floats(), json_values),
        "title": any_value,
        "description": any_value,
        "salary": salary,
        **dict.fromkeys(FIELDS, any_value),
    },
)
record = st.one_of(posting_like, json_values)


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_classifier(Settings(cache_dir=tmp_path_factory.mktemp("cache")))


def expected_id(value: object) -> str | None:
    if isinstance(value, dict):
        raw = value.get("id")
        if isinstance(raw, str | int) and not isinstance(raw, bool) and raw != "":
            return str(raw)
    return None


def check(result: dict[str, Any], record: object, line: int | None) -> None:
    assert result["status"] in STATUSES, result
    if result["status"] == "rejected":
        assert isinstance(result["error"], str) and result["error"].strip(), result
        if line is not None:  # says where: the line, or (pay rejected after parsing) the posting id
            assert f"line {line}" in result["error"] or str(result["id"]) in result["error"], result
    else:
        assert result["error"] is None
        assert isinstance(result["score"], float) and 0.0 <= result["score"] <= 1.0 and math.isfinite(result["score"])
        assert result["content_hash"]
    if (posting_id := expected_id(record)) is not None and result["id"] is not None:
        assert result["id"] == posting_id.strip() or result["id"] == posting_id
    if line is not None:
        assert result["line"] == line
    # What Redis stores must survive the trip: results.dumps never raises, and reads back the same.
    assert loads(dumps(result)) == json.loads(json.dumps(result))


@FUZZ
@given(records=st.lists(record, min_size=1, max_size=8), numbered=st.booleans())
def test_classify_records_gives_every_record_a_verdict(classifier, records, numbered):
    lines = [index + 3 if numbered else None for index in range(len(records))]
    results = classifier.classify_records(list(zip(lines, records, strict=True)))
    assert len(results) == len(records)  # nothing lost, nothing added, in order
    for result, value, line in zip(results, records, lines, strict=True):
        check(result, value, line)


def as_line(value: object, style: int) -> str:
    """A record as one line of a feed: JSON (ASCII-escaped or not), or a broken rendering of it."""
    try:
        text = json.dumps(value, ensure_ascii=style == 0)
    except (TypeError, ValueError):
        text = repr(value)
    if style == 2:
        text = text[: max(1, len(text) // 2)]  # truncated mid-record
    return text.replace("\n", "\\n").replace("\r", "\\r")


def to_bytes(text: str) -> bytes:
    """Text as bytes in a file: escaped undecodable bytes go back as they came, other lone surrogates as CESU-8."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


# A lone surrogate in a line (an undecodable byte), and a \u escape of a surrogate (lone, or half of a pair).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.builds(as_line, record, st.sampled_from([0, 1, 1, 1, 2])),
            garbage.map(lambda s: s.replace("\n", " ").replace("\r", " ")),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_batch_writes_one_verdict_per_line_even_for_garbage(classifier, lines):
    raw = to_bytes("\n".join(lines) + "\n")
    source = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    out = io.StringIO()  # a real file refuses lone surrogates: see test_batch_writes_lone_surrogates_to_a_file
    summary = classify_stream(classifier, read_records(source), out)
    written = out.getvalue().split("\n")[:-1]
    numbered = [(number, line) for number, line in enumerate(raw.decode("utf-8", "surrogateescape").split("\n"), 1)]
    expected = [(number, line) for number, line in numbered if line.strip()]
    assert len(written) == len(expected) == summary.total  # one result line per non-blank input line
    for text, (number, line) in zip(written, expected, strict=True):
        result = orjson.loads(text)  # strict: a lone surrogate anywhere would fail here
        assert result["line"] == number
        try:
            json.loads(line)
        except ValueError:
            assert result["status"] == "rejected" and f"line {number}" in result["error"]
            continue
        check(result, value_of(decode_line(line)), number)
        if LONE_SURROGATE.search(line):  # an undecodable byte in a string of a JSON line
            assert result["warnings"], result
        elif not LONE_ESCAPE.search(line):  # (an escaped surrogate may be half of a pair, which is no warning)
            assert "warnings" not in result, result


def test_enormous_description_is_rejected_with_its_size_and_a_deep_tree_is_read(classifier):
    big = {"id": "big", "title": "ML Engineer", "description": "x " * MAX_DESCRIPTION_CHARS}
    deep = {"id": "deep", "title": "ML Engineer", "description": nested_html(20_000) + " PyTorch"}  # 160,000 chars
    rejected, read = classifier.classify_records([(1, big), (2, deep)])
    assert rejected["status"] == "rejected" and "description" in rejected["error"] and "line 1" in rejected["error"]
    assert read["status"] in ("matched", "no_match") and read["id"] == "deep"


def test_batch_writes_undecodable_input_to_a_file_as_u_fffd_with_warnings(classifier, tmp_path):
    feed = b'{"id": "esc", "title": "\\udc80 ML engineer", "description": "PyTorch"}\n'
    feed += b'{"id": "raw", "title": "\xff ML engineer", "description": "PyTorch"}\n{"id": "ok", "title": "Nurse"}\n'
    (tmp_path / "in.jsonl").write_bytes(feed)
    with (
        open(tmp_path / "in.jsonl", encoding="utf-8", errors="surrogateescape") as source,
        open(tmp_path / "out.jsonl", "w", encoding="utf-8") as out,  # as `jobmatch batch --out` opens them
    ):
        summary = classify_stream(classifier, read_records(source), out)
    written = [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]
    assert summary.total == 3 and [r["id"] for r in written] == ["esc", "raw", "ok"]
    assert [r["title"] for r in written[:2]] == ["\ufffd ML engineer", "\ufffd ML engineer"]
    assert written[0]["warnings"] == ["title: lone surrogate \\udc80 at character 1 replaced with U+FFFD"]
    assert written[1]["warnings"] == ["title: byte 0xFF (not UTF-8) at character 1 replaced with U+FFFD"]
    assert "warnings" not in written[2]


def test_a_salary_rejection_names_its_line_like_other_rejections(classifier):
    (result,) = classifier.classify_records([(3, {"id": "p", "title": "ML Engineer", "description": "", "salary": {}})])
    assert result["status"] == "rejected" and result["error"].startswith("line 3: ")
