"""Poison isolation in a worker process: one posting that makes the classifier raise costs only itself."""

import json

from helpers import OTHERS, PROFILES

from matching import Classifier, RoleMatcher
from worker.cli.inputs import open_input, read_postings
from worker.lines import classify_chunk, read_records
from worker.service.handling import Item, classify_items


class Touchy(Classifier):
    """A real classifier that raises on one title (as a bug in matching would)."""

    def classify_many(self, postings):
        if any(p.title == "POISON" for p in postings):
            raise ZeroDivisionError("boom")
        return super().classify_many(postings)


def classifier() -> Touchy:
    return Touchy(RoleMatcher().fit(PROFILES, OTHERS), PROFILES)


def test_a_clean_chunk_is_classified_in_order_with_its_lines():
    items = [
        Item(json.dumps({"id": "a", "title": "ML Platform Engineer", "description": "Kubeflow pipelines"}), 3),
        Item("{not json", 4),
        Item(json.dumps({"id": "c", "description": "no title"}), None),
    ]
    results, poisoned = classify_items(classifier(), items)
    assert poisoned == []
    assert [r["status"] for r in results] == ["matched", "rejected", "rejected"]
    assert results[0]["line"] == 3 and results[1]["error"].startswith("line 4: not valid JSON")
    assert results[2]["error"] == "posting 'c': field 'title': missing" and "line" not in results[2]


def test_a_poison_posting_is_isolated_and_named_the_rest_of_the_chunk_goes_on():
    items = [
        Item(json.dumps({"id": "a", "title": "ML Platform Engineer", "description": "Kubeflow pipelines"}), 1),
        Item(json.dumps({"id": "b", "title": "POISON", "description": "x"}), 2),
        Item(json.dumps({"id": "c", "title": "Registered Nurse", "description": "Patient care"}), 3),
    ]
    results, poisoned = classify_items(classifier(), items)
    assert poisoned == [1]
    assert [r["status"] for r in results] == ["matched", "rejected", "no_match"]
    assert results[1]["id"] == "b" and results[1]["line"] == 2
    assert results[1]["error"] == "line 2: posting 'b': classification failed: ZeroDivisionError: boom"


def test_submit_reads_one_object_over_several_lines_or_json_lines(tmp_path):
    one = tmp_path / "one.json"
    one.write_text('{\n  "id": "x",\n  "title": "T"\n}\n', encoding="utf-8")
    assert [(line, json.loads(text)) for line, text in read_postings(str(one))] == [(None, {"id": "x", "title": "T"})]
    lines = tmp_path / "many.jsonl"
    lines.write_text('{"id": 1}\n\n{"id": 2}\nnot json\n', encoding="utf-8")
    assert list(read_postings(str(lines))) == [(1, '{"id": 1}'), (3, '{"id": 2}'), (4, "not json")]


# Lines a feed may hold: cut short; a raw form feed in a string (not JSON); U+2028 and U+0085 inside a string (JSON,
# but str.splitlines() breaks a line there).
FEED = [
    '{"id": "ex-bad-1", "title": "ML Eng',
    '{"id": "ff", "title": "ML\x0cEngineer", "description": "Kubeflow pipelines"}',
    '{"id": "ls", "title": "ML Platform\u2028Engineer", "description": "Kubeflow\x85pipelines"}',
    '{"id": "ok", "title": "ML Platform Engineer", "description": "Kubeflow pipelines"}',
]


def test_a_feed_gets_the_same_results_and_errors_from_batch_and_from_submit(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(FEED) + "\n", encoding="utf-8")
    with open_input(str(feed)) as source:
        batch = classify_chunk(classifier(), list(read_records(source)))
    submitted, _ = classify_items(classifier(), [Item(text, line) for line, text in read_postings(str(feed))])
    assert submitted == batch
    assert [r["line"] for r in batch] == [1, 2, 3, 4]
    assert batch[0]["error"] == "line 1: not valid JSON: Unterminated string starting at column 29"
    assert batch[1]["error"] == "line 2: not valid JSON: Invalid control character at column 26"
    assert [r["status"] for r in batch[2:]] == ["matched", "matched"]
