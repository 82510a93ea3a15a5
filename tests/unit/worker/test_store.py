"""The store without Redis: every key under the prefix, the JSON (de)serialisation, what makes a result new."""

import re

import pytest

from worker.service.store import keys
from worker.service.store.keys import Keys
from worker.service.store.results import digest, dumps, loads, stored_result

TEMPLATES = {name: value for name, value in vars(keys).items() if name.endswith(("_KEY", "_STREAM"))}


def test_every_key_template_starts_with_the_prefix():
    assert len(TEMPLATES) >= 14
    for name, template in TEMPLATES.items():
        assert template.startswith("{prefix}"), name


@pytest.mark.parametrize("prefix", ["jobmatch:", "team-a:staging:"])
def test_keys_fill_the_templates_with_one_prefix(prefix):
    keys = Keys(prefix)
    filled = [
        keys.result("acme:1"),
        keys.published("acme:1"),
        keys.ranking("m1", "ml-engineer"),
        keys.source_state("acme"),
        keys.source_seen("acme"),
        keys.source_lock("acme"),
        keys.batch_chunk("b1", 3),
        keys.batch_done("b1"),
        keys.deliveries("t1"),
        keys.dead_letter_seen("d1"),
        keys.results,
        keys.dead_letter,
        keys.intake,
        keys.models,
        keys.workers,
        keys.queue,
        keys.unacked,
    ]
    assert all(key.startswith(prefix) for key in filled)
    assert keys.result("acme:1") == f"{prefix}result:acme:1"
    assert keys.ranking("m1", "ml-engineer") == f"{prefix}ranking:m1:ml-engineer"
    assert keys.intake == f"{prefix}intake" and keys.queue == f"{prefix}tasks"
    assert len(set(filled)) == len(filled)


def test_dumps_is_compact_utf8_and_survives_undecodable_input():
    assert dumps({"title": "Ingénieur ML", "n": 1}) == '{"title":"Ingénieur ML","n":1}'.encode()
    broken = b'{"title": "caf\xe9"}'.decode("utf-8", "surrogateescape")  # a Latin-1 byte in a UTF-8 feed
    data = dumps({"payload": broken})
    assert data.isascii()
    assert loads(data) == {"payload": broken}


def test_stored_result_drops_only_the_input_line():
    result = {"id": "a", "status": "matched", "line": 7, "error": None}
    assert stored_result(result) == {"id": "a", "status": "matched", "error": None}
    assert result["line"] == 7  # the batch output keeps it


def test_the_digest_is_the_model_version_and_content_hash_or_for_rejections_the_input():
    matched = {"status": "matched", "content_hash": "abc", "model_version": "m1"}
    assert digest(matched, "payload one") == digest(matched, "payload two") == "m1:abc"
    assert digest({**matched, "model_version": "m2"}, "x") == "m2:abc"
    rejected = {"status": "rejected", "model_version": "m1", "error": "field 'title': missing"}
    first, second = digest(rejected, '{"id": 1}'), digest(rejected, '{"id": 1, "x": 2}')
    assert first != second and re.fullmatch(r"m1:rejected:[0-9a-f]{24}", first)


def test_a_rejection_digest_is_its_result_and_content_not_the_bytes_that_carried_it():
    rejected = {"id": "b-1", "status": "rejected", "model_version": "m1", "error": "line 3: field 'title': missing"}
    line = '{"id": "b-1", "company": "Nobody", "description": "no title"}'
    same = [line, line + "\n", line + "\r\n", '{"company":"Nobody","id":"b-1",  "description":"no title"}']
    assert len({digest(rejected, payload) for payload in same}) == 1
    assert digest(rejected, line) != digest({**rejected, "error": "line 4: field 'title': missing"}, line)
    assert digest(rejected, line) != digest({**rejected, "id": "b-2"}, line)
    assert digest(rejected, line) != digest({**rejected, "model_version": "m2"}, line)
    assert digest(rejected, "not json\n") != digest(rejected, "not json")  # not JSON: the text as it is
