"""Consumers that crash: a `jobmatch watch` killed before acknowledging gets its entries again when it comes
back, another member of its group takes over what a dead one left once it is idle long enough (XAUTOCLAIM);
the same for the workers' intake-stream reader. Nothing acknowledged is lost."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

import redis
from conftest import ROOT, run_cli, wait_for

from worker.runtime import load_classifier
from worker.service.client import CLAIM_IDLE_MS
from worker.service.intake import CLAIM_EVERY_SECONDS
from worker.service.store.keys import INTAKE_GROUP
from worker.service.store.results import Outcome

COUNT = 250  # more than one read (100 entries) of the stream


def posting(posting_id: str) -> dict:
    return {
        "id": posting_id,
        "title": "ML Platform Engineer",
        "description": f"Kubeflow, feature store ({posting_id}).",
    }


def publish(settings, client, count: int) -> list[str]:
    """Publish `count` results straight to the results stream; returns their ids in stream order."""
    records = [posting(f"r-{n:03d}") for n in range(count)]
    results = load_classifier(settings).classify_records([(None, r) for r in records])
    client.store.publish(Outcome(r, json.dumps(p), "test") for r, p in zip(results, records, strict=True))
    return [r["id"] for r in records]


def watch_until_blocked(env: dict[str, str], raw_redis, consumer: str) -> list[str]:
    """Run `jobmatch watch` as `consumer` into a pipe nobody reads, so it blocks mid-way through what it read;
    SIGKILL it there (before it acknowledged anything) and return the ids it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "watch", "--group", "g", "--consumer", consumer],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    stream = f"{env['JOBMATCH_KEY_PREFIX']}results"

    def read_100() -> bool:
        try:
            return bool(raw_redis.xpending(stream, "g")["pending"] >= 100)
        except redis.ResponseError:  # the group is not created yet
            return False

    try:
        wait_for(read_100, 30, f"{consumer} to read 100 entries")
    finally:
        process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=10)
    printed = out.decode().splitlines()
    return [json.loads(line)["id"] for line in printed if line.endswith("}")]


def pending_ids(raw_redis, stream: str, group: str, consumer: str) -> list[str]:
    entries = raw_redis.xpending_range(stream, group, "-", "+", 1000, consumername=consumer)
    ids = [entry["message_id"] for entry in entries]
    return [fields[b"id"].decode() for entry_id in ids for _, fields in raw_redis.xrange(stream, entry_id, entry_id)]


def watch_ids(env: dict[str, str], consumer: str) -> list[str]:
    done = run_cli(["watch", "--group", "g", "--consumer", consumer, "--idle-exit", "1"], env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["id"] for line in done.stdout.splitlines()]


def test_a_watch_killed_before_acknowledging_gets_its_entries_again_on_restart(
    client, settings, env, raw_redis, prefix
):
    ids = publish(settings, client, COUNT)
    printed = watch_until_blocked(env, raw_redis, "c1")
    stream = f"{prefix}results"
    pending = pending_ids(raw_redis, stream, "g", "c1")
    assert pending == ids[:100]  # read, some printed, none acknowledged
    assert 0 < len(printed) < 100 and printed == ids[: len(printed)]

    again = watch_ids(env, "c1")  # the same consumer comes back
    assert again == ids  # its pending entries first, then the rest: nothing lost
    assert raw_redis.xpending(stream, "g")["pending"] == 0


