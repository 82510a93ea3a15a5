"""The intake stream, the results stream's consumer groups, rankings, idempotent publishing, key isolation."""

from __future__ import annotations

import dataclasses
import json

from conftest import ROOT, run_cli, wait_for

from matching import rejected_result
from worker.runtime import load_classifier
from worker.service.store.results import PUBLISH_GROUP, Outcome, ResultStore

EXAMPLES = ROOT / "examples" / "postings.jsonl"


def posting(n: int, title: str = "Machine Learning Platform Engineer") -> dict:
    return {"id": f"s-{n}", "title": title, "description": f"Kubeflow pipelines, feature store, model registry #{n}."}


def test_a_posting_xadded_to_intake_gets_a_result_and_a_malformed_entry_is_dead_lettered(
    worker, client, raw_redis, prefix, env, settings
):
    # Any service, no Celery: XADD one field `posting` holding the posting as JSON.
    raw_redis.xadd(f"{prefix}intake", {"posting": json.dumps(posting(1))})
    raw_redis.xadd(f"{prefix}intake", {"title": "no posting field"})
    raw_redis.xadd(f"{prefix}intake", {"posting": "{not json"})
    result = wait_for(lambda: client.get_result("s-1"), 30, "the intake posting's result")
    assert result["status"] == "matched" and result["role"] == "machine-learning-platform-engineer"
    letters = wait_for(lambda: len(client.dead_letters()) == 2 and client.dead_letters(), 30, "two dead letters")
    errors = sorted(entry["error"] for entry in letters)
    assert errors[0].startswith("intake entry ") and errors[0].endswith("no 'posting' field (fields: title)")
    assert errors[1].startswith("not valid JSON")
    assert all(entry["origin"].startswith("intake:") for entry in letters)
    assert {entry["payload"] for entry in letters} == {'{"title":"no posting field"}', "{not json"}
    # Entries are acknowledged and deleted once dispatched: nothing pending, nothing left.
    wait_for(lambda: raw_redis.xlen(f"{prefix}intake") == 0, 10, "the intake stream to empty")
    assert raw_redis.xpending(f"{prefix}intake", "jobmatch-workers")["pending"] == 0

    # `jobmatch status` shows the worker, its model version and the empty backlogs.
    done = run_cli(["status", "--json"], env)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    (alive,) = [w for w in status["workers"] if w["alive"]]
    assert alive["hostname"] == worker.hostname
    assert alive["model_version"] == load_classifier(settings).model_version
    assert status["queue"] == {"waiting": 0, "unacknowledged": 0, "unowned": {"count": 0, "restore_in": None}}
    assert [(i["node"], i["holds"], i["restore_in"]) for i in status["instances"]] == [(worker.hostname, 0, None)]
    assert status["intake"] == {"length": 0, "groups": [{"name": "jobmatch-workers", "pending": 0, "lag": 0}]}
    assert status["dead_letter"] == {"length": 2}


def publish(settings, client, records: list[dict]) -> int:
    classifier = load_classifier(settings)
    results = classifier.classify_records([(None, r) for r in records])
    return client.store.publish(Outcome(r, json.dumps(p), "test") for r, p in zip(results, records, strict=True))


def test_a_consumer_group_reads_each_result_once_and_unacknowledged_ones_again(client, settings):
    assert publish(settings, client, [posting(n) for n in range(5)]) == 5
    first = client.iter_results("svc", "c1", block_ms=200, idle_exit=True)
    got = [next(first).entry, next(first).entry]  # the second is being handled when the consumer "dies"
    first.close()  # only the first was acknowledged (the loop asked for the next one after it)
    again = [item.entry for item in client.iter_results("svc", "c1", block_ms=200, idle_exit=True)]
    assert again[0] == got[1]  # the unacknowledged one comes back first
    assert len(again) == 4 and got[0] not in again
    assert [item.entry for item in client.iter_results("svc", "c1", block_ms=200, idle_exit=True)] == []
    # Another group reads everything on its own.
    assert len(list(client.iter_results("other", "x", block_ms=200, idle_exit=True))) == 5


def test_entries_idle_in_a_dead_consumers_pending_list_are_claimed(client, settings):
    publish(settings, client, [posting(n) for n in range(3)])
    dead = client.iter_results("svc", "dead", block_ms=200)
    taken = next(dead).entry
    dead.close()  # never acknowledged
    stream = client.keys.results

    def idle_long_enough() -> bool:
        pending = client.redis.xpending_range(stream, "svc", "-", "+", 10, consumername="dead")
        return bool(pending) and min(p["time_since_delivered"] for p in pending) >= 50

    wait_for(idle_long_enough, 10, "the dead consumer's entries to be idle for 50 ms")
    survivor = client.iter_results("svc", "alive", block_ms=200, claim_idle_ms=50, idle_exit=True)
    entries = [item.entry for item in survivor]
    assert taken in entries and len(entries) == 3


def test_watch_prints_results_as_json_lines_for_its_group(client, settings, env):
    publish(settings, client, [posting(n) for n in range(3)])
    done = run_cli(["watch", "--group", "cli", "--count", "2"], env)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["s-0", "s-1"]
    rest = run_cli(["watch", "--group", "cli", "--idle-exit", "0.3"], env)
    assert [json.loads(line)["id"] for line in rest.stdout.splitlines()] == ["s-2"]


