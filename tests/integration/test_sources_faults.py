"""Sources that misbehave, polled by a real worker from a local HTTP server: retried, or reported with the last error.

5xx and 429 (with Retry-After) and timeouts are retried and then succeed; a Retry-After longer than a fetch may wait
is honoured across polls; a body cut off mid-stream, truncated or malformed JSON, a schema change and an oversized or
endless body fail the poll with a `last_error` that `jobmatch sources` shows, while what earlier polls published
stays published and the worker keeps classifying; a paged listing failing on a later page keeps the pages before.
A file:// or ftp:// URL is a config error naming source and key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from conftest import WorkerProcess, run_cli, wait_for
from scripted_http import Reply, ScriptedServer

from worker import Client
from worker.service.names import POLL_SOURCE
from worker.settings import load_settings

pytestmark = pytest.mark.timeout(180)


def board(*jobs: dict[str, Any], **headers: str) -> Reply:
    return Reply(200, json.dumps({"jobs": list(jobs)}).encode(), {"Content-Type": "application/json", **headers})


def job(own_id: int, title: str = "Machine Learning Engineer", text: str = "Train PyTorch ranking models.") -> dict:
    return {"id": own_id, "title": title, "content": f"&lt;p&gt;{text}&lt;/p&gt;"}


GOOD_JOBS = [job(1), job(2, "Registered Nurse", "Patient care on a hospital ward.")]
GOOD = board(*GOOD_JOBS)
LEVER_PAGE = Reply(
    200,
    json.dumps(
        [
            {"id": "lv-1", "text": "Machine Learning Engineer", "descriptionPlain": "Train PyTorch ranking models."},
            {"id": "lv-2", "text": "Registered Nurse", "descriptionPlain": "Patient care on a hospital ward."},
        ]
    ).encode(),
)
# Greenhouse sources, each its own board under /b/, with the extra lines of its [[sources]] table.
SOURCES: dict[str, str] = {
    "flaky": "",
    "throttled": "",
    "stalled": 'timeout = "0.5s"',
    "closed": "",
    "cut-off": "",
    "truncated": "",
    "malformed": "",
    "changing": "",
    "huge": 'max_size = "64kb"',
}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


def write_config(server: ScriptedServer, path: Path) -> Path:
    tables = [
        f'[[sources]]\nname = "{name}"\nkind = "greenhouse"\nboard = "{name}"\nbase_url = "{server.base}/b"\n{extra}\n'
        for name, extra in SOURCES.items()
    ]
    tables.append(f'[[sources]]\nname = "endless"\nkind = "jsonfeed"\nurl = "{server.base}/endless.json"\n')
    tables[-1] += 'max_size = "64kb"\n'
    tables.append(f'[[sources]]\nname = "paged"\nkind = "lever"\nsite = "paged"\nbase_url = "{server.base}"\n')
    tables[-1] += "page_size = 2\n"
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


class Poller:
    """Sends `jobmatch.poll_source` tasks to the worker and waits until each source's state shows the poll."""

    def __init__(self, client: Client, raw: redis.Redis, prefix: str, env: dict[str, str]) -> None:
        self.client, self.raw, self.prefix, self.env = client, raw, prefix, env

    def state(self, name: str) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.raw.hgetall(f"{self.prefix}source:{name}").items()}

    def poll(self, *names: str, field: str = "last_polled", timeout: float = 60) -> dict[str, dict[str, Any]]:
        # States are stamped to the second, so a new poll may write the same value: clear the field, wait for it.
        for name in names:
            self.raw.hdel(f"{self.prefix}source:{name}", field)
            self.client.app.send_task(POLL_SOURCE, args=[name])

        def done() -> bool:
            return all(self.state(n).get(field) for n in names)

        wait_for(done, timeout, f"{field} of {', '.join(names)} to change", interval=0.1)
        return self.listed()

    def listed(self) -> dict[str, dict[str, Any]]:
        listed = run_cli(["sources", "--json"], self.env)
        assert listed.returncode == 0, listed.stderr
        return {row["name"]: row for row in json.loads(listed.stdout)}


