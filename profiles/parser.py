"""Parse one seed document into a `RoleProfile`: pure, no file I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from profiles.errors import SeedFormatError
from profiles.models import RoleProfile
from profiles.roles import parse_role_name
from profiles.salary import extract_bands
from profiles.sections import is_salary_heading, parse_sections, split_lines
from profiles.skills import find_skills
from profiles.titles import find_aliases, find_title, title_level

__all__ = ["parse_role", "slugify"]


def slugify(title: str) -> str:
    """Lower-case words joined by hyphens: "Staff ML Engineer" -> "staff-ml-engineer"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def parse_role(text: str, *, source: str) -> RoleProfile:
    """The role profile a seed document describes; `source` (its file name) becomes `seed`.

    The title comes from a "Title:" line or the Overview prose, else the file name (`titles.find_title`);
    sections from the heading lines, skills from the
    `skills.SKILLS` vocabulary, salary bands from every pay figure (see `salary.extract_bands`
    and, for the `primary` flag, `primary.mark_primary`). `role` is the title's slug; the
    loader makes it unique across documents.

    Raises SeedFormatError (message "<source>:<line>: <what was expected>") when the document is
    empty, does not start with a heading, names no title (Overview or file name), has no "Salary Ranges"
    section, has a "$" with no amount, or states a range whose low end is above its high end.
    """
    lines = split_lines(text)
    sections, doc_lines = parse_sections(lines, source)
    title, _, title_source = find_title(doc_lines, source)
    if not any(section.level == 1 and is_salary_heading(section.heading) for section in sections):
        raise SeedFormatError(
            source,
            1,
            "document has no salary section (expected a top-level heading like 'Salary Ranges (US Market, 2024)')",
        )
    return RoleProfile(
        role=slugify(title),
        title=title,
        title_source=title_source,
        seed=source,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        sections=sections,
        skills=find_skills(text),
        salary_bands=extract_bands(doc_lines, title=title, source=source),
        title_level=title_level(parse_role_name(title)),
        aliases=find_aliases(doc_lines, title),
    )
