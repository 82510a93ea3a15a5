"""Workers dying: a pool process killed mid-task, a whole worker killed mid-batch (recovered in seconds through
its lease: test_faults_leases.py has the rest), a warm shutdown. Every posting ends with exactly one result."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

from worker.runtime import load_classifier
from worker.service.handling import poison_result
from worker.service.store.results import Outcome, stored_result

HERE = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples" / "postings.jsonl"
FAULTS = [sys.executable, "-m", "celery", "-A", "faults_app", "worker", "--without-mingle", "--without-gossip"]
FAULTS_ENV = {"PYTHONPATH": str(HERE)}
CLI = [sys.executable, "-m", "worker.cli"]


def ml_posting(posting_id: str, **extra: object) -> dict:
    return {
        "id": posting_id,
        "title": "Machine Learning Platform Engineer",
        "description": f"Kubeflow pipelines, feature store, model registry ({posting_id}).",
        **extra,
    }


def expected(settings, record: dict) -> dict:
    return stored_result(load_classifier(settings).classify_records([(None, record)])[0])


def idle(raw_redis, prefix: str) -> bool:
    """Nothing queued and nothing delivered but unacknowledged under `prefix`."""
    return raw_redis.llen(f"{prefix}tasks") == 0 and raw_redis.hlen(f"{prefix}unacked") == 0


def published_once(raw_redis, prefix: str, result: dict) -> None:
    """One result key, one results-stream entry and (if matched) one ranking entry for the posting."""
    posting_id = result["id"]
    assert [k.decode() for k in raw_redis.scan_iter(match=f"{prefix}result:{posting_id}")] == [
        f"{prefix}result:{posting_id}"
    ]
    ids = [fields[b"id"].decode() for _, fields in raw_redis.xrange(f"{prefix}results")]
    assert ids.count(posting_id) == 1, ids
    rankings = [k for k in raw_redis.scan_iter(match=f"{prefix}ranking:*") if raw_redis.zscore(k, posting_id)]
    if result["status"] == "matched":
        assert rankings == [f"{prefix}ranking:{result['model_version']}:{result['role']}".encode()]
    else:
        assert rankings == []


def test_a_pool_process_killed_mid_task_is_run_again_and_published_once(
    start_worker, client, raw_redis, prefix, settings
):
    worker = start_worker("kill", command=[*FAULTS, "--loglevel", "INFO"], extra_env=FAULTS_ENV)
    record = ml_posting("kill-1", fault={"sleep": 3})
    client.submit([json.dumps(record)])
    started = wait_for(lambda: re.search(r"FAULT SLEEP id=kill-1 pid=(\d+)", worker.log()), 30, "the task to start")
    assert int(started[1]) in worker.pool_pids()
    os.kill(int(started[1]), signal.SIGKILL)  # the pool process dies mid-task; the worker lives on

    wait_for(lambda: worker.log().count("FAULT SLEEP id=kill-1") == 2, 30, "the posting to be classified again")
    result = wait_for(lambda: client.store.get_result("kill-1"), 30, "kill-1's result")
    wait_for(lambda: idle(raw_redis, prefix), 30, "the redelivered task to be acknowledged")
    assert result == expected(settings, record)
    assert result["status"] == "matched"
    published_once(raw_redis, prefix, result)
    assert "WorkerLostError" in worker.log()
    print(
        "\nFIGURES pool process killed mid-task: 1 posting submitted, classified twice, 1 result, lost 0, duplicated 0"
    )


def make_feed(path: Path, copies: int, slow_line: int | None = None) -> Path:
    """`copies` copies of the examples with unique ids (bad lines kept); the line `slow_line` made slow."""
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as out:
        number = 0
        for copy in range(copies):
            for line in lines:
                number += 1
                line = line.replace('"id": "ex-', f'"id": "c{copy}-ex-').replace('"id": 1017', f'"id": "c{copy}-1017"')
                if number == slow_line:
                    record = json.loads(line)
                    record["fault"] = {"sleep": 3}
                    line = json.dumps(record)
                out.write(line + "\n")
    return path


def test_a_whole_worker_killed_mid_batch_is_recovered_by_a_new_worker_every_posting_once(
    start_worker, env, raw_redis, prefix, tmp_path
):
    feed = make_feed(tmp_path / "feed.jsonl", copies=125, slow_line=1500)  # 3,000 lines, 2,875 postings with ids
    local = run_cli(["batch", str(feed), "--out", str(tmp_path / "local.jsonl")], env)
    assert local.returncode == 0, local.stderr
    # The default lease (10 s) and visibility timeout (300 s): the dead worker's lease brings its chunk back.
    first = start_worker("first", command=[*FAULTS, "--loglevel", "INFO"], extra_env=FAULTS_ENV)
    with open(tmp_path / "batch.err", "wb") as err:
        batch = subprocess.Popen(
            [*CLI, "batch", str(feed), "--out", str(tmp_path / "queued.jsonl"), "--via-queue", "--no-progress"],
            cwd=ROOT,
            env=env,
            stderr=err,
        )
    try:
        # The machine dies while a pool process holds the slow chunk (line 1500): that chunk is delivered and
        # unacknowledged, so only a live worker restoring the dead one's deliveries can bring it back.
        wait_for(lambda: "FAULT SLEEP" in first.log(), 60, "the batch to reach the slow chunk")
        first.kill()
        killed = time.monotonic()
        published_at_kill = raw_redis.xlen(f"{prefix}results")
        unacked_at_kill = raw_redis.hlen(f"{prefix}unacked")
        assert batch.poll() is None and unacked_at_kill >= 1
        start_worker("second", command=[*FAULTS, "--loglevel", "INFO"], extra_env=FAULTS_ENV)
        batch.wait(timeout=90)
        recovered = time.monotonic() - killed
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 0, (tmp_path / "batch.err").read_text()
    assert recovered < 30, recovered

    # Every input line once in the output, in order, equal to the in-process batch.
    local_lines = (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()
    queued_lines = (tmp_path / "queued.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(queued_lines) == 3000
    assert queued_lines == local_lines
    results = [json.loads(line) for line in local_lines]
    with_id = [r for r in results if r["id"] is not None]
    assert len(with_id) == len({r["id"] for r in with_id}) == 2875
    # Every posting once in the results stream and in its role's ranking (no ranking is over its size).
    stream_ids = [fields[b"id"].decode() for _, fields in raw_redis.xrange(f"{prefix}results")]
    assert sorted(stream_ids) == sorted(r["id"] for r in with_id)
    by_role: dict[str, set[str]] = {}
    for r in with_id:
        if r["status"] == "matched":
            by_role.setdefault(f"{prefix}ranking:{r['model_version']}:{r['role']}", set()).add(r["id"])
    assert max(len(ids) for ids in by_role.values()) <= 1000
    ranked = {
        k.decode(): {m.decode() for m in raw_redis.zrange(k, 0, -1)} for k in raw_redis.scan_iter(f"{prefix}ranking:*")
    }
    assert ranked == by_role
    wait_for(lambda: idle(raw_redis, prefix), 30, "the queue to drain")
    resent = (tmp_path / "batch.err").read_text().count("sending it again")
    print(
        f"\nFIGURES whole-worker kill: 3000 lines, {len(with_id)} postings with ids; "
        f"{published_at_kill} published and {unacked_at_kill} task(s) unacknowledged when the worker was killed; "
        f"results {len(stream_ids)}, lost 0, duplicated 0; recovered (batch done) {recovered:.1f} s after the kill "
        f"(lease 10 s, visibility timeout 300 s; {resent} chunk(s) sent again by the client)"
    )


def test_a_chunk_lost_between_the_queue_and_a_dying_worker_is_sent_again_by_batch(
    start_worker, env, raw_redis, prefix, settings, tmp_path
):
    # The client's backstop: a chunk's message lost whatever the way (the transport leaves none it knows of; kombu's
    # own BRPOP did: a worker killed between popping and recording took the message with it). Pop it and drop it.
    short = {"JOBMATCH_VISIBILITY_TIMEOUT": "2"}
    now = time.time()
    ghost = {"hostname": "ghost@box", "pid": 1, "model_version": load_classifier(settings).model_version,
             "concurrency": 2, "started_at": now, "seen_at": now}  # fmt: skip
    raw_redis.hset(f"{prefix}workers", "ghost@box", json.dumps(ghost))
    feed = make_feed(tmp_path / "feed.jsonl", copies=20)  # 480 lines: 3 chunks of 200
    local = run_cli(["batch", str(feed), "--out", str(tmp_path / "local.jsonl")], env)
    assert local.returncode == 0, local.stderr
    with open(tmp_path / "batch.err", "wb") as err:
        batch = subprocess.Popen(
            [
                *CLI,
                "batch",
                str(feed),
                "--out",
                str(tmp_path / "queued.jsonl"),
                "--via-queue",
                "--no-progress",
                "--chunk-lines",
                "200",
            ],
            cwd=ROOT,
            env={**env, **short},
            stderr=err,
        )
    try:
        wait_for(lambda: raw_redis.llen(f"{prefix}tasks") == 3, 30, "the three chunks to be queued")
        lost = json.loads(raw_redis.rpop(f"{prefix}tasks"))  # the oldest message, as BRPOP takes it
        assert lost["headers"]["task"] == "jobmatch.classify_batch"
        start_worker("w1", extra_env=short)
        batch.wait(timeout=60)
    finally:
        if batch.poll() is None:
            batch.kill()
    stderr = (tmp_path / "batch.err").read_text()
    assert batch.returncode == 0, stderr
    assert "jobmatch batch: chunk 0 (lines 1-200) not finished" in stderr and stderr.count("sending it again") == 1
    assert (tmp_path / "queued.jsonl").read_text() == (tmp_path / "local.jsonl").read_text()
    assert raw_redis.xlen(f"{prefix}results") == 20 * 23


def test_warm_shutdown_finishes_running_tasks_and_returns_prefetched_ones_to_the_queue(
    start_worker, client, raw_redis, prefix, settings
):
    # Prefetch 8 for the two pool processes (jobmatch's own setting is 1 per process), so that the worker
    # holds tasks it has not started when it is told to stop.
    worker = start_worker(
        "warm", command=[*FAULTS, "--loglevel", "INFO", "--prefetch-multiplier", "4"], extra_env=FAULTS_ENV
    )
    records = [ml_posting(f"warm-{n}", fault={"sleep": 2}) for n in range(6)]
    for record in records:
        client.submit([json.dumps(record)])  # one task each
    wait_for(lambda: worker.log().count("FAULT SLEEP") == 2, 30, "two tasks to start")
    wait_for(lambda: raw_redis.hlen(f"{prefix}unacked") == 6, 10, "the worker to hold all six tasks")
    running = set(re.findall(r"FAULT SLEEP id=(warm-\d+)", worker.log()))
    assert worker.process is not None
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(30) == 0
    # The two running tasks finished and were published; the four it held went back to the queue.
    assert {r["id"] for r in filter(None, client.store.get_results([r["id"] for r in records]))} == running
    assert raw_redis.llen(f"{prefix}tasks") == 4 and raw_redis.hlen(f"{prefix}unacked") == 0
    assert worker.log().count("FAULT SLEEP") == 2

    start_worker("after", command=[*FAULTS, "--loglevel", "INFO"], extra_env=FAULTS_ENV)
    wait_for(lambda: all(client.store.get_results([r["id"] for r in records])), 60, "all six results")
    wait_for(lambda: idle(raw_redis, prefix), 30, "the queue to drain")
    for record in records:
        result = client.store.get_result(record["id"])
        assert result == expected(settings, record)
        published_once(raw_redis, prefix, result)
    print("\nFIGURES warm shutdown: 6 postings (6 tasks) held by the worker, 2 finished before it exited, 4 returned "
          "to the queue; 6 results, lost 0, duplicated 0")  # fmt: skip


def test_a_posting_that_kills_its_process_every_time_is_dead_lettered_and_the_rest_of_its_task_published(
    start_worker, client, raw_redis, prefix, settings
):
    # Given up after 2 redeliveries rather than jobmatch's 5: billiard takes seconds to replace a killed process.
    worker = start_worker(
        "crash", command=[*FAULTS, "--loglevel", "INFO"], extra_env={**FAULTS_ENV, "FAULTS_MAX_REDELIVERIES": "2"}
    )
    records = [ml_posting("ok-1"), ml_posting("crash-1", fault={"crash": True}), ml_posting("ok-2")]
    client.submit([json.dumps(r) for r in records])  # one task of three
    ids = [r["id"] for r in records]
    wait_for(lambda: all(client.store.get_results(ids)), 90, "a result for each of the three")
    wait_for(lambda: idle(raw_redis, prefix), 30, "the task to be acknowledged")
    # Bounded: the first delivery and 2 redeliveries run the task whole, the 3rd classifies one posting at a
    # time and dies on crash-1 (noting so), the 4th dead-letters crash-1 and publishes the others.
    assert worker.log().count("FAULT CRASH id=crash-1") == 4
    for record in (records[0], records[2]):
        result = client.store.get_result(record["id"])
        assert result == expected(settings, record)
        published_once(raw_redis, prefix, result)
    crashed = client.store.get_result("crash-1")
    assert crashed["status"] == "rejected"
    assert crashed["error"] == (
        "posting 'crash-1': the worker process died while classifying it (task given up after 2 redeliveries)"
    )
    published_once(raw_redis, prefix, crashed)
    (letter,) = client.dead_letters()
    assert letter["id"] == "crash-1" and letter["error"] == crashed["error"] and letter["origin"] == "submit"
    print("\nFIGURES posting that kills its process: 3 postings in one task, 4 runs, 2 results + 1 dead letter, "
          "lost 0, duplicated 0")  # fmt: skip


def test_a_give_up_keeps_the_result_another_delivery_published_and_only_dead_letters_the_failure(
    client, settings, raw_redis, prefix
):
    record = ml_posting("both-1")
    good = load_classifier(settings).classify_records([(None, record)])[0]
    assert client.store.publish([Outcome(good, json.dumps(record), "submit", token="t1:0")]) == 1
    # Another delivery of the same task died on this posting and gives up on it.
    reason = "the worker process died while classifying it (task given up after 5 redeliveries)"
    given_up = poison_result((None, record), reason, model_version=good["model_version"])
    assert client.store.publish([Outcome(given_up, json.dumps(record), "submit", token="t1:0", replace=False)]) == 0
    assert client.store.get_result("both-1") == stored_result(good)
    published_once(raw_redis, prefix, stored_result(good))
    (letter,) = client.dead_letters()
    assert letter["id"] == "both-1" and letter["error"] == f"posting 'both-1': {reason}"