def test_misbehaving_sources_are_retried_or_reported_and_never_take_the_worker_down(
    server: ScriptedServer,
    start_worker: Callable[..., WorkerProcess],
    env: dict[str, str],
    prefix: str,
    raw_redis: redis.Redis,
    tmp_path: Path,
):
    server.script("/b/flaky/jobs", Reply(503, b"busy"), Reply(502, b"bad gateway"), GOOD)
    server.script("/b/throttled/jobs", Reply(429, b"slow down", {"Retry-After": "2"}), GOOD)
    server.script("/b/stalled/jobs", Reply(200, b'{"jobs": []}', delay=2.0), GOOD)
    server.script("/b/closed/jobs", Reply(429, b"come back in an hour", {"Retry-After": "3600"}))
    server.script("/b/cut-off/jobs", Reply(200, b'{"jobs": [{"id": 1, "title": "ML', declared_length=5000))
    server.script("/b/truncated/jobs", Reply(200, b'{"jobs": [{"id": 1, "title": "ML Engineer", "cont'))
    server.script("/b/malformed/jobs", Reply(200, b'{"jobs": [{"id": 1, "title": "ML Engineer",}]}'))
    server.script("/b/changing/jobs", GOOD)
    server.script("/b/huge/jobs", board(*(job(n, text="x" * 1000) for n in range(200))))  # ~250 KB, declared
    server.script("/endless.json", Reply(200, b'[{"id": 1, "title": "ML Engineer"}, ' * 100, endless=True))
    lever_pages = {"0": LEVER_PAGE, "2": Reply(500, b"page 2 is down")}
    server.routes["/v0/postings/paged"] = lambda seen: lever_pages[seen.query["skip"][0]]
    env["JOBMATCH_CONFIG"] = str(write_config(server, tmp_path / "jobmatch.toml"))
    worker = start_worker(extra_env={"JOBMATCH_CONFIG": env["JOBMATCH_CONFIG"]})
    client = Client(load_settings(environ=env))
    poller = Poller(client, raw_redis, prefix, env)

    rows = poller.poll(*SOURCES, "endless", "paged")

    # Retried, then fine: two 5xx, a 429 with Retry-After, a read that timed out.
    for name in ("flaky", "throttled", "stalled"):
        assert rows[name]["last_error"] is None and rows[name]["classified"] == 2, rows[name]
        assert client.get_result(f"{name}:1")["status"] == "matched"
    assert len(server.hits("/b/flaky/jobs")) == 3
    first, second = server.hits("/b/throttled/jobs")
    assert second.at - first.at >= 1.9  # waited the 2 s the server asked for
    assert len(server.hits("/b/stalled/jobs")) == 2
    # Asked to wait an hour: not retried within the poll, reported with the delay, and later polls leave it alone.
    assert len(server.hits("/b/closed/jobs")) == 1
    assert "HTTP 429" in rows["closed"]["last_error"] and "retry after 3600 s" in rows["closed"]["last_error"]
    poller.poll("closed", field="last_skipped")
    assert len(server.hits("/b/closed/jobs")) == 1
    assert "Retry-After" in poller.state("closed")["last_skipped"]
    # Broken bodies: reported with what and where, after retrying what might pass (a dropped connection).
    cut_off = rows["cut-off"]["last_error"]
    assert "cut-off: GET http://" in cut_off and "gave up after 4 attempts" in cut_off, cut_off
    assert len(server.hits("/b/cut-off/jobs")) == 4
    assert "malformed JSON" in rows["truncated"]["last_error"] and "(truncated?)" in rows["truncated"]["last_error"]
    assert "malformed JSON at line 1 column" in rows["malformed"]["last_error"]
    # Too large: refused from the declared length, and an endless body is cut off at the bound (not read to the end).
    assert "response larger than 64000 bytes" in rows["huge"]["last_error"]
    assert "response larger than 64000 bytes" in rows["endless"]["last_error"]
    for name in ("closed", "cut-off", "truncated", "malformed", "huge", "endless"):
        assert rows[name]["last_ok"] is None and rows[name]["last_polled"] is not None
        assert rows[name]["classified"] == 0 and client.get_result(f"{name}:1") is None
    assert rows["changing"]["classified"] == 2
    # A paged listing whose second page fails: the first page's postings are published, the poll reported failed.
    paged = rows["paged"]
    assert "HTTP 500" in paged["last_error"] and "(page 2)" in paged["last_error"], paged
    assert "the 2 postings fetched before it were kept" in paged["last_error"]
    assert paged["last_ok"] is None and paged["classified"] == 2
    assert client.get_result("paged:lv-1")["status"] == "matched" and client.get_result("paged:lv-2") is not None
    lever_pages["2"] = Reply(200, b"[]")  # page 2 is back (and empty): the next poll completes, nothing re-classified
    paged = poller.poll("paged")["paged"]
    assert paged["last_error"] is None and paged["last_ok"] is not None and paged["classified"] == 0

    # The schema changes: first the whole document (no 'jobs' list), then records missing fields or mistyped.
    published = raw_redis.xlen(f"{prefix}results")
    ok_before = rows["changing"]["last_ok"]
    server.script("/b/changing/jobs", Reply(200, json.dumps({"postings": [job(1), job(3)]}).encode()))
    rows = poller.poll("changing")
    assert "expected an object with a 'jobs' list" in rows["changing"]["last_error"]
    assert rows["changing"]["last_ok"] == ok_before  # the last success is still shown
    assert client.get_result("changing:1")["status"] == "matched"  # fetched before: kept
    assert client.get_result("changing:2")["status"] == "no_match"
    assert raw_redis.hlen(f"{prefix}source:changing:seen") == 2
    assert raw_redis.xlen(f"{prefix}results") == published

    renamed = {"id": 4, "name": "Data Engineer", "content": "&lt;p&gt;Spark&lt;/p&gt;"}  # title renamed
    mistyped = {"id": 5, "title": {"text": "ML Engineer"}, "content": 7, "location": "NYC"}
    no_id = {"title": "Machine Learning Engineer", "content": "&lt;p&gt;MLOps&lt;/p&gt;"}
    server.script("/b/changing/jobs", board(*GOOD_JOBS, job(3), renamed, mistyped, no_id, "not an object"))
    rows = poller.poll("changing")
    assert rows["changing"]["last_error"] is None and rows["changing"]["classified"] == 1  # only job 3 is new
    assert client.get_result("changing:3")["status"] == "matched"
    letters = {letter["error"] for letter in client.dead_letters() if letter["origin"] == "source:changing"}
    assert any("jobs[3] (id 4): title: missing" in e for e in letters), letters
    assert any("jobs[4] (id 5): title: expected a string, got object" in e for e in letters), letters
    assert any("jobs[5]: id: missing" in e for e in letters), letters
    assert any("jobs[6]: expected an object, got string" in e for e in letters), letters

    # Through all of it the worker kept running and still classifies what it is sent.
    assert worker.process is not None and worker.process.poll() is None
    (posting_id,) = client.submit([json.dumps({"id": "after", "title": "ML Engineer", "description": "PyTorch"})])
    wait_for(lambda: client.get_result("after"), 30, "a posting submitted after the faults to be classified")
    assert posting_id == "after"
    assert "Traceback" not in worker.log()  # every failure above was reported, none raised out of a task


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'name = "local"\nkind = "jsonfeed"\nurl = "file:///etc/passwd"',
            "sources[1] (local): url: expected an http:// or https:// URL, got 'file:///etc/passwd'",
        ),
        (
            'name = "old"\nkind = "feed"\nurl = "ftp://ftp.example.com/jobs.rss"',
            "sources[1] (old): url: expected an http:// or https:// URL, got 'ftp://ftp.example.com/jobs.rss'",
        ),
        (
            'name = "gh"\nkind = "greenhouse"\nboard = "acme"\nbase_url = "file:///tmp/boards"',
            "sources[1] (gh): base_url: expected an http:// or https:// URL, got 'file:///tmp/boards'",
        ),
        (
            'name = "lv"\nkind = "lever"\nsite = "acme"\nbase_url = "gopher://example.com"',
            "sources[1] (lv): base_url: expected an http:// or https:// URL, got 'gopher://example.com'",
        ),
        (
            'name = "big"\nkind = "jsonfeed"\nurl = "https://example.com/jobs.json"\nmax_size = "lots"',
            "sources[1] (big): max_size: expected a size like '20MB' or a number of bytes, got 'lots'",
        ),
    ],
)
def test_a_bad_source_url_or_size_is_a_config_error_naming_the_source_and_key(
    env: dict[str, str], tmp_path: Path, table: str, message: str
):
    path = tmp_path / "jobmatch.toml"
    path.write_text(
        f'[[sources]]\nname = "fine"\nkind = "greenhouse"\nboard = "acme"\n\n[[sources]]\n{table}\n', encoding="utf-8"
    )
    env["JOBMATCH_CONFIG"] = str(path)
    listed = run_cli(["sources"], env)
    assert listed.returncode == 2, (listed.stdout, listed.stderr)
    assert message in listed.stderr and str(path) in listed.stderr
    assert "Traceback" not in listed.stderr


