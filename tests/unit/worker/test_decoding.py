"""Input that is not UTF-8: replaced with U+FFFD the same way on every path, and said in the result's `warnings`."""

import io
import json
import sys

import orjson
import pytest
from helpers import OTHERS, PROFILES

from matching import Classifier, RoleMatcher
from worker.batch.inprocess import classify_stream
from worker.cli import main
from worker.cli.inputs import open_input, read_postings
from worker.decoding import MAX_WARNINGS, Repaired, decode_line, repair_text
from worker.lines import read_records
from worker.service.client import posting_id_of
from worker.service.handling import Item, classify_items

LATIN_1 = '{"id": "lat-1", "title": "Ingénieur ML", "description": "PyTorch training pipelines"}\n'.encode("latin-1")
TITLE_WARNING = "title: byte 0xE9 (not UTF-8) at character 4 replaced with U+FFFD"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(RoleMatcher().fit(PROFILES, OTHERS), PROFILES)


def batch_lines(classifier: Classifier, raw: bytes) -> list[bytes]:
    """What `jobmatch batch` writes for a feed of these bytes (read and written as it opens files)."""
    source = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    out = io.StringIO()
    classify_stream(classifier, read_records(source), out)
    return out.getvalue().encode("utf-8").splitlines()


def test_a_latin_1_posting_reads_the_same_through_batch_and_the_service_and_says_what_was_replaced(
    classifier, tmp_path
):
    (line,) = batch_lines(classifier, LATIN_1)
    result = orjson.loads(line)  # strict UTF-8 JSON: no lone surrogate left
    assert result["title"] == "Ing\ufffdnieur ML"
    assert result["warnings"] == [TITLE_WARNING]
    assert list(result)[-3:] == ["error", "warnings", "line"]

    feed = tmp_path / "latin-1.jsonl"
    feed.write_bytes(LATIN_1)
    items = [Item(text, number) for number, text in read_postings(str(feed))]  # what `submit` sends
    (served,), _ = classify_items(classifier, items)
    assert served == result


def test_a_valid_posting_gets_no_warnings_and_the_same_verdict_as_its_repaired_twin(classifier):
    clean = '{"id": "u", "title": "Ingénieur ML", "description": "PyTorch training pipelines"}\n'.encode()
    (plain,) = [orjson.loads(line) for line in batch_lines(classifier, clean)]
    (latin,) = [orjson.loads(line) for line in batch_lines(classifier, LATIN_1)]
    assert "warnings" not in plain
    for field in ("status", "role", "score", "level"):
        assert plain[field] == latin[field]


def test_unpaired_escapes_nested_fields_and_keys_are_replaced_and_named():
    decoded = decode_line('{"id": "a\\ud800", "salary": {"currency": "US\\udfff"}, "tags": ["\udcff\udcfe"]}')
    assert isinstance(decoded, Repaired)
    assert decoded.value == {"id": "a\ufffd", "salary": {"currency": "US\ufffd"}, "tags": ["\ufffd\ufffd"]}
    assert decoded.warnings == [
        "id: lone surrogate \\ud800 at character 2 replaced with U+FFFD",
        "salary.currency: lone surrogate \\udfff at character 3 replaced with U+FFFD",
        "tags[0]: 2 undecodable characters replaced with U+FFFD, the first byte 0xFF (not UTF-8) at character 1",
    ]
    many = decode_line(json.dumps({f"f{n}": "\udce9" for n in range(MAX_WARNINGS + 5)}, ensure_ascii=False))
    assert isinstance(many, Repaired) and many.warnings[-1] == "... and 5 more fields with characters replaced"
    assert decode_line('{"pair": "\\ud83d\\ude80"}') == {"pair": "\U0001f680"}  # a pair is not lone


def test_plain_text_is_repaired_line_by_line():
    assert repair_text("Ing\udce9nieur\nok") == (
        "Ing\ufffdnieur\nok",
        ["line 1: byte 0xE9 (not UTF-8) at character 4 replaced with U+FFFD"],
    )
    assert repair_text("all good") == ("all good", [])


def test_classify_says_what_it_replaced_in_json_and_in_plain_text(capsys, tmp_path):
    posting = tmp_path / "latin-1.json"
    posting.write_bytes(LATIN_1)
    assert main(["classify", str(posting), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["title"] == "Ing\ufffdnieur ML" and result["warnings"] == [TITLE_WARNING]
    text = tmp_path / "latin-1.txt"
    text.write_bytes("Ingénieur ML\nPyTorch training pipelines\n".encode("latin-1"))
    assert main(["classify", str(text), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["warnings"] == ["line 1: byte 0xE9 (not UTF-8) at character 4 replaced with U+FFFD"]


def test_standard_input_is_read_as_files_are(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LATIN_1), encoding="utf-8", errors="strict"))
    with open_input("-") as stream:
        assert stream.read() == LATIN_1.decode("utf-8", "surrogateescape")


def test_submit_prints_the_id_the_posting_is_stored_under():
    assert posting_id_of('{"id": "caf\udce9", "title": "t", "description": "d"}') == "caf\ufffd"
    assert posting_id_of("{not json") is None
