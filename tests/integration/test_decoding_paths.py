"""A file that is not UTF-8 reads the same through `submit` and the workers as through `batch` (issue 16, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, wait_for

from worker.service.store.results import stored_result

FEED = (
    '{"id": "lat-1", "title": "Ingénieur ML", "description": "PyTorch training pipelines"}\n'
    '{"id": "café-2", "title": "Registered Nurse", "description": "Patient care"}\n'
    '{"id": "lat-3", "title": "ML Eng\n'
).encode("latin-1")


def test_a_latin_1_feed_gives_the_same_results_through_submit_and_batch(worker, client, env, tmp_path: Path):
    feed = tmp_path / "latin-1.jsonl"
    feed.write_bytes(FEED)
    done = run_cli(["batch", str(feed), "--out", str(tmp_path / "out.jsonl")], env)
    assert done.returncode == 0, done.stderr
    batch = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in batch] == ["lat-1", "caf\ufffd-2", None]
    assert batch[0]["title"] == "Ing\ufffdnieur ML" and batch[0]["warnings"]

    done = run_cli(["submit", str(feed)], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["lat-1", "caf\ufffd-2", "-"]  # the ids the results are stored under
    stored = wait_for(lambda: all(values := client.store.get_results(["lat-1", "caf\ufffd-2"])) and values, 30, "both")
    assert stored == [stored_result(r) for r in batch[:2]]
    letters = wait_for(lambda: client.dead_letters(), 30, "the broken line's dead letter")
    assert letters[0]["error"] == batch[2]["error"]
    assert batch[2]["error"] == "line 3: not valid JSON: Unterminated string starting at column 26"
