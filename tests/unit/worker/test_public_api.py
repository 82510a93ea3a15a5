"""The public Python API: importable from `worker` itself, loaded lazily so `import worker` stays light."""

import subprocess
import sys

import pytest

import worker
from worker import errors, settings
from worker.service import client

EXPORTED = [
    "Client",
    "InputError",
    "NoWorkers",
    "QueueError",
    "RedisUnavailable",
    "Settings",
    "SettingsError",
    "WorkerError",
    "load_settings",
]


def test_the_exported_names_are_pinned():
    assert sorted(worker.__all__) == EXPORTED


@pytest.mark.parametrize("name", EXPORTED)
def test_each_name_is_the_object_its_module_defines(name):
    home = {"Client": client, "Settings": settings, "load_settings": settings}.get(name, errors)
    assert getattr(worker, name) is getattr(home, name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        worker.Nope  # noqa: B018


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


HEAVY = (
    "sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'kombu', 'redis', 'httpx', 'matching', 'numpy'))"
)


def test_import_worker_loads_nothing_heavy():
    assert run(f"import sys, worker; print({HEAVY})").strip() == "[]"


def test_settings_and_errors_load_no_redis_and_the_client_no_celery():
    out = run(
        f"import sys; from worker import Settings, SettingsError; print({HEAVY});"
        f"from worker import Client; print({HEAVY})"
    )
    light, with_client = out.splitlines()
    assert light == "[]"
    assert "redis" in with_client and "celery" not in with_client
