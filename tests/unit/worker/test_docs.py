"""The README and docs/ say what the code does: the Redis key table, the README's shape and size."""

import re
from pathlib import Path

from worker.service.store import keys

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md")}

# Keys Celery and kombu write under the prefix, listed in the table next to jobmatch's own.
CELERY_KEYS = {keys.QUEUE_KEY, keys.UNACKED_KEY, "{prefix}unacked_index", "{prefix}_kombu.*"}


def documented_keys(text: str) -> set[str]:
    """The key templates in the first column of the table under `## Redis keys`."""
    section = text.split("## Redis keys", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([^`]+)`", row.split("|")[1])}


def test_the_redis_key_table_lists_exactly_the_keys_in_the_code():
    assert documented_keys(DOCS["service.md"]) == set(keys.KEY_TEMPLATES) | CELERY_KEYS


def test_every_key_template_is_in_the_table_constant():
    templates = {value for name, value in vars(keys).items() if name.endswith(("_KEY", "_STREAM"))}
    assert templates - {keys.QUEUE_KEY, keys.UNACKED_KEY} == set(keys.KEY_TEMPLATES)


def test_the_readme_opens_with_a_quickstart_of_two_command_lines():
    lines = README.splitlines()
    assert lines[0] == "# jobmatch" and lines[2] == "## Quickstart" and lines[3] == "```"
    assert lines[6] == "```"


def test_the_readme_stays_short():
    assert len(README.encode("utf-8")) <= 15_000


def test_the_readme_and_docs_are_reference_not_a_diary():
    for name, text in {"README.md": README, **DOCS}.items():
        for phrase in ("this session", "last session", "earlier today", "last run", "previous run"):
            assert phrase not in text.lower(), f"{name}: {phrase!r}"
