"""`jobmatch submit` and `batch --via-queue` around the workers' lifetime: none alive, one just starting, and a
reader of the printed ids that goes away early."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

POSTINGS = 120  # more than one task's worth (50 per task)


def write_postings(path: Path, count: int = POSTINGS) -> list[str]:
    ids = [f"pipe-{n:03d}" for n in range(count)]
    with path.open("w", encoding="utf-8") as out:
        for posting_id in ids:
            posting = {"id": posting_id, "title": "Machine Learning Engineer", "description": "Train models."}
            out.write(json.dumps(posting) + "\n")
    return ids


def queued(raw_redis, prefix: str) -> int:
    return int(raw_redis.llen(f"{prefix}tasks"))


def test_submit_whose_reader_goes_away_still_sends_every_posting_and_counts_them(worker, client, env, tmp_path: Path):
    ids = write_postings(tmp_path / "feed.jsonl")
    # `submit FILE | head -0`: the reading end is closed before submit prints its first id.
    process = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "submit", str(tmp_path / "feed.jsonl")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"{POSTINGS} postings sent (standard output closed after 0 ids; sending went on)" in err, err
    assert "before the failure" not in err and "Traceback" not in err and "BrokenPipe" not in err
    got = wait_for(
        lambda: (values := client.store.get_results(ids)) and all(values) and values, 60, f"all {POSTINGS} results"
    )
    assert [r["id"] for r in got] == ids


def test_submit_piped_to_head_sends_every_posting(worker, client, env, tmp_path: Path):
    ids = write_postings(tmp_path / "feed.jsonl")
    command = f"{sys.executable} -m worker.cli submit {tmp_path / 'feed.jsonl'} | head -n 5"
    done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ids[:5]
    assert f"{POSTINGS} postings sent" in done.stderr, done.stderr
    wait_for(lambda: all(client.store.get_results(ids)), 60, f"all {POSTINGS} results")


def test_submit_with_no_worker_alive_warns_and_require_worker_refuses(env, prefix, raw_redis, tmp_path: Path):
    write_postings(tmp_path / "feed.jsonl", 3)
    done = run_cli(["submit", str(tmp_path / "feed.jsonl")], env)
    assert done.returncode == 0, done.stderr
    assert "warning: no live worker: the postings are queued, and nothing processes them" in done.stderr
    assert "3 postings sent (no worker alive: they wait in the queue)" in done.stderr
    assert queued(raw_redis, prefix) == 1

    refused = run_cli(["submit", str(tmp_path / "feed.jsonl"), "--require-worker", "--wait", "0.5"], env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"jobmatch submit: error: no live worker under key prefix {prefix!r} (no heartbeat in 0.5 s): "
        "start one with `jobmatch worker`"
    )
    assert refused.stdout == "" and queued(raw_redis, prefix) == 1  # nothing more was sent


def test_submit_require_worker_waits_for_a_worker_that_is_starting(start_worker, client, env, tmp_path: Path):
    ids = write_postings(tmp_path / "feed.jsonl", 3)
    start_worker(wait=False)  # `jobmatch worker &` then submit at once
    done = run_cli(["submit", str(tmp_path / "feed.jsonl"), "--require-worker", "--wait", "60"], env)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and done.stdout.split() == ids
    wait_for(lambda: all(client.store.get_results(ids)), 60, "the 3 results")


def test_batch_via_queue_waits_for_a_worker_started_just_before(start_worker, env, tmp_path: Path):
    write_postings(tmp_path / "feed.jsonl", 30)
    start_worker(wait=False)  # `jobmatch worker & jobmatch batch --via-queue ...`
    out = tmp_path / "out.jsonl"
    done = run_cli(["batch", str(tmp_path / "feed.jsonl"), "--out", str(out), "--via-queue", "--wait", "60"], env)
    assert done.returncode == 0, done.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 30


def test_batch_via_queue_with_no_worker_refuses_after_the_wait(env, prefix, tmp_path: Path):
    write_postings(tmp_path / "feed.jsonl", 3)
    out = tmp_path / "out.jsonl"
    done = run_cli(["batch", str(tmp_path / "feed.jsonl"), "--out", str(out), "--via-queue", "--wait", "1"], env)
    assert done.returncode == 2
    assert "waiting up to 1 s for one" in done.stderr
    assert f"error: no live worker under key prefix {prefix!r} (no heartbeat in 1 s)" in done.stderr
    assert not out.exists()
