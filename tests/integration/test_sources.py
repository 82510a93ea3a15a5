"""Sources polled by a real worker against a local HTTP server: Greenhouse, Lever and RSS shapes, failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli, wait_for
from scripted_http import RSS, Reply, ScriptedServer, Seen

from worker.service.names import POLL_SOURCE

GREENHOUSE = {
    "jobs": [
        {
            "id": 123,
            "title": "Senior Machine Learning Platform Engineer",
            "absolute_url": "https://boards.greenhouse.io/acme/jobs/123",
            "location": {"name": "New York, NY"},
            "updated_at": "2024-03-05T10:00:00-05:00",
            "content": "&lt;p&gt;Build our ML platform: Kubeflow pipelines, feature store.&lt;/p&gt;",
            "pay_input_ranges": [
                {"min_cents": 17500000, "max_cents": 21000000, "currency_type": "USD", "title": "NYC"}
            ],
        },
        {"id": 124, "title": "Registered Nurse", "content": "&lt;p&gt;Patient care.&lt;/p&gt;"},
        {"id": 125, "content": "no title: this record cannot be mapped"},
    ]
}
LEVER = [
    {
        "id": "lv-1",
        "text": "Machine Learning Engineer",
        "descriptionPlain": "Train and evaluate ranking models with PyTorch.",
        "hostedUrl": "https://jobs.lever.co/acme/lv-1",
        "createdAt": 1709632800000,
        "categories": {"location": "Remote"},
    }
]


@pytest.fixture
def feeds() -> Iterator[ScriptedServer]:
    server = ScriptedServer()

    def greenhouse(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"gh-v1"':
            return Reply(304, headers={"ETag": '"gh-v1"'})
        return Reply(200, json.dumps(GREENHOUSE).encode(), {"ETag": '"gh-v1"', "Content-Type": "application/json"})

    def lever(seen: Seen) -> Reply:
        body = LEVER if seen.query.get("skip", ["0"]) == ["0"] else []
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    server.routes["/v1/boards/acme/jobs"] = greenhouse
    server.routes["/v0/postings/acme"] = lever
    server.routes["/rss.xml"] = lambda seen: Reply(200, RSS, {"Content-Type": "application/rss+xml"})
    server.routes["/v1/boards/down/jobs"] = lambda seen: Reply(500, b"oops")
    server.routes["/v1/boards/slow/jobs"] = lambda seen: Reply(200, b'{"jobs": []}', delay=1.5)
    server.routes["/v1/boards/garbled/jobs"] = lambda seen: Reply(
        200, b'{"jobs": [{"id": 1,', {"Content-Type": "application/json"}
    )
    with server:
        yield server


def config(feeds: ScriptedServer, path: Path) -> Path:
    base = feeds.base
    path.write_text(
        f"""
[[sources]]
name = "acme"
kind = "greenhouse"
board = "acme"
base_url = "{base}/v1/boards"

[[sources]]
name = "acme-lever"
kind = "lever"
site = "acme"
base_url = "{base}"

[[sources]]
name = "acme-rss"
kind = "feed"
url = "{base}/rss.xml"

[[sources]]
name = "down"
kind = "greenhouse"
board = "down"
base_url = "{base}/v1/boards"

[[sources]]
name = "slow"
kind = "greenhouse"
board = "slow"
base_url = "{base}/v1/boards"
timeout = "0.3s"

