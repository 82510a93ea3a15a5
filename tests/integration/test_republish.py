"""Resubmitting a feed publishes nothing new: one results-stream entry per distinct result, rejections included,
whichever way the feed came in (`submit FILE`, `submit -`, `batch --via-queue`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import ROOT, run_cli, wait_for

EXAMPLES = ROOT / "examples" / "postings.jsonl"


def stream_ids(raw_redis, key: str) -> Counter[str]:
    return Counter(fields[b"id"].decode() for _, fields in raw_redis.xrange(key))


def test_resubmitting_a_feed_leaves_one_results_entry_per_posting_rejected_ones_included(
    worker, env, prefix, raw_redis, tmp_path: Path
):
    results, dead = f"{prefix}results", f"{prefix}dead-letter"

    def settled(count: int) -> None:
        wait_for(lambda: raw_redis.llen(f"{prefix}tasks") == 0 and raw_redis.hlen(f"{prefix}unacked") == 0
                 and raw_redis.xlen(dead) >= count, 60, f"the queue to drain and {count} dead letters")  # fmt: skip

    first = run_cli(["submit", str(EXAMPLES)], env)
    assert first.returncode == 0, first.stderr
    settled(2)
    once = stream_ids(raw_redis, results)
    assert len(once) == 23 and set(once.values()) == {1}  # 24 lines, one without an id (dead letter only)
    assert "ex-bad-2" in once

    again = run_cli(["submit", str(EXAMPLES)], env)
    assert again.returncode == 0, again.stderr
    settled(3)
    out = tmp_path / "out.jsonl"
    queued = run_cli(["batch", str(EXAMPLES), "--out", str(out), "--via-queue"], env)
    assert queued.returncode == 0, queued.stderr
    piped = run_cli(["submit", "-"], env, stdin=EXAMPLES.read_text(encoding="utf-8"))
    assert piped.returncode == 0, piped.stderr
    settled(5)

    assert stream_ids(raw_redis, results) == once  # nothing published twice, the rejected posting included
    # The dead-letter stream records each delivery of the line that is not JSON (it has no id to dedupe on).
    letters = stream_ids(raw_redis, dead)
    assert letters["ex-bad-2"] == 1 and letters[""] >= 3
