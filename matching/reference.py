"""The background of jobs that are not ours (`reference/other_roles.txt`): IDF statistics and no-match prototypes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from .errors import ModelError
from .tokens import text_tokens

__all__ = ["OtherRole", "load_other_roles", "load_specialties", "parse_other_roles", "parse_specialties"]

_RESOURCE = "other_roles.txt"
_SPECIALTIES = "specialties.txt"


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
    data, digest = _packaged(_RESOURCE)
    return parse_other_roles(data), digest


def parse_specialties(text: str, *, source: str = _SPECIALTIES) -> dict[str, tuple[str, ...]]:
    """Blocks of `## title word` then terms separated by ";" (comment lines start with "#"): title word ->
    the text terms (as the tokenizer makes them) postings use for that kind of work."""
    words: dict[str, list[str]] = {}
    word: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            word = line[3:].strip().lower()
            if not word or len(text_tokens(word)) != 1:
                raise ModelError(f"{source}:{number}: a title word must be one word, got {word!r}")
            words[word] = []
        elif line.startswith("#") or not line.strip():
            continue
        elif word is None:
            raise ModelError(f"{source}:{number}: expected a '## title word' line first")
        else:
            for term in (t.strip() for t in line.split(";")):
                tokens = text_tokens(term)
                if term and len(tokens) != 1:
                    raise ModelError(f"{source}:{number}: {term!r} is not one term (it reads as {tokens})")
                words[word].extend(tokens)
    empty = [w for w, terms in words.items() if not terms]
    if empty or not words:
        raise ModelError(f"{source}: no terms for {empty[0]!r}" if empty else f"{source}: no '## title word' blocks")
    return {w: tuple(dict.fromkeys(terms)) for w, terms in words.items()}


def load_specialties() -> tuple[dict[str, tuple[str, ...]], str]:
    """The packaged title-word specialties and the sha256 of their file (part of the model version)."""
    data, digest = _packaged(_SPECIALTIES)
    return parse_specialties(data), digest


def _packaged(name: str) -> tuple[str, str]:
    """A file of `reference/` as text, and its sha256."""
    data = resources.files(__package__).joinpath("reference", name).read_text(encoding="utf-8")
    return data, hashlib.sha256(data.encode()).hexdigest()