def test_results_a_dead_watch_left_pending_are_claimed_by_another_once_idle_long_enough(
    client, settings, env, raw_redis, prefix
):
    ids = publish(settings, client, COUNT)
    watch_until_blocked(env, raw_redis, "dead")
    stream = f"{prefix}results"
    assert pending_ids(raw_redis, stream, "g", "dead") == ids[:100]

    # Not idle long enough yet: another consumer reads the rest, not the dead one's entries.
    assert watch_ids(env, "alive") == ids[100:]
    assert len(pending_ids(raw_redis, stream, "g", "dead")) == 100
    # Age the dead consumer's entries past the claim threshold (XCLAIM ... IDLE sets how long ago they were
    # delivered: what waiting CLAIM_IDLE_MS would do).
    entries = [e["message_id"] for e in raw_redis.xpending_range(stream, "g", "-", "+", 1000, consumername="dead")]
    raw_redis.xclaim(stream, "g", "dead", 0, entries, idle=CLAIM_IDLE_MS + 1000, justid=True)
    assert watch_ids(env, "alive") == ids[:100]  # taken over
    assert raw_redis.xpending(stream, "g")["pending"] == 0


def test_watch_claim_idle_sets_how_long_results_a_dead_watch_left_pending_wait(
    client, settings, env, raw_redis, prefix
):
    ids = publish(settings, client, COUNT)
    watch_until_blocked(env, raw_redis, "dead")
    stream = f"{prefix}results"

    def idle_ms() -> int:
        entries = raw_redis.xpending_range(stream, "g", "-", "+", 1000, consumername="dead")
        return min(e["time_since_delivered"] for e in entries)

    wait_for(lambda: idle_ms() >= 2000, 10, "the dead watch's entries to be idle for 2 s")
    args = ["watch", "--group", "g", "--consumer", "alive", "--idle-exit", "1", "--claim-idle", "2s"]
    done = run_cli(args, env)
    assert done.returncode == 0, done.stderr
    got = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert sorted(got) == sorted(ids) and len(got) == len(ids)  # the dead one's 100 taken over, the rest read
    assert raw_redis.xpending(stream, "g")["pending"] == 0


def test_the_intake_reader_dispatches_its_own_pending_entries_and_claims_a_dead_workers_idle_ones(
    start_worker, client, raw_redis, prefix
):
    intake = f"{prefix}intake"
    host = socket.gethostname()
    raw_redis.xgroup_create(intake, INTAKE_GROUP, id="0", mkstream=True)

    def read_as(consumer: str, names: list[str]) -> list[bytes]:
        """XADD postings and read them as `consumer` without acknowledging (it crashed before dispatching); in one
        transaction, so that a running worker's reader cannot take them first."""
        pipe = raw_redis.pipeline(transaction=True)
        for name in names:
            pipe.xadd(intake, {"posting": json.dumps(posting(name))})
        pipe.xreadgroup(INTAKE_GROUP, consumer, {intake: ">"}, count=len(names))
        reply = pipe.execute()[-1]
        return [entry_id for _, entries in reply for entry_id, _ in entries]

    own = [f"own-{n}" for n in range(5)]
    dead = [f"dead-{n}" for n in range(5)]
    recent = [f"recent-{n}" for n in range(5)]
    read_as(f"w1@{host}", own)  # what this worker read before it crashed
    dead_entries = read_as(f"dead@{host}", dead)  # a worker that died a while ago
    raw_redis.xclaim(intake, INTAKE_GROUP, f"dead@{host}", 0, dead_entries, idle=120_000, justid=True)

    start_worker("w1")
    wait_for(lambda: all(client.store.get_results(own + dead)), 30, "the own and the dead worker's postings")
    read_as(f"busy@{host}", recent)  # a live worker that just read these: not to be taken from it
    time.sleep(CLAIM_EVERY_SECONDS + 1)  # a claim pass has looked at them (they are idle for less than 10 s)
    assert client.store.get_results(recent) == [None] * 5
    wait_for(lambda: raw_redis.xpending(intake, INTAKE_GROUP)["pending"] == 5, 10, "acknowledgements")
    assert len(raw_redis.xpending_range(intake, INTAKE_GROUP, "-", "+", 100, consumername=f"busy@{host}")) == 5
    ids = sorted(fields[b"id"].decode() for _, fields in raw_redis.xrange(f"{prefix}results"))
    assert ids == sorted(own + dead)  # each once