def test_publishing_the_same_posting_twice_leaves_one_entry_and_a_new_model_publishes_again(
    client, settings, raw_redis, prefix
):
    record = posting(7)
    assert publish(settings, client, [record]) == 1
    assert publish(settings, client, [record]) == 0  # a redelivered task: nothing new
    result = load_classifier(settings).classify_records([(None, record)])[0]
    role, version = result["role"], result["model_version"]
    assert raw_redis.xlen(f"{prefix}results") == 1
    assert raw_redis.zrange(f"{prefix}ranking:{version}:{role}", 0, -1) == [b"s-7"]
    # The same posting under another model version is new: published again, ranked under that version only.
    newer = {**result, "model_version": "mNEWER"}
    assert client.store.publish([Outcome(newer, json.dumps(record), "test")]) == 1
    assert raw_redis.xlen(f"{prefix}results") == 2
    assert raw_redis.zrange(f"{prefix}ranking:mNEWER:{role}", 0, -1) == [b"s-7"]
    # Edited content under the same model moves the posting: off its old role's ranking.
    edited = {**newer, "content_hash": "other", "status": "no_match", "role": None}
    assert client.store.publish([Outcome(edited, json.dumps(record), "test")]) == 1
    assert raw_redis.zrange(f"{prefix}ranking:mNEWER:{role}", 0, -1) == []


def test_many_postings_in_one_publish_keep_their_order_and_rankings_keep_the_best(client, settings, raw_redis, prefix):
    # Over two script calls' worth of postings (the publish script takes them in groups), with what splits a
    # group: a rejection without an id, another model version; a ranking smaller than the postings matched.
    store = ResultStore(client.redis, dataclasses.replace(settings, ranking_size=5))
    base = load_classifier(settings).classify_records([(None, posting(0))])[0]
    role, version = base["role"], base["model_version"]
    outcomes = []
    for n in range(2 * PUBLISH_GROUP + 30):
        matched = n % 3 != 0
        result = {**base, "id": f"g-{n}", "content_hash": f"h{n}", "score": n / 1000,
                  "status": "matched" if matched else "no_match", "role": role if matched else None}  # fmt: skip
        outcomes.append(Outcome(result, "{}", "test"))
    outcomes.insert(150, Outcome(rejected_result(None, "line 9: not valid JSON", model_version=version), "{x", "test"))
    best = outcomes[-1].result  # the best-scored posting, edited in the same publish: off the ranking
    outcomes.append(Outcome({**best, "content_hash": "edited", "status": "no_match", "role": None}, "{}", "test"))
    outcomes.append(Outcome({**base, "id": "g-1", "model_version": "mOTHER"}, "{}", "test"))
    assert store.publish(outcomes) == len(outcomes)  # every one new (the id-less rejection recorded once)

    streamed = [fields[b"id"].decode() for _, fields in raw_redis.xrange(f"{prefix}results")]
    assert streamed == [o.result["id"] for o in outcomes if o.result["id"] is not None]
    assert raw_redis.xlen(f"{prefix}dead-letter") == 1
    matched = sorted((o for o in outcomes[:-2] if o.result["status"] == "matched"), key=lambda o: -o.result["score"])
    after_edit = [o.result["id"].encode() for o in matched if o.result["id"] != best["id"]]
    ranked = raw_redis.zrevrange(f"{prefix}ranking:{version}:{role}", 0, -1)
    # The best four left lead, best first; at most five; the edited one gone (a fifth may have been trimmed
    # before the edit removed it, as when the two come in separate publishes).
    assert ranked[:4] == after_edit[:4] and len(ranked) <= 5 and set(ranked) <= set(after_edit)
    assert raw_redis.zrange(f"{prefix}ranking:mOTHER:{role}", 0, -1) == [b"g-1"]
    assert set(store.models()) == {version, "mOTHER"}
    assert client.get_result(best["id"])["status"] == "no_match"


def test_top_returns_the_best_current_postings_of_a_role(worker, client, env, raw_redis, prefix):
    done = run_cli(["submit", str(EXAMPLES)], env)
    assert done.returncode == 0, done.stderr
    assert run_cli(["submit", str(EXAMPLES)], env).returncode == 0  # the same postings again: nothing new
    role = "staff-machine-learning-engineer"
    wait_for(lambda: len(client.top(role, 10)) == 3, 30, f"three postings ranked for {role}")
    best = client.top(role, 10)
    scores = [entry["score"] for entry in best]
    assert scores == sorted(scores, reverse=True)
    assert all(entry["result"]["role"] == role and entry["result"]["score"] == entry["score"] for entry in best)
    assert [entry["id"] for entry in client.top(role, 2)] == [entry["id"] for entry in best[:2]]
    shown = run_cli(["top", role, "-n", "2", "--json"], env)
    assert [entry["id"] for entry in json.loads(shown.stdout)] == [entry["id"] for entry in best[:2]]
    wait_for(lambda: raw_redis.llen(f"{prefix}tasks") == 0 and raw_redis.hlen(f"{prefix}unacked") == 0, 30, "idle")
    assert raw_redis.xlen(f"{prefix}results") == 23  # each posting with an id once, though submitted twice


def test_every_key_lives_under_the_prefix_celerys_too(worker, client, raw_redis, prefix, env):
    before = set(raw_redis.scan_iter(count=1000))
    run_cli(["batch", str(EXAMPLES), "--out", "-", "--via-queue"], env)
    client.submit([json.dumps(posting(1))])
    wait_for(lambda: client.get_result("s-1"), 30, "the result")
    new = {key.decode() for key in set(raw_redis.scan_iter(count=1000)) - before}
    assert any(key == f"{prefix}_kombu.binding.tasks" for key in new | {k.decode() for k in before})
    assert new and all(key.startswith(prefix) for key in new), sorted(k for k in new if not k.startswith(prefix))


def test_result_store_reads_nothing_for_unknown_ids(client):
    assert client.get_result("nope") is None
    assert client.store.get_results(["a", "b"]) == [None, None]
    assert isinstance(client.store, ResultStore)
