"""Leases: a dead worker instance's deliveries come back in seconds, exactly once, and a live one's never do.

Sweepers racing over one dead instance, a sweeper next to a live instance, a sweeper that has just (re)connected,
and a worker SIGKILLed between taking a message off the queue and recording it, many times."""

from __future__ import annotations

import base64
import json
import random
import threading
import time

import pytest
import redis
from conftest import run_cli, wait_for
from test_faults_workers import FAULTS, FAULTS_ENV, idle, ml_posting, published_once

from worker.service import leases
from worker.service.leases import LeaseKeeper, instances, restore_instance
from worker.service.store.keys import Keys


def fake_delivery(number: int) -> dict:
    """A message as kombu keeps it: what a restore puts back must be this, marked redelivered."""
    body = base64.b64encode(json.dumps([[f"p{number}"], {}, {}]).encode()).decode()
    return {
        "body": body,
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {"task": "jobmatch.classify_many", "id": f"task-{number}"},
        "properties": {"delivery_info": {"exchange": "tasks", "routing_key": "tasks"}, "body_encoding": "base64"},
    }


def hold(client: redis.Redis, keys: Keys, instance: str, count: int, inflight: int, lease_age: float) -> None:
    """Make `instance` hold `count` deliveries and `inflight` messages taken off the queue, its lease this old."""
    now = leases.redis_now(client)
    pipe = client.pipeline()
    pipe.hset(keys.leases, instance, f"{now - lease_age:.3f}")
    for n in range(count):
        tag = f"{instance}-tag-{n}"
        pipe.zadd(keys.unacked_index, {tag: now - lease_age})
        pipe.hset(keys.unacked, tag, json.dumps([fake_delivery(n), "tasks", "tasks"]))
        pipe.hset(keys.unacked_owner, tag, instance)
    for n in range(count, count + inflight):
        pipe.lpush(keys.inflight(instance), json.dumps(fake_delivery(n)))
    pipe.execute()


def queued_ids(client: redis.Redis, keys: Keys) -> list[str]:
    return [json.loads(m)["headers"]["id"] for m in client.lrange(keys.queue, 0, -1)]