# A worker whose Greenhouse mapping has a bug: a job titled "BUG" makes it raise (as an unforeseen schema might).
BUGGY_WORKER = """
import sys
from worker.sources.greenhouse import GreenhouseSource
real = GreenhouseSource._posting
def buggy(self, context, item):
    if isinstance(item, dict) and item.get("title") == "BUG":
        raise KeyError("pay_input_ranges")
    return real(self, context, item)
GreenhouseSource._posting = buggy
from worker.cli import main
raise SystemExit(main(["worker", *sys.argv[1:]]))
"""


def test_a_source_that_raises_unexpectedly_is_reported_and_the_worker_goes_on(
    server: ScriptedServer,
    start_worker: Callable[..., WorkerProcess],
    env: dict[str, str],
    prefix: str,
    raw_redis: redis.Redis,
    tmp_path: Path,
):
    server.script("/b/changing/jobs", GOOD)
    env["JOBMATCH_CONFIG"] = str(write_config(server, tmp_path / "jobmatch.toml"))
    worker = start_worker(
        "buggy", command=[sys.executable, "-c", BUGGY_WORKER], extra_env={"JOBMATCH_CONFIG": env["JOBMATCH_CONFIG"]}
    )
    client = Client(load_settings(environ=env))
    poller = Poller(client, raw_redis, prefix, env)
    assert poller.poll("changing")["changing"]["classified"] == 2

    server.script("/b/changing/jobs", board(*GOOD_JOBS, job(3), job(4, "BUG")))
    row = poller.poll("changing")["changing"]
    assert row["last_error"] == "changing: unexpected KeyError while fetching: 'pay_input_ranges'"
    assert client.get_result("changing:1")["status"] == "matched"  # published before: kept
    assert client.get_result("changing:3") is None  # the failed poll published nothing

    server.script("/b/changing/jobs", board(*GOOD_JOBS, job(3)))  # the feed is fixed: the next poll recovers
    row = poller.poll("changing")["changing"]
    assert row["last_error"] is None and row["classified"] == 1
    assert client.get_result("changing:3")["status"] == "matched"
    assert worker.process is not None and worker.process.poll() is None
    assert "polling source 'changing' raised" in worker.log()  # logged with its traceback for whoever fixes it
