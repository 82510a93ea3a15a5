"""Errors raised by the matching layer.

MatchingError
├── PostingError        a posting is missing a field or has one of the wrong type
├── ModelError          the matcher cannot be fitted or loaded (no profiles, a bad artefact)
└── PreferencesError    a person's preferences cannot be used (recommend.py, beside what it validates)
"""

from __future__ import annotations

__all__ = ["MatchingError", "ModelError", "PostingError"]


class MatchingError(Exception):
    """Base class of every error the matching layer raises."""


class PostingError(MatchingError):
    """A posting that cannot be classified as given; names the posting id and the field."""

    def __init__(self, message: str, *, posting_id: str | None = None, field: str | None = None) -> None:
        where = f"posting {posting_id!r}" if posting_id is not None else "posting without id"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")
        self.posting_id = posting_id
        self.field = field
        self.reason = message


class ModelError(MatchingError):
    """The matcher could not be fitted or a cached artefact could not be used."""
