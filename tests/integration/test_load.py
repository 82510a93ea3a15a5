"""Load, at CI size: 5,000 postings from 4 concurrent producers while 2 consumer groups read the results.

The same `run_load` as bench/load.py (which runs 100,000), against a real worker (prefork, concurrency 2). Every
posting, rejections included, is read exactly once by each group, and what Redis keeps stays within the retention
settings: the results stream near `results_maxlen` (set below the number of postings, so it is really trimmed while
the groups read), one result per posting, each expiring after `result_ttl`, rankings at most `ranking_size`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import redis
from conftest import ROOT, WorkerProcess

from worker.settings import load_settings

pytestmark = pytest.mark.timeout(300)

POSTINGS = 5_000
MAXLEN = 2_500
TTL_SECONDS = 3_600
RANKING_SIZE = 200
STREAM_NODE = 100  # MAXLEN ~ trims whole stream nodes (stream-node-max-entries, 100 by default): that much slack


def bench_load() -> ModuleType:
    """bench/load.py as a module (bench/ is scripts, not a package)."""
    if "bench_load" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_load"] = module  # before running it: its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["bench_load"]


def test_every_posting_reaches_each_consumer_group_exactly_once_and_redis_stays_within_retention(
    start_worker: Callable[..., WorkerProcess], env: dict[str, str], prefix: str, raw_redis: redis.Redis
):
    load = bench_load()
    retention = {
        "JOBMATCH_RESULTS_MAXLEN": str(MAXLEN),
        "JOBMATCH_RESULT_TTL": str(TTL_SECONDS),
        "JOBMATCH_RANKING_SIZE": str(RANKING_SIZE),
    }
    env.update(retention)
    start_worker(extra_env=retention)
    settings = load_settings(environ=env)
    # The project's own examples, never ../shared: tests run the same in a clone that has only the repository.
    postings = load.feed(ROOT / "examples" / "postings.jsonl", POSTINGS, id_prefix="ci", invalid_every=50)

    untitled = sum(1 for posting in postings if "title" not in json.loads(posting))
    assert untitled >= POSTINGS // 50
    report = load.run_load(settings, postings, producers=4, groups=2, timeout=240)
    print(report.render())

    assert report.submitted == POSTINGS and len(report.expected_ids) == POSTINGS
    assert len(report.groups) == 2
    for group in report.groups:
        assert report.lost(group) == 0, f"{group.name} never saw {sorted(report.expected_ids - set(group.seen))[:5]}"
        assert report.duplicated(group) == 0, f"{group.name} saw {group.seen.most_common(3)}"
        assert report.unexpected(group) == 0
        assert sum(group.seen.values()) == POSTINGS
        assert group.statuses["rejected"] == untitled  # the postings without a title, read like the others
    # Retention: the stream was trimmed near results_maxlen; one result per posting, each with its TTL.
    assert MAXLEN <= raw_redis.xlen(f"{prefix}results") <= MAXLEN + STREAM_NODE
    assert report.memory["result_keys"] == POSTINGS
    assert 0 < report.memory["ttl_min"] <= report.memory["ttl_max"] <= TTL_SECONDS
    rankings = list(raw_redis.scan_iter(match=f"{prefix}ranking:*"))
    assert rankings and all(raw_redis.zcard(key) <= RANKING_SIZE for key in rankings)
    assert all(0 < raw_redis.ttl(key) <= TTL_SECONDS for key in rankings)
    assert raw_redis.xlen(f"{prefix}dead-letter") == untitled
    assert report.memory["used_memory"] - report.memory["baseline"] <= report.memory["allowed"] * 1.5


def test_the_load_check_notices_a_lost_and_a_duplicated_result():
    """The accounting itself: a group that missed one posting and saw another twice is reported as such."""
    load = bench_load()
    group = load.GroupTally("g")
    group.seen.update(["a", "b", "b"])
    report = load.LoadReport(3, {"a", "b", "c"}, [group], 1.0, 1.0, {})
    assert (report.lost(group), report.duplicated(group), report.unexpected(group)) == (1, 1, 0)


def test_the_feed_has_fresh_ids_and_its_invalid_postings_keep_theirs(tmp_path: Path):
    load = bench_load()
    source = tmp_path / "p.jsonl"
    source.write_text('{"id": "x", "title": "ML Engineer", "description": "PyTorch"}\n', encoding="utf-8")
    postings = load.feed(source, 100, id_prefix="f", invalid_every=50)
    records = [json.loads(p) for p in postings]
    assert [r["id"] for r in records] == [f"f-{n}" for n in range(100)]
    assert [r["id"] for r in records if "title" not in r] == ["f-49", "f-99"]
