"""Submitting postings to a real worker and reading the results back, through the client and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

from worker.lines import read_records
from worker.runtime import load_classifier
from worker.service.store.results import stored_result

EXAMPLES = ROOT / "examples" / "postings.jsonl"

POSTING = {
    "id": "it-1",
    "title": "Senior Machine Learning Engineer",
    "company": "Acme",
    "location": "Austin, TX",
    "description": "Train and ship ranking models with PyTorch; feature engineering; 5+ years of experience.",
    "salary_text": "$180,000 - $220,000",
}


def in_process(settings, record: object) -> dict:
    """What the in-process classifier says about a record (the reference the worker must match)."""
    return load_classifier(settings).classify_records([(None, record)])[0]


def test_submit_and_read_back_through_the_client_and_the_cli(worker, client, env, settings, tmp_path: Path):
    ids = client.submit([json.dumps(POSTING)])
    assert ids == ["it-1"]
    result = wait_for(lambda: client.store.get_result("it-1"), 30, "the result of it-1")
    assert result == in_process(settings, POSTING)
    assert result["status"] == "matched" and result["schema_version"] == 1

    other = {**POSTING, "id": "it-2", "title": "Registered Nurse", "description": "Patient care on a med/surg unit."}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(other, indent=2))  # one object over several lines
    done = run_cli(["submit", str(path)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["it-2"]
    wait_for(lambda: client.get_result("it-2"), 30, "the result of it-2")
    shown = run_cli(["result", "it-2"], env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {**in_process(settings, other), "market_band": None}  # not matched
    assert json.loads(shown.stdout)["status"] == "no_match"


def test_result_of_an_unknown_posting_exits_1(env, redis_url):
    done = run_cli(["result", "never-submitted"], env)
    assert done.returncode == 1
    assert "no result for posting 'never-submitted'" in done.stderr


def test_jsonl_submit_prints_ids_rejects_bad_lines_to_dead_letter_and_matches_in_process(worker, client, env, settings):
    done = run_cli(["submit", str(EXAMPLES)], env)
    assert done.returncode == 0, done.stderr
    ids = done.stdout.split()
    assert len(ids) == 24 and ids[8] == "-" and "ex-bad-2" in ids  # line 9 is not JSON: no id
    assert "postings.jsonl:9: no usable id" in done.stderr

    wait_for(lambda: len(client.dead_letters()) == 2, 30, "two dead-letter entries")
    letters = {entry["error"].split(":")[0]: entry for entry in client.dead_letters()}
    assert letters["line 9"]["payload"].startswith('{"id": "ex-bad-1"')
    assert "not valid JSON" in letters["line 9"]["error"]
    assert letters["line 17"]["id"] == "ex-bad-2"
    assert letters["line 17"]["error"] == "line 17: posting 'ex-bad-2': field 'title': missing"
    assert json.loads(letters["line 17"]["payload"])["company"] == "Nobody Inc."

    # Every posting's stored result is what the in-process classifier says (without the input line).
    with EXAMPLES.open(encoding="utf-8") as feed:
        records = [(line, record) for line, record in read_records(feed) if line != 9]
    expected = {r["id"]: stored_result(r) for r in load_classifier(settings).classify_records(records)}
    assert set(expected) == {i for i in ids if i != "-"}
    got = wait_for(
        lambda: (values := client.store.get_results(list(expected))) and all(values) and values, 30, "every result"
    )
    assert {r["id"]: r for r in got} == expected
    assert client.get_result("ex-bad-2")["status"] == "rejected"


def test_submit_fails_loudly_when_redis_is_unreachable_and_masks_the_password(env, tmp_path: Path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(POSTING))
    dead = {**env, "JOBMATCH_REDIS_URL": "redis://:s3cret-pw@127.0.0.1:1/0"}
    done = run_cli(["submit", str(path)], dead, timeout=60)
    assert done.returncode != 0
    assert "cannot reach Redis at redis://:***@127.0.0.1:1/0" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert done.stdout == ""  # nothing claimed as submitted


def test_submit_waits_while_the_backlog_is_full_so_the_queue_stays_bounded(start_worker, env):
    import threading

    from worker.service.client import BACKLOG_CHECK_EVERY, SUBMIT_CHUNK, Client
    from worker.settings import load_settings

    env["JOBMATCH_SUBMIT_BACKLOG"] = "500"  # 10 tasks of 50 postings
    start_worker(extra_env={"JOBMATCH_SUBMIT_BACKLOG": "500"}, args=["--concurrency", "1"])
    client = Client(load_settings(environ=env))
    source = [json.loads(line) for line in EXAMPLES.read_text().splitlines()[:8] if line.strip()]
    source = [r for r in source if isinstance(r, dict) and "title" in r]
    postings = [json.dumps({**source[n % len(source)], "id": f"bp-{n}"}) for n in range(4_000)]

    depths: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            depths.append(client.queued_tasks())
            stop.wait(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        ids = client.submit(postings)
    finally:
        stop.set()
        sampler.join()
    assert len(ids) == 4_000
    limit = 500 // SUBMIT_CHUNK + BACKLOG_CHECK_EVERY  # checked every few tasks, so it may overshoot by that many
    assert max(depths) <= limit, f"queue reached {max(depths)} tasks, limit {limit}"
    assert max(depths) >= 500 // SUBMIT_CHUNK  # the producer really was ahead of the worker, and waited
    wait_for(lambda: client.get_result("bp-3999"), 120, "the last posting's result")
