"""Redis restarts: workers and a `jobmatch watch` consumer reconnect and carry on, queued work survives with
persistence on (append-only file, noeviction, as docker-compose.yml runs it), and a submission while Redis is
down fails loudly. Each test starts a Redis of its own; the shared one is never touched."""

from __future__ import annotations

import json
import time

import redis
from conftest import run_cli, wait_for

from worker import Client
from worker.settings import load_settings

PASSWORD = "restart-Pw-7f3a"


def posting(posting_id: str) -> dict:
    return {
        "id": posting_id,
        "title": "Senior Machine Learning Engineer",
        "description": f"Train and ship ranking models with PyTorch ({posting_id}).",
    }


def test_workers_and_watch_reconnect_after_a_redis_restart_and_queued_work_survives_it(
    start_redis, start_worker, start_cli, env, tmp_path
):
    server = start_redis("aof", appendonly=True, password=PASSWORD)
    own = {**env, "JOBMATCH_REDIS_URL": server.url}
    settings = load_settings(environ=own)
    client = Client(settings)
    raw = redis.Redis.from_url(server.url)
    results, intake = f"{settings.key_prefix}results", f"{settings.key_prefix}intake"
    worker = start_worker("w1", extra_env={"JOBMATCH_REDIS_URL": server.url})
    watch = start_cli(["watch", "--group", "g", "--consumer", "c1"], own, "watch")

    def watched() -> list[str]:
        return [json.loads(line)["id"] for line in watch.lines()]

    client.submit([json.dumps(posting("before"))])
    wait_for(lambda: watched() == ["before"], 30, "watch to print the first result")
    wait_for(lambda: raw.xpending(results, "g")["pending"] == 0, 10, "watch to acknowledge it")

    # Redis dies (SIGKILL: no shutdown save, only the append-only file) ...
    server.stop(kill=True)
    one = tmp_path / "one.json"
    one.write_text(json.dumps(posting("while-down")))
    down = run_cli(["submit", str(one)], own)
    assert down.returncode == 2
    assert f"cannot reach Redis at redis://:***@127.0.0.1:{server.port}/0" in down.stderr
    assert PASSWORD not in down.stdout + down.stderr and down.stdout == ""
    # The worker and watch notice (so they really reconnect, rather than never having lost anything) ...
    wait_for(lambda: "Connection to broker lost" in worker.log(), 30, "the worker to lose its broker connection")
    wait_for(lambda: "Redis unavailable" in watch.err(), 30, "watch to lose its connection")
    wait_for(lambda: "Redis unavailable" in worker.log(), 30, "the intake reader or heartbeat to lose theirs")
    # ... and Redis comes back on the same port.
    server.start()
    restarted = time.monotonic()
    client.submit([json.dumps(posting("after"))])  # the client's connection pool reconnects
    raw.xadd(intake, {"posting": json.dumps(posting("after-intake"))})
    wait_for(lambda: client.get_result("after") and client.get_result("after-intake"), 30, "the worker to carry on")
    wait_for(lambda: sorted(watched()) == ["after", "after-intake", "before"], 30, "watch to carry on")
    reconnected = time.monotonic() - restarted
    assert worker.process is not None and worker.process.poll() is None  # the same worker, reconnected
    assert client.get_result("while-down") is None  # refused loudly, never half-sent

    # Queued work survives a restart: with no worker running, tasks and intake entries wait in Redis.
    assert worker.stop() == 0
    queued = [posting(f"queued-{n}") for n in range(120)]
    assert all(client.submit([json.dumps(p) for p in queued]))  # three tasks of 50, 50 and 20
    for n in range(5):
        raw.xadd(intake, {"posting": json.dumps(posting(f"intake-{n}"))})
    assert raw.llen(f"{settings.key_prefix}tasks") == 3 and raw.xlen(intake) == 5
    server.stop(kill=True)
    server.start()
    start_worker("w2", extra_env={"JOBMATCH_REDIS_URL": server.url})
    expected = {p["id"] for p in queued} | {f"intake-{n}" for n in range(5)}
    wait_for(lambda: all(client.store.get_results(sorted(expected))), 60, "every queued posting's result")
    everything = expected | {"before", "after", "after-intake"}
    wait_for(lambda: len(watched()) >= len(everything), 30, "watch to print every result")
    assert sorted(watched()) == sorted(everything)  # each exactly once
    stream_ids = [fields[b"id"].decode() for _, fields in raw.xrange(results)]
    assert sorted(stream_ids) == sorted(everything)
    print(
        f"\nFIGURES Redis restart: worker and watch carried on {reconnected:.1f} s after Redis came back; "
        f"{len(expected)} postings queued across a restart, {len(expected)} results, lost 0, duplicated 0"
    )
    raw.close()
