"""Recommendations against a real Redis and a real worker: cards written at publish (once per posting, with the
result's expiry, removed when the posting stops matching), `recommend` and `similar` through the client and CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

from matching.cards import CARD_BYTES
from worker import Client
from worker.runtime import load_classifier
from worker.service.handling import Item, classify_items, outcomes
from worker.service.recommend import card_maker
from worker.service.redisconn import connect
from worker.service.store.results import ResultStore
from worker.settings import load_settings

EXAMPLES = ROOT / "examples" / "postings.jsonl"
PERSONA = """ML Platform Engineer
I build the internal platform our data scientists use: Kubeflow pipelines, an MLflow model registry, CI/CD for
models and a feature store, on Kubernetes.
"""


def submit_examples(client) -> dict[str, dict]:
    lines = [line for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [i for i in client.submit(lines) if i is not None]
    return wait_for(
        lambda: (lambda got: got if all(r is not None for r in got.values()) else None)(
            {i: client.get_result(i) for i in ids}
        ),
        60,
        "every example's result",
    )


def card_keys(raw_redis, prefix: str) -> list[bytes]:
    return sorted(raw_redis.scan_iter(match=f"{prefix}card:*", count=1000))


def test_cards_are_written_once_per_matched_posting_with_the_results_expiry(worker, client, raw_redis, prefix):
    results = submit_examples(client)
    matched = {i for i, r in results.items() if r["status"] == "matched"}
    version = load_classifier(client.settings).model_version
    keys = card_keys(raw_redis, prefix)
    assert keys == sorted(f"{prefix}card:{version}:{i}".encode() for i in matched)
    assert all(raw_redis.strlen(k) == CARD_BYTES for k in keys)
    assert all(abs(raw_redis.pttl(k) - raw_redis.pttl(f"{prefix}result:{k.decode().rsplit(':', 1)[1]}")) < 5000
               for k in keys)  # fmt: skip
    before = {k: raw_redis.get(k) for k in keys}

    submit_examples(client)  # the same postings again (a redelivery, a re-poll): one card each, unchanged
    wait_for(lambda: raw_redis.xlen(f"{prefix}results") >= len(results), 10, "the results stream")
    assert {k: raw_redis.get(k) for k in card_keys(raw_redis, prefix)} == before

    # A posting edited into one that matches no role loses its card with its ranking entry.
    gone = sorted(matched)[0]
    edited = {"id": gone, "title": "Registered Nurse", "description": "Patient care on a med/surg unit."}
    client.submit([json.dumps(edited)])
    wait_for(lambda: (client.get_result(gone) or {}).get("status") == "no_match", 30, "the edited result")
    assert not raw_redis.exists(f"{prefix}card:{version}:{gone}")


def test_recommend_and_similar_through_the_client_and_the_cli(worker, client, env, tmp_path: Path):
    results = submit_examples(client)
    matched = {i for i, r in results.items() if r["status"] == "matched"}

    answer = client.recommend(PERSONA, {"min_pay": {"amount": 100000, "currency": "USD"}}, 5)
    assert answer["roles"][0]["role"] == "machine-learning-platform-engineer"
    assert {"role", "score", "band"} <= set(answer["roles"][0])
    postings = answer["postings"]
    assert 0 < len(postings) <= 5 and {p["id"] for p in postings} <= matched
    assert postings[0]["role"] == "machine-learning-platform-engineer"
    assert [p["score"] for p in postings] == sorted((p["score"] for p in postings), reverse=True)
    first = postings[0]
    assert first["title"] == results[first["id"]]["title"] and first["level"] == results[first["id"]]["level"]
    assert first["band"] == results[first["id"]]["salary_band"]
    assert first["stated_salary"] == results[first["id"]]["stated_salary"]
    assert first["market_band"] == client.get_result(first["id"])["market_band"]  # as a read attaches it
    assert first["why"]["terms"]
    assert "minimum" in first["why"]["pay"] or first["why"]["pay"] == "no stated pay"

    text = tmp_path / "me.txt"
    text.write_text(PERSONA)
    prefs = tmp_path / "prefs.toml"
    prefs.write_text('level = "senior"\n[min_pay]\namount = 100000\ncurrency = "USD"\n')
    done = run_cli(["recommend", str(text), "--prefs", str(prefs), "--json", "-n", "3"], env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert set(shown) == {"roles", "postings"} and len(shown["postings"]) <= 3
    shape = {"id", "role", "score", "why", "title", "level", "band", "stated_salary", "market_band"}
    assert set(shown["postings"][0]) >= shape
    plain = run_cli(["recommend", "-"], env, stdin=PERSONA)
    assert plain.returncode == 0, plain.stderr
    assert "roles that fit" in plain.stdout and first["id"] in plain.stdout
    neither = run_cli(["recommend"], env)
    assert neither.returncode == 2 and "give a text file" in neither.stderr

    like = client.similar(first["id"], 5)
    assert like is not None and first["id"] not in {p["id"] for p in like["postings"]}
    roles = [p["role"] for p in like["postings"]]
    same = [r == first["role"] for r in roles]
    assert same == sorted(same, reverse=True)  # the same role first
    done = run_cli(["similar", first["id"], "--json"], env)
    assert done.returncode == 0, done.stderr
    again = client.similar(first["id"])
    assert [p["id"] for p in json.loads(done.stdout)["postings"]] == [p["id"] for p in again["postings"]]
    unknown = run_cli(["similar", "never-submitted"], env)
    assert unknown.returncode == 1 and "no current match" in unknown.stderr


def test_postings_whose_results_expired_drop_out_though_still_ranked(env, raw_redis, prefix):
    def publish(ttl: str, posting: dict) -> None:
        settings = load_settings(environ={**env, "JOBMATCH_RESULT_TTL": ttl})
        classifier = load_classifier(settings)
        store = ResultStore(connect(settings), settings)
        store.cards = card_maker(lambda: classifier)
        items = [Item(json.dumps(posting))]
        store.publish(outcomes(items, classify_items(classifier, items)[0], origin="test", token="t"))

    description = "Kubeflow pipelines, a model registry and a feature store for our data scientists."
    posting = {"id": "short-lived", "title": "ML Platform Engineer", "description": description}
    publish("1", posting)
    publish("60", {**posting, "id": "long-lived"})  # renews the ranking's expiry, not the first posting's
    client = Client(load_settings(environ=env))
    assert {p["id"] for p in client.recommend(PERSONA)["postings"]} == {"short-lived", "long-lived"}
    wait_for(lambda: not raw_redis.exists(f"{prefix}result:short-lived"), 10, "the short-lived result to expire")
    version = load_classifier(client.settings).model_version
    ranked = raw_redis.zrange(f"{prefix}ranking:{version}:machine-learning-platform-engineer", 0, -1)
    assert b"short-lived" in ranked  # still in the ranking, yet no longer recommended
    assert [p["id"] for p in client.recommend(PERSONA)["postings"]] == ["long-lived"]