[[sources]]
name = "garbled"
kind = "greenhouse"
board = "garbled"
base_url = "{base}/v1/boards"
enabled = false
""",
        encoding="utf-8",
    )
    return path


NAMES = ["acme", "acme-lever", "acme-rss", "down", "slow", "garbled"]


def test_polling_sources_publishes_their_postings_records_failures_and_skips_what_is_unchanged(
    feeds, start_worker, env, prefix, raw_redis, tmp_path: Path
):
    env["JOBMATCH_CONFIG"] = str(config(feeds, tmp_path / "jobmatch.toml"))
    start_worker(extra_env={"JOBMATCH_CONFIG": env["JOBMATCH_CONFIG"]})
    from worker import Client
    from worker.settings import load_settings

    client = Client(load_settings(environ=env))

    def poll_all(names: list[str]) -> dict[str, dict[str, str]]:
        before = {name: raw_redis.hget(f"{prefix}source:{name}", "last_polled") for name in names}
        for name in names:
            client.app.send_task(POLL_SOURCE, args=[name])

        def polled():
            return all(raw_redis.hget(f"{prefix}source:{n}", "last_polled") not in (None, before[n]) for n in names)

        wait_for(polled, 45, "every source to be polled", interval=0.2)
        listed = run_cli(["sources", "--json"], env)
        assert listed.returncode == 0, listed.stderr
        return {row["name"]: row for row in json.loads(listed.stdout)}

    first = poll_all(NAMES)
    # Good feeds: their postings are classified and published under `{source}:{own id}`.
    assert client.get_result("acme:123")["role"] == "machine-learning-platform-engineer"
    assert client.get_result("acme:123")["source"] == "acme"
    assert client.get_result("acme:124")["status"] == "no_match"
    assert client.get_result("acme-lever:lv-1")["status"] in ("matched", "no_match")
    assert client.get_result("acme-rss:job-1") is not None
    assert first["acme"]["last_error"] is None and first["acme"]["classified"] == 2
    # A record the source could not map is kept in the dead-letter stream with its reason.
    (letter,) = client.dead_letters()
    assert letter["origin"] == "source:acme" and "jobs[2] (id 125): title" in letter["error"]
    # Failures are recorded per source, and do not stop the others.
    assert "HTTP 500" in first["down"]["last_error"] and "gave up after 4 attempts" in first["down"]["last_error"]
    assert "timed out" in first["slow"]["last_error"]
    assert "not valid JSON" in first["garbled"]["last_error"] or "JSON" in first["garbled"]["last_error"]
    assert first["garbled"]["enabled"] is False  # disabled: beat leaves it alone, a manual poll still runs
    published = raw_redis.xlen(f"{prefix}results")
    assert published == 4

    # Polling again: Greenhouse answers 304 (ETag), the others are fetched but nothing changed: nothing new.
    second = poll_all(["acme", "acme-lever", "acme-rss"])
    assert raw_redis.xlen(f"{prefix}results") == published
    assert second["acme"]["classified"] == 0 and second["acme-lever"]["classified"] == 0
    assert feeds.hits("/v1/boards/acme/jobs")[-1].headers["if-none-match"] == '"gh-v1"'
    state = raw_redis.hgetall(f"{prefix}source:acme-lever")
    assert state[b"unchanged"] == b"1" and state[b"classified"] == b"0"
    assert len(client.dead_letters()) == 1  # the unmappable record is not dead-lettered twice


def test_beat_schedule_has_one_poll_per_enabled_source(env, tmp_path: Path):
    from worker.service.app import celery_config
    from worker.settings import load_settings

    server = ScriptedServer()  # not started: building the schedule does no I/O
    env["JOBMATCH_CONFIG"] = str(config(server, tmp_path / "jobmatch.toml"))
    schedule = celery_config(load_settings(environ=env))["beat_schedule"]
    server.stop()
    assert sorted(schedule) == [f"poll-{n}" for n in sorted(NAMES) if n != "garbled"]
    assert schedule["poll-acme"]["task"] == POLL_SOURCE and schedule["poll-acme"]["args"] == ("acme",)
    # The task carries the source's table: a worker without the config file polls what beat scheduled.
    assert schedule["poll-slow"]["kwargs"] == {
        "table": {"name": "slow", "kind": "greenhouse", "board": "slow", "base_url": f"{server.base}/v1/boards",
                  "timeout": "0.3s"}
    }  # fmt: skip
    assert schedule["poll-acme"]["schedule"] == 900.0


def test_remoteoks_legal_notice_is_counted_never_dead_lettered(feeds, start_worker, env, prefix, raw_redis, tmp_path):
    # A saved real RemoteOK response (tests/unit/sources/fixtures/README.md): element 0 is a legal notice.
    body = (Path(__file__).parents[1] / "unit" / "sources" / "fixtures" / "remoteok_api.json").read_bytes()
    feeds.routes["/api"] = lambda seen: Reply(200, body, {"Content-Type": "application/json"})
    path = tmp_path / "jobmatch.toml"
    path.write_text(
        f"""
[[sources]]
name = "remoteok"
kind = "jsonfeed"
url = "{feeds.base}/api"
fields = {{ title = "position", posted_at = "date" }}
""",
        encoding="utf-8",
    )
    env["JOBMATCH_CONFIG"] = str(path)
    start_worker(extra_env={"JOBMATCH_CONFIG": env["JOBMATCH_CONFIG"]})
    from worker import Client
    from worker.settings import load_settings

    client = Client(load_settings(environ=env))
    state_key = f"{prefix}source:remoteok"
    for poll in (1, 2):
        raw_redis.hdel(state_key, "last_polled")  # a timestamp to the second: two polls may share it
        client.app.send_task(POLL_SOURCE, args=["remoteok"])
        wait_for(lambda: raw_redis.hget(state_key, "last_polled") is not None, 45, f"poll {poll}")
        state = raw_redis.hgetall(state_key)
        assert state[b"not_postings"] == b"1" and state[b"record_errors"] == b"0", state
        assert state[b"last_error"] == b"" and state[b"fetched"] == b"2"
        assert state[b"classified"] == (b"2" if poll == 1 else b"0")
        assert client.dead_letters() == []
    assert raw_redis.exists(f"{prefix}result:remoteok:1137431", f"{prefix}result:remoteok:1137429") == 2
