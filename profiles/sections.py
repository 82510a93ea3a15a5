"""Split a seed document into headed sections: heading detection and the per-line heading path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from profiles.errors import SeedFormatError
from profiles.models import Section

__all__ = [
    "TOP_LEVEL_HEADINGS",
    "DocLine",
    "heading_name",
    "is_heading",
    "is_related_heading",
    "is_salary_heading",
    "is_title_case",
    "parse_sections",
    "split_lines",
]

# The canonical shape of a seed document; any other heading is a sub-heading of the current one.
TOP_LEVEL_HEADINGS: tuple[str, ...] = (
    "Overview",
    "Core Responsibilities",
    "Requirements",
    "Career Development",
    "Market Demand",
    "Salary Ranges",
    "Industry Trends",
    "Essential Soft Skills",
    "Best Practices",
    "Common Challenges",
)
_TOP_LEVEL = {name.lower() for name in TOP_LEVEL_HEADINGS}
# "Salary Ranges (US Market, 2024)" but not the sub-heading "Salary Ranges in Major Tech Companies".
_SALARY_HEADING = re.compile(r"^salary ranges(?:\s*\([^)]*\))?$", re.IGNORECASE)

# Words a Title Case heading may leave in lower case ("Cloud vs. On-Premise Considerations").
_SMALL_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
        "or", "per", "the", "to", "versus", "via", "vs", "with", "without",
    }
)  # fmt: skip
_MAX_HEADING_WORDS = 10
_MAX_HEADING_CHARS = 80
_BULLETS = ("-", "•", "*", "–")


@dataclass(frozen=True)
class DocLine:
    """One line of a document with the heading path it sits under."""

    number: int  # 1-based
    text: str  # stripped
    path: tuple[str, ...]
    is_heading: bool

    @property
    def is_bullet(self) -> bool:
        return self.text.startswith(_BULLETS)

    @property
    def body(self) -> str:
        """The text without its bullet marker."""
        return self.text.lstrip("".join(_BULLETS) + " ").strip() if self.is_bullet else self.text


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (only `\\n` ends a line, unlike `str.splitlines`)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def is_title_case(words: list[str]) -> bool:
    """Whether every word starts upper case, except small words after the first and numbers."""
    seen_word = False
    for raw in words:
        word = raw.strip("()[]{},;:&\"'“”‘’")
        if not word or word[0].isdigit() or not word[0].isalpha():
            continue
        if word.rstrip(".").lower() in _SMALL_WORDS and seen_word:
            continue
        if not word[0].isupper():
            return False
        seen_word = True
    return seen_word


def heading_name(line: str) -> str | None:
    """The heading a line is, without Markdown marks or trailing colon; None for other lines.

    A heading is a short Title Case line that is not a bullet, not a sentence, and holds no
    figure. A trailing colon is allowed ("Key Responsibilities:"); a colon inside is not, which
    keeps "Market Growth: The global ML market ..." prose. "## Overview" and "**Overview**"
    (Markdown seeds) are the heading "Overview".
    """
    text = line.strip().lstrip("#").strip()
    if len(text) > 4 and text.startswith("**") and text.endswith("**"):
        text = text[2:-2].strip()
    if not text or text.startswith(_BULLETS) or text.endswith(".") or "$" in text:
        return None
    core = text[:-1].rstrip() if text.endswith(":") else text
    if ":" in core or len(core) > _MAX_HEADING_CHARS:
        return None
    words = core.split()
    return core if 0 < len(words) <= _MAX_HEADING_WORDS and is_title_case(words) else None


def is_heading(line: str) -> bool:
    """Whether the line is a heading (see `heading_name`)."""
    return heading_name(line) is not None


def is_salary_heading(heading: str) -> bool:
    """The dedicated pay section: "Salary Ranges" optionally followed by "(US Market, 2024)"."""
    return bool(_SALARY_HEADING.match(heading.strip()))


def is_related_heading(heading: str) -> bool:
    """Whether a heading is about other roles ("Related Roles", "Comparison to Related Roles")."""
    return bool(re.search(r"(?i)\brelated roles?\b", heading))


def _is_top_level(heading: str, seen: set[str]) -> bool:
    key = "salary ranges" if is_salary_heading(heading) else heading.lower()
    return key in _TOP_LEVEL and key not in seen


def parse_sections(lines: list[str], source: str) -> tuple[tuple[Section, ...], tuple[DocLine, ...]]:
    """Sections in document order and every line with its heading path.

    Raises SeedFormatError when the document is empty or its first non-empty line is no heading.
    """
    first = next((number for number, line in enumerate(lines, 1) if line.strip()), None)
    if first is None:
        raise SeedFormatError(source, 1, "document is empty (expected an 'Overview' heading first)")
    if not is_heading(lines[first - 1]):
        raise SeedFormatError(
            source,
            first,
            f"first line is not a heading: {lines[first - 1].strip()[:60]!r} "
            "(expected a short Title Case line such as 'Overview')",
        )
    heads: list[tuple[str, int, int, tuple[str, ...]]] = []  # heading, level, line, path
    doc_lines: list[DocLine] = []
    seen: set[str] = set()
    path: tuple[str, ...] = ()
    for number, raw in enumerate(lines, 1):
        text = raw.strip()
        name = heading_name(text) if number >= first else None
        if name is not None:
            if not path or _is_top_level(name, seen):
                seen.add("salary ranges" if is_salary_heading(name) else name.lower())
                path = (name,)
            else:
                path = (path[0], name)
            heads.append((name, len(path), number, path))
        doc_lines.append(DocLine(number, text, path, name is not None))
    sections = []
    for index, (name, level, number, head_path) in enumerate(heads):
        end = heads[index + 1][2] if index + 1 < len(heads) else len(lines) + 1
        body = "\n".join(lines[number : end - 1]).strip()
        sections.append(Section(heading=name, level=level, line=number, text=body, path=head_path))
    return tuple(sections), tuple(doc_lines)
