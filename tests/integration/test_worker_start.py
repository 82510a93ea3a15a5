"""A worker that cannot start says why in one line and exits non-zero, so a supervisor sees the failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli


@pytest.mark.parametrize("seeds", ["missing", "empty"])
def test_a_worker_without_usable_seeds_exits_2_with_one_line_and_no_traceback(env, tmp_path: Path, seeds: str):
    folder = tmp_path / "seeds"
    if seeds == "empty":
        folder.mkdir()
    done = run_cli(["worker", "-n", "nostart@%h"], {**env, "JOBMATCH_SEEDS": str(folder)})
    assert done.returncode == 2, done.stderr[-3000:]
    expected = "seed folder does not exist" if seeds == "missing" else "no seed documents"
    assert done.stderr.splitlines() == [
        f"jobmatch worker: error: {folder}: {expected}"
        + ("" if seeds == "missing" else " (expected *.txt or *.md files)")
    ]
    assert "Traceback" not in done.stdout + done.stderr


def test_a_worker_that_celery_stops_at_start_exits_with_celerys_status(env, tmp_path: Path):
    pidfile = tmp_path / "worker.pid"
    pidfile.write_text(f"{os.getpid()}\n")  # a live process holds it: Celery refuses to start a second worker
    done = run_cli(["worker", "-n", "nostart@%h", "--pidfile", str(pidfile)], env)
    assert "Pidfile" in done.stdout + done.stderr
    assert done.returncode != 0


def test_an_unknown_celery_option_is_a_usage_error_not_a_traceback(env):
    done = run_cli(["worker", "--no-such-option"], env)
    assert done.returncode == 2
    assert done.stderr.strip() == "jobmatch worker: error: worker: No such option '--no-such-option'."
