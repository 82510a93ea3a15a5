"""Errors raised while reading seed documents into role profiles.

The tree, in the manner of httpx::

    ProfileError                  base: catch this to handle anything from `profiles`
    ├── SeedFormatError           a document does not have the expected shape
    │                             ("seeds/foo.txt:144: salary line has no amount after '$'")
    ├── SeedFolderError           the seed folder is missing, not a folder, or holds no documents
    └── ProfileNotFoundError      `find_profile` got a key that names no loaded profile
"""

from __future__ import annotations

__all__ = ["ProfileError", "ProfileNotFoundError", "SeedFolderError", "SeedFormatError"]


class ProfileError(Exception):
    """Base class for every error raised by the `profiles` package."""


class SeedFormatError(ProfileError):
    """A seed document does not have the shape the parser expects.

    The message names the file and the 1-based line, then what was expected:
    `000_x.txt:144: salary line has no amount after '$'`.
    """

    def __init__(self, source: str, line: int, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(f"{source}:{line}: {problem}")


class SeedFolderError(ProfileError):
    """The folder given to `load_profiles` is missing, not a folder, or has no seed documents."""


class ProfileNotFoundError(ProfileError):
    """`find_profile` was given a key that matches no profile (or more than one)."""
