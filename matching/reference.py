"""The background of jobs that are not ours (`reference/other_roles.txt`): IDF statistics and no-match prototypes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from .errors import ModelError

__all__ = ["OtherRole", "load_other_roles", "parse_other_roles"]

_RESOURCE = "other_roles.txt"


@dataclass(frozen=True)
class OtherRole:
    """A common job that is none of our roles: its title, other names for it, and typical posting text."""

    title: str
    aliases: tuple[str, ...]
    text: str


def parse_other_roles(text: str, *, source: str = _RESOURCE) -> list[OtherRole]:
    """Blocks of `## Title`, an optional `aliases: a; b` line, then free text."""
    roles: list[OtherRole] = []
    title: str | None = None
    aliases: tuple[str, ...] = ()
    body: list[str] = []

    def close() -> None:
        if title is not None:
            if not " ".join(body).strip():
                raise ModelError(f"{source}: block {title!r} has no text")
            roles.append(OtherRole(title, aliases, "\n".join(body).strip()))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            close()
            title, aliases, body = line[3:].strip(), (), []
        elif title is None:
            if line.strip():
                raise ModelError(f"{source}:{number}: expected a '## Job title' line first")
        elif line.lower().startswith("aliases:") and not body:
            aliases = tuple(a.strip() for a in line.split(":", 1)[1].split(";") if a.strip())
        else:
            body.append(line)
    close()
    if not roles:
        raise ModelError(f"{source}: no '## Job title' blocks")
    return roles


def load_other_roles() -> tuple[list[OtherRole], str]:
    """The packaged background roles and the sha256 of their file (part of the model version)."""
    data = resources.files(__package__).joinpath("reference", _RESOURCE).read_text(encoding="utf-8")
    return parse_other_roles(data), hashlib.sha256(data.encode()).hexdigest()
