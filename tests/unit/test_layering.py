"""The one-way data flow: profiles -> matching -> worker, and queue-free commands stay queue-free."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {"profiles", "matching", "worker"}


def imported_packages(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "allowed", "forbidden"),
    [
        ("profiles", set(), {"celery", "redis", "httpx", "sklearn"}),
        ("matching", {"profiles"}, {"celery", "redis", "httpx"}),
    ],
)
def test_library_layers_import_only_downstream(package, allowed, forbidden):
    imports = imported_packages(package)
    assert (imports & PROJECT) - {package} <= allowed
    assert not imports & forbidden


@pytest.mark.parametrize("command", [["profiles"], ["classify", "examples/posting.txt"]])
def test_queue_free_commands_do_not_import_celery_or_redis(command):
    code = (
        "import sys; from worker.cli import main; rc = main(sys.argv[1:]);"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'redis', 'kombu', 'httpx'));"
        "print('LOADED', bad); raise SystemExit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code, *command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout
