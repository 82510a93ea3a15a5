"""The posting model: what jobmatch classifies, validated from a plain mapping (a JSON object)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import PostingError
from .text import html_to_text

__all__ = ["Posting", "posting_from_dict", "posting_from_text"]

_OPTIONAL_TEXT = ("company", "location", "url", "posted_at", "salary_text", "source")
# Upper bound on a description we classify: a posting is a few KB; megabytes are a feed bug, not a posting.
MAX_DESCRIPTION_CHARS = 200_000


@dataclass(frozen=True)
class Posting:
    """A job posting as jobmatch classifies it: plain-text description, string id."""

    id: str
    title: str
    description: str
    company: str | None = None
    location: str | None = None
    url: str | None = None
    posted_at: str | None = None
    salary_text: str | None = None
    salary: Mapping[str, Any] | None = None
    source: str | None = None

    @property
    def content_hash(self) -> str:
        """sha256 over the fields that decide the classification (so a re-post with edits is new)."""
        return _content_hash(self.title, self.description, self.location, self.salary_text, self.salary)


def _content_hash(title: str, description: str, location: str | None, salary_text: str | None, salary: object) -> str:
    # Each field length-prefixed (None marked apart from ""), rather than one JSON dump of the lot: the
    # description is most of the bytes and JSON-escaping it cost more than hashing it.
    digest = hashlib.sha256()
    for field in (title, description, location, salary_text):
        if field is None:
            digest.update(b"N")
        else:
            data = field.encode("utf-8", "surrogatepass")
            digest.update(b"S%d:" % len(data))
            digest.update(data)
    # json.dumps(None) is "null": written out, as a dump per posting costs as much as hashing its description.
    digest.update(
        b"null" if salary is None else json.dumps(salary, sort_keys=True, default=str).encode("utf-8", "surrogatepass")
    )
    return digest.hexdigest()


def _posting_id(raw: object, content: Mapping[str, Any]) -> str:
    if raw is None or raw == "":
        return (
            "sha256:"
            + _content_hash(
                str(content.get("title", "")),
                str(content.get("description", "")),
                None,
                None,
                None,
            )[:16]
        )
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise PostingError(f"expected a string or a number, got {type(raw).__name__}", field="id")
    return str(raw)


def posting_from_dict(data: object) -> Posting:
    """Validate a mapping into a `Posting`.

    `id` may be a string or a number (numbers become strings); without one the posting gets an id from
    its content hash. `title` and `description` are required strings; the description may be HTML.
    Raises `PostingError` naming the posting id and the field.
    """
    if not isinstance(data, Mapping):
        raise PostingError(f"expected a JSON object, got {type(data).__name__}")
    posting_id = _posting_id(data.get("id"), data)

    def text_field(name: str, *, required: bool) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                raise PostingError("missing", posting_id=posting_id, field=name)
            return None
        if not isinstance(value, str):
            raise PostingError(f"expected a string, got {type(value).__name__}", posting_id=posting_id, field=name)
        return value

    title = (text_field("title", required=True) or "").strip()
    if not title:
        raise PostingError("empty", posting_id=posting_id, field="title")
    description = text_field("description", required=True) or ""
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise PostingError(
            f"{len(description)} characters, more than the {MAX_DESCRIPTION_CHARS} a posting may have",
            posting_id=posting_id,
            field="description",
        )
    optional = {name: text_field(name, required=False) for name in _OPTIONAL_TEXT}
    salary = data.get("salary")
    if salary is not None and not isinstance(salary, Mapping):
        raise PostingError(
            f"expected an object with min, max, currency, period; got {type(salary).__name__}",
            posting_id=posting_id,
            field="salary",
        )
    return Posting(
        id=posting_id,
        title=html_to_text(title),
        description=html_to_text(description),
        salary=dict(salary) if salary is not None else None,
        **optional,
    )


def posting_from_text(text: str) -> Posting:
    """A posting from plain text: the first non-empty line is the title, the rest the description."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].strip():
        raise PostingError("no text: the first line should be the title", field="title")
    return posting_from_dict({"title": lines[0].strip(), "description": "\n".join(lines[1:]).strip()})