def test_sweepers_racing_over_one_dead_instance_restore_each_delivery_exactly_once(redis_url, prefix):
    keys = Keys(prefix)
    client = redis.Redis.from_url(redis_url)
    hold(client, keys, "dead:1:1", count=300, inflight=20, lease_age=60)
    restored: list[int] = []
    barrier = threading.Barrier(8)

    tags = [f"dead:1:1-tag-{n}" for n in range(300)]

    def sweep(number: int) -> None:
        own = redis.Redis.from_url(redis_url)
        barrier.wait()
        if number % 2:  # half go tag by tag in an order of their own, so that they really collide
            order = random.Random(number).sample(tags, len(tags))
            restored.append(sum(leases.restore_tag(own, keys, tag) for tag in order))
        else:
            restored.append(restore_instance(own, keys, "dead:1:1"))
        own.close()

    threads = [threading.Thread(target=sweep, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = queued_ids(client, keys)
    assert sum(restored) == 320 == len(ids) == len(set(ids))
    assert sorted(ids) == sorted(f"task-{n}" for n in range(320))
    assert client.hlen(keys.unacked) == client.zcard(keys.unacked_index) == client.hlen(keys.unacked_owner) == 0
    assert client.llen(keys.inflight("dead:1:1")) == 0
    messages = [json.loads(m) for m in client.lrange(keys.queue, 0, -1)]
    delivered = [m for m in messages if int(m["headers"]["id"].split("-")[1]) < 300]
    assert all(m["headers"]["redelivered"] and m["properties"]["delivery_info"]["redelivered"] for m in delivered)
    print(f"\nFIGURES two restorers: 8 sweepers, 320 messages of a dead instance; restored {sorted(restored)}, "
          f"each once")  # fmt: skip


def test_a_sweeper_restores_dead_instances_only_and_not_before_its_own_lease_held_a_whole_lease(redis_url, prefix):
    keys = Keys(prefix)
    client = redis.Redis.from_url(redis_url)
    hold(client, keys, "live:1:1", count=3, inflight=0, lease_age=0.5)
    hold(client, keys, "dead:2:2", count=2, inflight=1, lease_age=3.5)
    # Owned, no lease at all (its lease removed by an earlier sweep): dead too.
    client.hset(keys.unacked, "orphan-tag", json.dumps([fake_delivery(900), "tasks", "tasks"]))
    client.hset(keys.unacked_owner, "orphan-tag", "gone:3:3")
    keeper = LeaseKeeper(client, keys, "me:4:4", lease_seconds=3.0, renew_seconds=0.2)
    assert keeper.step() == 0  # just (re)connected: others get a whole lease to renew first
    assert client.hlen(keys.unacked) == 6

    states = {s.instance: s for s in instances(client, keys, lease_seconds=3.0)}
    assert states["live:1:1"].holds == 3 and states["live:1:1"].restore_in is None
    assert states["dead:2:2"].holds == 2 and states["dead:2:2"].inflight == 1
    assert states["dead:2:2"].restore_in == 0.0 and states["gone:3:3"].lease_age is None

    time.sleep(3.1)
    client.hset(keys.leases, "live:1:1", f"{leases.redis_now(client):.3f}")  # the live one renews
    assert keeper.step() == 4  # 2 held + 1 in flight of the dead one, and the orphan
    assert sorted(queued_ids(client, keys)) == ["task-0", "task-1", "task-2", "task-900"]
    assert {t.decode() for t in client.hkeys(keys.unacked_owner)} == {f"live:1:1-tag-{n}" for n in range(3)}
    assert client.hget(keys.leases, "dead:2:2") is None  # forgotten once emptied
    assert keeper.step() == 0


def test_a_worker_killed_between_taking_a_message_and_recording_it_loses_nothing_every_time(
    start_worker, client, raw_redis, prefix, settings
):
    """Worker i takes kill-i off the queue and dies before recording it (it was in its in-flight list, nowhere
    else); worker i+1 restores it, publishes it, then takes kill-(i+1) and dies the same way."""
    rounds = 6
    fast = {**FAULTS_ENV, "FAULTS_LEASE_SECONDS": "3"}
    keys = Keys(prefix)
    records = [ml_posting(f"kill-{n}") for n in range(rounds)]
    recoveries: list[float] = []
    killed_at = None
    for n, record in enumerate(records):
        worker = start_worker(f"k{n}", command=[*FAULTS, "--loglevel", "INFO"],
                              extra_env={**fast, "FAULTS_KILL_BEFORE_RECORD": record["id"]})  # fmt: skip
        if n:
            wait_for(lambda n=n: client.store.get_result(f"kill-{n - 1}"), 30, f"kill-{n - 1} restored and published")
            recoveries.append(time.monotonic() - killed_at)
        client.submit([json.dumps(record)])
        wait_for(lambda w=worker: w.process.poll() is not None, 30, f"worker k{n} to kill itself")
        killed_at = time.monotonic()
        worker.kill()  # its pool processes too
        assert "FAULT KILL BEFORE RECORD" in worker.log()
        held = {k.decode(): raw_redis.llen(k) for k in raw_redis.scan_iter(f"{prefix}inflight:*")}
        assert sum(held.values()) == 1, held  # taken off the queue, recorded nowhere but the in-flight list
        assert raw_redis.hlen(keys.unacked) == 0 and raw_redis.llen(keys.queue) == 0
    start_worker("last", command=[*FAULTS, "--loglevel", "INFO"], extra_env=fast)
    wait_for(lambda: client.store.get_result(records[-1]["id"]), 30, "the last one restored and published")
    recoveries.append(time.monotonic() - killed_at)
    wait_for(lambda: idle(raw_redis, prefix), 30, "the queue to drain")
    for record in records:
        published_once(raw_redis, prefix, client.store.get_result(record["id"]))
    assert not [k for k in raw_redis.scan_iter(f"{prefix}inflight:*") if raw_redis.llen(k)]
    assert raw_redis.hlen(keys.unacked_owner) == 0
    print(f"\nFIGURES killed between BLMOVE and recording, {rounds} times (lease 3 s): {rounds} postings, "
          f"{rounds} results, lost 0, duplicated 0; kill to result (a new worker started each time) "
          f"{', '.join(f'{r:.1f}' for r in recoveries)} s")  # fmt: skip


@pytest.mark.timeout(180)
def test_a_task_slower_than_the_lease_and_the_visibility_timeout_runs_once(
    start_worker, client, raw_redis, prefix, settings
):
    from test_faults_workers import expected

    short = {**FAULTS_ENV, "JOBMATCH_VISIBILITY_TIMEOUT": "2", "FAULTS_LEASE_SECONDS": "3"}
    one = start_worker("one", command=[*FAULTS, "--loglevel", "INFO"], extra_env=short)
    two = start_worker("two", command=[*FAULTS, "--loglevel", "INFO"], extra_env=short)
    record = ml_posting("slow-1", fault={"sleep": 12})
    client.submit([json.dumps(record)])

    def runs() -> int:
        return one.log().count("FAULT SLEEP id=slow-1") + two.log().count("FAULT SLEEP id=slow-1")

    wait_for(lambda: runs() == 1, 30, "the task to start")
    result = wait_for(lambda: client.store.get_result("slow-1"), 60, "its result")
    wait_for(lambda: idle(raw_redis, prefix), 30, "the task to be acknowledged")
    time.sleep(3)  # a second run, had there been one, would have started by now
    assert runs() == 1
    assert result == expected(settings, record)
    published_once(raw_redis, prefix, result)
    assert raw_redis.hlen(f"{prefix}unacked_owner") == 0 and raw_redis.xlen(f"{prefix}dead-letter") == 0
    print("\nFIGURES task slower than the lease and the visibility timeout (12 s vs 3 s and 2 s), two workers: "
          "1 posting, run once, 1 result, lost 0, duplicated 0")  # fmt: skip


def test_status_shows_each_instance_what_it_holds_and_when_a_dead_ones_deliveries_are_restored(
    start_worker, client, env, raw_redis, prefix
):
    worker = start_worker("held", command=[*FAULTS, "--loglevel", "INFO"], extra_env=FAULTS_ENV)
    client.submit([json.dumps(ml_posting("held-1", fault={"sleep": 60}))])
    wait_for(lambda: "FAULT SLEEP id=held-1" in worker.log(), 30, "the task to start")
    status = json.loads(run_cli(["status", "--json"], env).stdout)
    (mine,) = status["instances"]
    assert mine["node"] == worker.hostname and mine["holds"] == 1 and mine["inflight"] == 0
    assert mine["lease_age"] < 3 and mine["restore_in"] is None

    worker.kill()
    time.sleep(5)
    done = run_cli(["status"], env)
    assert done.returncode == 0, done.stderr  # its heartbeat (20 s) outlives its lease (10 s)
    (line,) = [line for line in done.stdout.splitlines() if "instance " in line]
    assert f"({worker.hostname}): lease renewed" in line and "holds 1 deliveries, 0 in flight" in line, line
    restore_in = float(line.rsplit("restored by a live worker in ", 1)[1].split()[0])
    assert 0 < restore_in <= 6, line
    assert "1 delivered and not yet acknowledged" in done.stdout


@pytest.mark.timeout(180)
def test_a_whole_worker_killed_holding_a_submit_task_an_intake_entry_and_a_poll_each_recovered_within_30_s(
    start_worker, client, raw_redis, prefix, tmp_path
):
    """The default lease (10 s), claim idle time (10 s) and poll lock (15 s): what a dead worker held through every
    way in runs again within 30 s of the kill, once."""
    from worker.service.names import POLL_SOURCE
    from worker.service.store.keys import INTAKE_GROUP

    doomed = start_worker("doomed", command=[*FAULTS, "--loglevel", "INFO"],
                          extra_env={**FAULTS_ENV, "FAULTS_POLL_SLEEP": "60"})  # fmt: skip
    feed = tmp_path / "slow.jsonl"
    feed.write_text(json.dumps(ml_posting("polled-1")) + "\n")
    client.app.send_task(POLL_SOURCE, args=["slow"], kwargs={"table": {"name": "slow", "kind": "files",
                                                                        "path": str(feed)}})  # fmt: skip
    client.submit([json.dumps(ml_posting("submitted-1", fault={"sleep": 60}))])
    wait_for(lambda: doomed.log().count("FAULT SLEEP") == 2, 30, "the poll and the submit task to be running")
    # An intake entry the doomed worker's reader took and never dispatched (it is killed before it could).
    intake = f"{prefix}intake"
    raw_redis.xadd(intake, {"posting": json.dumps(ml_posting("intake-1"))})
    raw_redis.xreadgroup(INTAKE_GROUP, doomed.hostname, {intake: ">"}, count=10)
    assert raw_redis.get(f"{prefix}source:slow:lock") is not None

    doomed.kill()
    killed = time.monotonic()
    # The rescuer must not run the postings' 60 s sleeps again: it runs the plain app.
    start_worker("rescuer")
    recovered: dict[str, float] = {}
    for posting_id in ("submitted-1", "intake-1", "slow:polled-1"):
        wait_for(lambda p=posting_id: client.store.get_result(p), 40, f"{posting_id}'s result")
        recovered[posting_id] = time.monotonic() - killed
    wait_for(lambda: idle(raw_redis, prefix), 30, "the queue to drain")
    for posting_id in recovered:
        published_once(raw_redis, prefix, client.store.get_result(posting_id))
    assert max(recovered.values()) < 30, recovered
    assert raw_redis.xpending(intake, INTAKE_GROUP)["pending"] == 0
    print(
        "\nFIGURES whole worker killed holding a submit task, an intake entry and a poll; kill to result: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in recovered.items())
    )
