"""The background of jobs that are not ours (`reference/other_roles.txt`): IDF statistics and no-match prototypes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from .errors import ModelError
from .tokens import text_tokens, title_terms

__all__ = [
    "OtherRole",
    "Specialty",
    "checked_specialties",
    "load_other_roles",
    "load_specialties",
    "parse_other_roles",
    "parse_specialties",
]

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


class Specialty(NamedTuple):
    """The work a title word names: the text terms postings use for it, and other words that name it in a title."""

    terms: tuple[str, ...]
    title_words: tuple[str, ...] = ()


def parse_specialties(text: str, *, source: str = _SPECIALTIES) -> dict[str, Specialty]:
    """Blocks of `## title word`, an optional `title:` line of other title words for that work, then terms, each
    list separated by ";" (comment lines start with "#"): title word -> its `Specialty`, terms as the tokenizer
    makes them and title words as a title reads them."""
    terms: dict[str, list[str]] = {}
    titles: dict[str, list[str]] = {}
    word: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            word = line[3:].strip().lower()
            if not word or len(text_tokens(word)) != 1:
                raise ModelError(f"{source}:{number}: a title word must be one word, got {word!r}")
            terms[word], titles[word] = [], []
        elif line.startswith("#") or not line.strip():
            continue
        elif word is None:
            raise ModelError(f"{source}:{number}: expected a '## title word' line first")
        elif line.lower().startswith("title:"):
            titles[word] += _one_each(line.split(":", 1)[1], title_terms, "one title word", f"{source}:{number}")
        else:
            terms[word] += _one_each(line, text_tokens, "one term", f"{source}:{number}")
    empty = [w for w, listed in terms.items() if not listed]
    if empty or not terms:
        raise ModelError(f"{source}: no terms for {empty[0]!r}" if empty else f"{source}: no '## title word' blocks")
    return {w: Specialty(tuple(dict.fromkeys(terms[w])), tuple(dict.fromkeys(titles[w]))) for w in terms}


def _one_each(listed: str, read: Callable[[str], list[str]], what: str, where: str) -> list[str]:
    """The ";"-separated items of `listed`, each read by `read` into exactly one word (else an error naming it)."""
    words = []
    for item in (t.strip() for t in listed.split(";")):
        got = read(item)
        if item and len(got) != 1:
            raise ModelError(f"{where}: {item!r} is not {what} (it reads as {got})")
        words += got
    return words


def checked_specialties(given: Mapping[str, Specialty | Sequence[str]]) -> dict[str, Specialty]:
    """Specialties given in code (a specialty may be its terms alone), held to the file's rules: a title word is
    one word, terms are single terms as the tokenizer makes them, title words single words as a title reads them."""
    checked: dict[str, Specialty] = {}
    for word, value in given.items():
        listed = (value.terms, value.title_words) if isinstance(value, Specialty) else (value, ())
        if any(isinstance(words, str) for words in listed):
            raise ModelError(f"specialty {word!r}: give its terms and title words as lists of words, not one string")
        specialty = Specialty(tuple(listed[0]), tuple(listed[1]))
        if len(text_tokens(word)) != 1:
            raise ModelError(f"specialty {word!r}: a title word must be one word")
        if not specialty.terms or any(not isinstance(t, str) or text_tokens(t) != [t] for t in specialty.terms):
            raise ModelError(f"specialty {word!r}: terms must be single terms as the tokenizer makes them")
        if any(not isinstance(t, str) or title_terms(t) != [t] for t in specialty.title_words):
            raise ModelError(f"specialty {word!r}: title words must be single words as a title reads them")
        checked[word] = specialty
    return checked


def load_specialties() -> tuple[dict[str, Specialty], str]:
    """The packaged title-word specialties and the sha256 of their file (part of the model version)."""
    data, digest = _packaged(_SPECIALTIES)
    return parse_specialties(data), digest


def _packaged(name: str) -> tuple[str, str]:
    """A file of `reference/` as text, and its sha256."""
    data = resources.files(__package__).joinpath("reference", name).read_text(encoding="utf-8")
    return data, hashlib.sha256(data.encode()).hexdigest()
