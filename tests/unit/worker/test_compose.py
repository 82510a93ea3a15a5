"""docker-compose.yml and the Dockerfile, checked without a Docker engine: parsed, not run."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(compose, dict) and isinstance(compose.get("services"), dict)
    return compose["services"]


def interpolate(value, env):
    """What compose makes of `value` given the variables in `env` (a .env file, the shell): `${VAR:-default}`
    and `${VAR}` replaced, `$$` a literal `$`. Only the forms this compose file uses."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match[0] == "$$":
            return "$"
        return env.get(match["name"]) or (match["default"] or "")

    return re.sub(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}", replace, value)


def command(service):
    value = service["command"]
    return value.split() if isinstance(value, str) else list(value)


def dockerfile_instructions():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)  # continuation lines into one instruction
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_service_is_redis_workers_and_one_beat(services):
    assert {"redis", "worker", "beat"} <= services.keys()


def redis_flags(service):
    args = command(service)
    assert args[0] == "redis-server"
    return {args[i]: args[i + 1] for i in range(1, len(args) - 1) if args[i].startswith("--")}


def test_redis_persists_its_queue_and_never_evicts(services):
    pairs = redis_flags(services["redis"])
    assert pairs["--appendonly"] == "yes"
    assert pairs["--maxmemory-policy"] == "noeviction"
    assert any(str(v).endswith(":/data") for v in services["redis"]["volumes"])  # the append-only file outlives it
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_redis_is_not_published_on_the_host(services):
    # The workers reach Redis on the compose network; a host port would expose every result and the queue.
    for name, service in services.items():
        for port in service.get("ports", []):
            assert "6379" not in str(port), f"{name} publishes Redis on the host: {port!r}"
    assert "network_mode" not in services["redis"]


@pytest.mark.parametrize(
    "env",
    [{}, {"REDIS_PASSWORD": "s3cretPassw0rd"}],
    ids=["no .env: no password", "REDIS_PASSWORD from .env"],
)
def test_one_redis_password_or_none_in_every_place_that_needs_it(services, env):
    redis = interpolate(services["redis"], env)
    required = redis_flags(redis)["--requirepass"]  # "" is no password at all
    assert required == env.get("REDIS_PASSWORD", "")
    # The healthcheck authenticates with that password (REDISCLI_AUTH from the container's environment) and wants
    # PONG: a Redis that wants a password answers NOAUTH, which `redis-cli ping` alone counts as healthy.
    assert redis["environment"]["REDIS_PASSWORD"] == required
    check = " ".join(redis["healthcheck"]["test"])
    assert 'REDISCLI_AUTH="$REDIS_PASSWORD"' in check and "grep -q PONG" in check
    for name in ("worker", "beat"):
        url = urlsplit(interpolate(services[name]["environment"]["JOBMATCH_REDIS_URL"], env))
        assert (url.scheme, url.hostname, url.port, url.path) == ("redis", "redis", 6379, "/0")
        assert unquote(url.password or "") == required, name
        assert "env_file" not in services[name]  # a fresh clone has no .env: compose must not require one


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_run_jobmatch_from_the_project_image(services, name):
    service = services[name]
    assert command(service)[:2] == ["jobmatch", name]
    build = service["build"]
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    assert (context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")).is_file()
    assert urlsplit(service["environment"]["JOBMATCH_REDIS_URL"]).hostname == "redis"
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
    flags = redis_flags(services["redis"])
    flags.pop("--requirepass")  # the local Redis of the README listens on localhost only
    assert "redis-server " + " ".join(f"{flag} {value}" for flag, value in flags.items()) in readme
    for name in ("worker", "beat"):
        assert " ".join(services[name]["command"]) in readme  # "jobmatch worker", "jobmatch beat"
