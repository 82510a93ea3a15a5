"""docker-compose.yml and the Dockerfile, checked without a Docker engine: parsed, not run."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(compose, dict) and isinstance(compose.get("services"), dict)
    return compose["services"]


def command(service):
    value = service["command"]
    return value.split() if isinstance(value, str) else list(value)


def dockerfile_instructions():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)  # continuation lines into one instruction
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_service_is_redis_workers_and_one_beat(services):
    assert {"redis", "worker", "beat"} <= services.keys()


def test_redis_persists_its_queue_and_never_evicts(services):
    args = command(services["redis"])
    assert args[0] == "redis-server"
    pairs = {args[i]: args[i + 1] for i in range(1, len(args) - 1) if args[i].startswith("--")}
    assert pairs["--appendonly"] == "yes"
    assert pairs["--maxmemory-policy"] == "noeviction"
    assert any(str(v).endswith(":/data") for v in services["redis"]["volumes"])  # the append-only file outlives it
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_run_jobmatch_from_the_project_image(services, name):
    service = services[name]
    assert command(service)[:2] == ["jobmatch", name]
    build = service["build"]
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    assert (context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")).is_file()
    assert service["environment"]["JOBMATCH_REDIS_URL"] == "redis://redis:6379/0"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    cache_dir = service["environment"]["JOBMATCH_CACHE_DIR"]
    assert any(str(v).endswith(":" + cache_dir) for v in service["volumes"])


def test_there_is_exactly_one_beat(services):
    beat = services["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    beats = [name for name, s in services.items() if name != "beat" and command(s)[:2] == ["jobmatch", "beat"]]
    assert beats == []


def test_the_dockerfile_installs_the_project_with_its_seeds_as_a_non_root_user():
    steps = dockerfile_instructions()
    assert steps[0] == "FROM python:3.11-slim"
    assert any(re.fullmatch(r"RUN pip install (--no-cache-dir )?\.( .*)?", s) for s in steps)
    copies = " ".join(s for s in steps if s.startswith("COPY "))
    for needed in ("pyproject.toml", "README.md", "profiles", "matching", "worker", "seeds"):
        assert needed in copies, f"Dockerfile does not copy {needed}"
    env = " ".join(s for s in steps if s.startswith("ENV "))
    assert "JOBMATCH_SEEDS=/app/seeds" in env and "JOBMATCH_CACHE_DIR=" in env
    users = [s.split()[1] for s in steps if s.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and ".git" in ignored


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_the_compose_commands_are_jobmatch_commands(services, name):
    from worker.cli.main import build_parser

    args, _extra = build_parser().parse_known_args(command(services[name])[1:])
    assert args.command == name


def test_the_readme_shows_the_compose_service_and_the_same_commands_without_docker(services):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose up" in readme
    redis_flags = " ".join(services["redis"]["command"][1:])
    assert f"redis-server {redis_flags}" in readme
    for name in ("worker", "beat"):
        assert " ".join(services[name]["command"]) in readme  # "jobmatch worker", "jobmatch beat"
