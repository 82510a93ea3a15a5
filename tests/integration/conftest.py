"""Integration fixtures: a real Redis, a key prefix per test, and real `jobmatch worker` processes.

Redis: `REDIS_URL` when set, else our own `redis-server` on a free port in a temp dir (tests that restart
or reconfigure Redis start their own with `RedisServer`). Every test gets its own key prefix and only keys
under it are deleted afterwards. Workers are subprocesses (`python -m worker.cli worker`, prefork pool)
with JOBMATCH_* set to the test's Redis and prefix; they are waited on until their heartbeat shows in
Redis, stopped with SIGTERM (SIGKILL after a bound), and their log is printed when the test failed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

from worker import Client
from worker.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
HOW_TO_GET_REDIS = (
    "integration tests need Redis: set REDIS_URL=redis://host:port/db, or install redis-server "
    "(apt-get install redis-server) so the tests can start their own"
)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `predicate` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A `redis-server` of our own: start, stop (SIGTERM or SIGKILL) and start again on the same port and dir."""

    def __init__(
        self,
        directory: Path,
        *,
        appendonly: bool = False,
        port: int | None = None,
        password: str | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        if not Path(REDIS_SERVER).exists():
            pytest.fail(HOW_TO_GET_REDIS)
        self.directory = directory
        self.port = port or free_port()
        self.appendonly = appendonly
        self.password = password
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL clients use: `rediss://` with the CA to trust when TLS is on, the password in it if any."""
        auth = f":{self.password}@" if self.password else ""
        if self.tls is not None:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls.ca}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [REDIS_SERVER, "--bind", "127.0.0.1", "--dir", str(self.directory)]
        if self.tls is not None:
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-auth-clients", "no"]
            args += ["--tls-cert-file", str(self.tls.cert), "--tls-key-file", str(self.tls.key)]
            args += ["--tls-ca-cert-file", str(self.tls.ca)]
        else:
            args += ["--port", str(self.port)]
        if self.password:
            args += ["--requirepass", self.password]
        args += ["--save", "", "--appendonly", "yes" if self.appendonly else "no"]
        if self.appendonly:
            args += ["--appendfsync", "always", "--maxmemory-policy", "noeviction"]
        with open(self.directory / "redis.log", "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"redis-server exited at start: {(self.directory / 'redis.log').read_text()[-2000:]}")
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(up, timeout, f"redis-server on port {self.port}")
        client.close()
        return self

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.process = None


@dataclass(frozen=True)
class TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it (made with the openssl command)."""

    ca: Path
    cert: Path
    key: Path

    @classmethod
    def make(cls, directory: Path) -> TlsFiles:
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("the TLS test needs the openssl command (apt-get install openssl)")
        directory.mkdir(parents=True, exist_ok=True)
        files = cls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
        ca_key, csr, ext = directory / "ca.key", directory / "server.csr", directory / "san.cnf"
        ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        for command in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", files.ca, "-days", "2",
             "-subj", "/CN=jobmatch test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.key, "-out", csr, "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", csr, "-CA", files.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", files.cert,
             "-days", "2", "-extfile", ext],
        ):  # fmt: skip
            subprocess.run([openssl, *map(str, command)], check=True, capture_output=True, timeout=60)
        return files


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Redis every test shares (each under its own prefix): REDIS_URL, else one we start."""
    url = os.environ.get("REDIS_URL")
    if url:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.fail(f"REDIS_URL={url} does not answer ({exc}); {HOW_TO_GET_REDIS}")
        yield url
        return
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model-artefact cache for the whole session: workers after the first load instead of fitting."""
    return tmp_path_factory.mktemp("jobmatch-cache")


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; afterwards every key under it (and only those) is deleted."""
    value = f"jmtest-{uuid.uuid4().hex[:10]}:"
    yield value
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=value + "*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    client.close()


@pytest.fixture
def env(redis_url: str, prefix: str, cache_dir: Path) -> dict[str, str]:
    """JOBMATCH_* for this test's Redis, prefix and cache (for subprocesses and `load_settings`)."""
    values = {k: v for k, v in os.environ.items() if not k.startswith("JOBMATCH_")}
    values.update(
        JOBMATCH_REDIS_URL=redis_url,
        JOBMATCH_KEY_PREFIX=prefix,
        JOBMATCH_CACHE_DIR=str(cache_dir),
        PYTHONUNBUFFERED="1",
    )
    return values


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return load_settings(environ=env)


