"""`jobmatch batch --via-queue`: the same output as the in-process batch, line for line; refusals."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import ROOT, run_cli

EXAMPLES = ROOT / "examples" / "postings.jsonl"


def test_via_queue_equals_in_process_line_for_line(worker, env, raw_redis, prefix, tmp_path: Path):
    # A bigger feed than the examples (the examples three times, ids made unique) in chunks of 7 lines, so
    # chunks finish out of order on two pool processes and must be put back in input order.
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for copy in range(3):
            for line in lines:
                out.write(line.replace('"id": "ex-', f'"id": "c{copy}-ex-') + "\n")
            out.write("\n")  # a blank line: no result, as in-process
    local = run_cli(["batch", str(feed), "--out", str(tmp_path / "local.jsonl")], env)
    queued = run_cli(
        ["batch", str(feed), "--out", str(tmp_path / "queued.jsonl"), "--via-queue", "--chunk-lines", "7"], env
    )
    assert local.returncode == 0, local.stderr
    assert queued.returncode == 0, queued.stderr
    expected = (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines()
    got = (tmp_path / "queued.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(got) == 72
    assert got == expected  # byte for byte: results carry no timestamps
    assert queued.stderr == local.stderr  # the same summary, rejected lines included
    rejected = [json.loads(line) for line in got if json.loads(line)["status"] == "rejected"]
    assert [r["line"] for r in rejected] == [9, 17, 34, 42, 59, 67]
    assert "not valid JSON" in rejected[0]["error"] and rejected[1]["error"].endswith("field 'title': missing")
    # The per-batch keys are gone once the batch is collected; the results were published like any others.
    assert not list(raw_redis.scan_iter(match=f"{prefix}batch:*"))
    # Every posting with an id, once: 22 per copy, plus posting 1017, whose id is the same in every copy
    # (identical content: published once). The line that is not JSON has no id: dead letter only.
    assert raw_redis.xlen(f"{prefix}results") == 3 * 22 + 1
    assert raw_redis.xlen(f"{prefix}dead-letter") == 3 + 3


def test_via_queue_refuses_without_a_live_worker(env, redis_url, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    done = run_cli(["batch", str(EXAMPLES), "--out", str(out), "--via-queue"], env)
    assert done.returncode == 2
    assert "no live worker" in done.stderr
    assert not out.exists()


def test_via_queue_refuses_a_worker_with_another_model_version(env, raw_redis, prefix, tmp_path: Path):
    now = time.time()
    beat = {"hostname": "old@box", "pid": 1, "model_version": "m000000000000", "concurrency": 2,
            "started_at": now, "seen_at": now}  # fmt: skip
    raw_redis.hset(f"{prefix}workers", "old@box", json.dumps(beat))
    done = run_cli(["batch", str(EXAMPLES), "--out", str(tmp_path / "out.jsonl"), "--via-queue"], env)
    assert done.returncode == 2
    assert "model version mismatch" in done.stderr and "old@box runs m000000000000" in done.stderr
