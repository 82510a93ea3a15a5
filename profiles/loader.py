"""Read a folder of seed documents into role profiles: the only file I/O of `profiles`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from profiles.errors import ProfileNotFoundError, SeedFolderError, SeedFormatError
from profiles.models import RoleProfile
from profiles.parser import parse_role

__all__ = ["SEED_SUFFIXES", "find_profile", "load_profiles"]

SEED_SUFFIXES: tuple[str, ...] = (".txt", ".md")


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SeedFormatError(path.name, line, f"not UTF-8 text ({error.reason} at byte {error.start})") from error


def _unique_roles(profiles: Sequence[RoleProfile]) -> list[RoleProfile]:
    """Suffix `-2`, `-3`, ... to a role slug already taken by an earlier document."""
    taken: set[str] = set()
    unique = []
    for profile in profiles:
        role, number = profile.role, 2
        while role in taken:
            role, number = f"{profile.role}-{number}", number + 1
        taken.add(role)
        unique.append(profile if role == profile.role else replace(profile, role=role))
    return unique


def load_profiles(folder: Path | str) -> list[RoleProfile]:
    """Parse every `*.txt` and `*.md` document in `folder`, sorted by file name.

    Role slugs are made unique in that order (`-2`, `-3` on a collision), so a document's role
    only changes when an earlier file with the same title is added.

    Raises SeedFolderError when the folder is missing, not a folder, or holds no seed document;
    SeedFormatError (naming the file and line) for a malformed document.
    """
    path = Path(folder)
    if not path.exists():
        raise SeedFolderError(f"{path}: seed folder does not exist")
    if not path.is_dir():
        raise SeedFolderError(f"{path}: not a folder (expected a folder of seed documents)")
    files = sorted(
        (entry for entry in path.iterdir() if entry.is_file() and entry.suffix.lower() in SEED_SUFFIXES),
        key=lambda entry: entry.name,
    )
    if not files:
        raise SeedFolderError(f"{path}: no seed documents (expected *.txt or *.md files)")
    return _unique_roles([parse_role(_read(file), source=file.name) for file in files])


def find_profile(profiles: Sequence[RoleProfile], key: str) -> RoleProfile:
    """The profile `key` names: a role slug, a seed file name (with or without its extension),
    or the start of a seed file name ("000").

    Raises ProfileNotFoundError, listing the known roles and seeds, when `key` matches none
    or, at the first kind of match that finds any, more than one.
    """
    wanted = key.strip()
    tests = (
        lambda profile: profile.role == wanted.lower(),
        lambda profile: profile.seed == wanted,
        lambda profile: Path(profile.seed).stem == wanted,
        lambda profile: profile.seed.startswith(wanted),
    )
    known = ", ".join(f"{profile.role} ({profile.seed})" for profile in profiles) or "none loaded"
    if wanted:
        for test in tests:
            found = [profile for profile in profiles if test(profile)]
            if len(found) == 1:
                return found[0]
            if found:
                matches = ", ".join(profile.seed for profile in found)
                raise ProfileNotFoundError(f"profile {key!r} is ambiguous: it matches {matches}; known: {known}")
    raise ProfileNotFoundError(f"no profile {key!r}; known: {known}")
