"""Faults inside a task: poison input is retried a bounded number of times, then dead-lettered; a pool
process killed mid-task has its posting classified again, once."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path

from conftest import run_cli, wait_for

HERE = Path(__file__).resolve().parent
CELERY = [sys.executable, "-m", "celery", "-A", "poison_app", "worker", "--without-mingle", "--without-gossip"]


def test_a_poison_posting_is_retried_then_dead_lettered_and_its_chunk_goes_on(start_worker, client, env, tmp_path):
    worker = start_worker("poison", command=[*CELERY, "--loglevel", "INFO"], extra_env={"PYTHONPATH": str(HERE)})
    feed = tmp_path / "feed.jsonl"
    postings = [
        {"id": "p-1", "title": "Machine Learning Platform Engineer", "description": "Kubeflow, feature store."},
        {"id": "p-2", "title": "POISON", "description": "makes the classifier raise"},
        {"id": "p-3", "title": "Registered Nurse", "description": "Patient care."},
    ]
    feed.write_text("".join(json.dumps(p) + "\n" for p in postings), encoding="utf-8")
    done = run_cli(["batch", str(feed), "--out", str(tmp_path / "out.jsonl"), "--via-queue"], env)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["status"] for r in results] == ["matched", "rejected", "no_match"]
    assert results[1]["error"] == "line 2: posting 'p-2': classification failed: RuntimeError: poisoned posting"
    (letter,) = client.dead_letters()
    assert letter["id"] == "p-2" and letter["error"] == results[1]["error"]
    assert json.loads(letter["payload"])["title"] == "POISON"
    # Three attempts in all (two retries), not an endless loop.
    assert worker.log().count("Retry in") == 2

    # The same for a single submitted posting.
    client.submit([json.dumps({"id": "p-4", "title": "POISON", "description": "again"})])
    result = wait_for(lambda: client.get_result("p-4"), 30, "p-4's rejection")
    assert result["status"] == "rejected" and "RuntimeError: poisoned posting" in result["error"]
    assert len(client.dead_letters()) == 2


def test_a_pool_process_killed_mid_task_leaves_the_posting_classified_exactly_once(
    start_worker, client, raw_redis, prefix
):
    worker = start_worker("slow", command=[*CELERY, "--loglevel", "INFO"], extra_env={"PYTHONPATH": str(HERE)})
    client.submit([json.dumps({"id": "slow-1", "title": "SLOW", "description": "takes a while"})])
    started = wait_for(lambda: re.search(r"SLOW STARTED pid=(\d+)", worker.log()), 30, "the slow task to start")
    assert int(started[1]) in worker.pool_pids()
    os.kill(int(started[1]), signal.SIGKILL)  # the pool process dies mid-task; the worker lives on
    result = wait_for(lambda: client.get_result("slow-1"), 30, "slow-1's result after the redelivery")
    assert result["id"] == "slow-1"
    assert worker.log().count("SLOW STARTED") == 2  # run again (late ack + reject on worker loss)
    assert "WorkerLostError" in worker.log()
    assert raw_redis.xlen(f"{prefix}results") == 1  # and published once
    wait_for(lambda: raw_redis.hlen(f"{prefix}unacked") == 0, 10, "the redelivered task to be acknowledged")
