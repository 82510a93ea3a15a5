"""Trust and secrets: JSON is the only serializer a worker accepts (a pickled task is refused, never run); a
Redis with a password, and one behind TLS (`rediss://`), work end to end, and the password never shows in
command output or the worker's log. The Redis servers here are the tests' own."""

from __future__ import annotations

import json
import os

import redis
from conftest import TlsFiles, run_cli, wait_for

from worker import Client
from worker.service.names import CLASSIFY
from worker.service.redisconn import mask_url
from worker.settings import load_settings

PASSWORD = "Sekr1t-pw-4b9e"


class Trap:
    """Unpickling it creates a directory: proof that the pickle was loaded (and so could run anything)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.makedirs, (self.path,)


def posting(posting_id: str) -> dict:
    return {
        "id": posting_id,
        "title": "ML Platform Engineer",
        "description": f"Kubeflow, feature store ({posting_id}).",
    }


def test_a_pickled_task_is_refused_not_run(worker, client, raw_redis, prefix, tmp_path):
    marker = tmp_path / "unpickled"
    client.app.send_task(CLASSIFY, args=[Trap(str(marker))], serializer="pickle")
    client.submit([json.dumps(posting("after-pickle"))])
    wait_for(lambda: client.get_result("after-pickle"), 30, "the JSON task sent after the pickled one")
    wait_for(
        lambda: raw_redis.llen(f"{prefix}tasks") == 0 and raw_redis.hlen(f"{prefix}unacked") == 0,
        30,
        "the pickled message to be dropped",
    )
    assert not marker.exists()  # never unpickled
    log = worker.log()
    assert "ContentDisallowed" in log or "untrusted content" in log, log[-3000:]
    assert raw_redis.xlen(f"{prefix}results") == 1


def check_end_to_end(url: str, env: dict[str, str], start_worker, tmp_path) -> None:
    """With JOBMATCH_REDIS_URL=url: a worker, submit, result, watch and status work; no command output and
    no line of the worker's log holds the password."""
    own = {**env, "JOBMATCH_REDIS_URL": url}
    worker = start_worker("w1", extra_env={"JOBMATCH_REDIS_URL": url})
    path = tmp_path / "one.json"
    path.write_text(json.dumps(posting("secret-1")))
    outputs = []
    for args in (["submit", str(path)], ["status"], ["watch", "--group", "g", "--count", "1"]):
        done = run_cli(args, own)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
    assert json.loads(outputs[2])["id"] == "secret-1"
    assert mask_url(url) in outputs[1]
    assert Client(load_settings(environ=own)).get_result("secret-1")["status"] == "matched"
    # A wrong password: a clear error naming the masked URL, exit 2, neither password shown.
    wrong = url.replace(PASSWORD, "not-the-" + PASSWORD[::-1])
    refused = run_cli(["submit", str(path)], {**env, "JOBMATCH_REDIS_URL": wrong})
    assert refused.returncode == 2
    assert f"cannot reach Redis at {mask_url(wrong)}" in refused.stderr
    outputs.append(refused.stdout + refused.stderr)
    assert worker.stop() == 0
    for text in [*outputs, worker.log()]:
        assert PASSWORD not in text and PASSWORD[::-1] not in text
    assert ":***@" in worker.log() or ":**@" in worker.log()  # Celery's banner shows the URL, masked


def test_a_redis_with_a_password_works_and_the_password_never_shows(start_redis, start_worker, env, tmp_path):
    assert mask_url(f"redis://user:{PASSWORD}@h:6379/0") == "redis://user:***@h:6379/0"
    assert mask_url(f"rediss://h:6380/0?ssl_cert_reqs=required&password={PASSWORD}") == (
        "rediss://h:6380/0?ssl_cert_reqs=required&password=***"
    )
    server = start_redis("auth", password=PASSWORD)
    with redis.Redis.from_url(server.url.replace(PASSWORD, "wrong")) as unauthorised:
        try:
            unauthorised.ping()
        except redis.AuthenticationError:
            pass
        else:
            raise AssertionError("the test's Redis accepts a wrong password")
    check_end_to_end(server.url, env, start_worker, tmp_path)


def test_rediss_urls_work_with_tls_and_the_certificate_is_checked(start_redis, start_worker, env, tmp_path):
    tls = TlsFiles.make(tmp_path / "tls")
    server = start_redis("tls", password=PASSWORD, tls=tls)
    assert server.url.startswith("rediss://")
    check_end_to_end(server.url, env, start_worker, tmp_path)
    # Without the CA that signed the server's certificate, connections are refused, not made blindly: by the
    # commands (redis-py) and by the worker's broker connection (kombu) alike.
    untrusted = server.url.split("?")[0]
    done = run_cli(["status"], {**env, "JOBMATCH_REDIS_URL": untrusted})
    assert done.returncode == 2
    assert "certificate verify failed" in done.stderr and PASSWORD not in done.stdout + done.stderr
    blind = start_worker("blind", extra_env={"JOBMATCH_REDIS_URL": untrusted}, wait=False)
    wait_for(lambda: "Cannot connect to rediss://" in blind.log(), 30, "the worker to refuse the server")
    assert "certificate verify failed" in blind.log()
    assert "Connected to rediss://" not in blind.log() and PASSWORD not in blind.log()
