"""Sources scheduled by a real `jobmatch beat` and polled by a real worker that was given no config file, and a
poll that cannot run: it is recorded where `jobmatch sources` shows it, never only in a worker's log."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, wait_for

from worker.service.names import POLL_SOURCE

POSTINGS = [
    {"id": "b-1", "title": "Senior Machine Learning Engineer", "description": "Train ranking models with PyTorch."},
    {"id": "b-2", "title": "Registered Nurse", "description": "Patient care on a med/surg unit."},
]


def files_config(tmp_path: Path, interval: str = "1s") -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(p) + "\n" for p in POSTINGS), encoding="utf-8")
    config = tmp_path / "jobmatch.toml"
    config.write_text(f'[[sources]]\nname = "local"\nkind = "files"\npath = "{feed}"\ninterval = "{interval}"\n')
    return config


def sources(env: dict[str, str], config: Path) -> dict[str, dict]:
    listed = run_cli(["--config", str(config), "sources", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    return {row["name"]: row for row in json.loads(listed.stdout)}


def test_beat_alone_has_the_config_and_the_worker_still_polls_and_classifies(
    start_worker, start_cli, client, env, tmp_path: Path
):
    config = files_config(tmp_path)
    start_worker()  # no JOBMATCH_CONFIG: this worker knows no source
    start_cli(["--config", str(config), "beat"], env, name="beat")

    wait_for(lambda: client.get_result("local:b-1") and client.get_result("local:b-2"), 60, "the source's results")
    assert client.get_result("local:b-1")["source"] == "local"
    row = wait_for(lambda: (r := sources(env, config)["local"])["last_ok"] and r, 30, "`sources` to show the poll")
    assert row["last_polled"] is not None and row["last_error"] is None and row["classified"] == 2


def test_a_poll_of_a_source_the_worker_does_not_know_is_recorded_for_sources(
    worker, client, env, prefix, raw_redis, tmp_path: Path
):
    config = files_config(tmp_path)
    client.app.send_task(POLL_SOURCE, args=["local"])  # as an older beat sends it: the name only
    wait_for(lambda: raw_redis.hget(f"{prefix}source:local", "last_error"), 30, "the failed poll to be recorded")
    row = sources(env, config)["local"]
    assert row["last_polled"] is not None and row["last_ok"] is None
    assert row["last_error"] == (
        "no source named 'local' is configured (this worker has no config file), and the poll task carried no "
        "[[sources]] table: give the worker the config file beat has (--config or JOBMATCH_CONFIG)"
    )
    shown = run_cli(["--config", str(config), "sources"], env)
    assert "last error:  no source named 'local' is configured" in shown.stdout

    # A table the worker cannot use (a kind it does not know) is recorded the same way.
    client.app.send_task(POLL_SOURCE, args=["local"], kwargs={"table": {"name": "local", "kind": "ftp"}})
    wait_for(
        lambda: b"unknown kind 'ftp'" in (raw_redis.hget(f"{prefix}source:local", "last_error") or b""),
        30,
        "the bad table's poll to be recorded",
    )