@pytest.fixture
def client(settings: Settings) -> Client:
    return Client(settings)


@pytest.fixture
def raw_redis(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


def run_cli(args: list[str], env: dict[str, str], *, stdin: str | None = None, timeout: float = 60) -> Any:
    """Run `jobmatch ARGS` in a subprocess; returns the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class WorkerProcess:
    """One `jobmatch worker` subprocess (its own process group, so a SIGKILL takes the pool with it)."""

    name: str
    env: dict[str, str]
    log_path: Path
    args: list[str] = field(default_factory=list)
    command: list[str] | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def hostname(self) -> str:
        return f"{self.name}@{socket.gethostname()}"

    def start(self) -> WorkerProcess:
        command = self.command or [sys.executable, "-m", "worker.cli", "worker"]
        argv = [*command, "--pool", "prefork", "--concurrency", "2", "-n", self.hostname, *self.args]
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def wait_ready(self, timeout: float = 60.0) -> WorkerProcess:
        """Wait until the worker's heartbeat is in Redis (the pool is up and the intake reader runs)."""
        settings = load_settings(environ=self.env)
        connection = redis.Redis.from_url(settings.redis_url)
        key = f"{settings.key_prefix}workers"

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"worker {self.name} exited with {self.process.returncode}:\n{self.log()}")
            data = connection.hget(key, self.hostname)
            return data is not None and json.loads(data)["seen_at"] > time.time() - 20

        wait_for(ready, timeout, f"worker {self.name}'s heartbeat", interval=0.1)
        connection.close()
        return self

    def pool_pids(self) -> list[int]:
        import psutil

        assert self.process is not None
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM (warm shutdown), then SIGKILL to the whole group after `timeout` seconds."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap_group()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once (a machine dying)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def _reap_group(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # pool processes left behind, if any

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an integration test: `pytest -m "not integration"` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def start_worker(
    request: pytest.FixtureRequest, env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start workers for this test: `start_worker(name="w1", args=[...], env={...})`, ready when returned."""
    started: list[WorkerProcess] = []

    def start(
        name: str = "w1",
        *,
        args: list[str] | None = None,
        extra_env: dict[str, str] | None = None,
        command: list[str] | None = None,
        wait: bool = True,
    ) -> WorkerProcess:
        process = WorkerProcess(
            name=name,
            env={**env, **(extra_env or {})},
            log_path=tmp_path / f"worker-{name}-{len(started)}.log",
            args=args or [],
            command=command,
        )
        started.append(process.start())
        return process.wait_ready() if wait else process

    yield start
    for process in started:
        process.stop()
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed:
        for process in started:
            print(f"\n----- log of worker {process.name} ({process.log_path}) -----\n{process.log()[-20000:]}")


@pytest.fixture
def worker(start_worker: Callable[..., WorkerProcess]) -> WorkerProcess:
    """One running worker (prefork, concurrency 2) for this test's prefix."""
    return start_worker("w1")


@pytest.fixture
def start_redis(tmp_path: Path) -> Iterator[Callable[..., RedisServer]]:
    """Start redis-servers of this test's own (`start_redis("name", appendonly=True, password=...)`), stopped after."""
    servers: list[RedisServer] = []

    def start(name: str = "own", **options: Any) -> RedisServer:
        server = RedisServer(tmp_path / f"redis-{name}", **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop(kill=True)


@dataclass
class CliProcess:
    """A long-running `jobmatch ...` subprocess (watch, batch) with its stdout and stderr in files."""

    process: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path

    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def lines(self) -> list[str]:
        """The complete lines written to stdout so far."""
        text = self.out()
        return text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]


@pytest.fixture
def start_cli(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., CliProcess]]:
    """Start `jobmatch ARGS` in the background: `start_cli(["watch", ...], env)`; killed after the test."""
    started: list[CliProcess] = []

    def start(args: list[str], env: dict[str, str], name: str = "cli") -> CliProcess:
        out_path, err_path = tmp_path / f"{name}-{len(started)}.out", tmp_path / f"{name}-{len(started)}.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "worker.cli", *args], cwd=ROOT, env=env, stdout=out, stderr=err
            )
        started.append(CliProcess(process, out_path, err_path))
        return started[-1]

    yield start
    for cli in started:
        if cli.process.poll() is None:
            cli.process.kill()
        cli.process.wait(10)
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed:
        for cli in started:
            print(f"\n----- stderr of {cli.process.args} -----\n{cli.err()[-5000:]}")
