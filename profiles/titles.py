"""The role's title, its level and its aliases, read from the document's own prose."""

from __future__ import annotations

import re
from collections.abc import Sequence

from profiles.errors import SeedFormatError
from profiles.models import LEVELS
from profiles.roles import FUNCTION_WORDS, NOUN_PATTERN, RoleName, is_alias, level_of, parse_role_name
from profiles.sections import DocLine, is_related_heading

__all__ = ["find_aliases", "find_title", "title_level"]

_CAP_WORD = r"[A-Z][A-Za-z0-9+#&./-]*"
_SPECIALTY = r"(?:\s+(?:specializing|specialising|focused|focusing)\s+(?:in|on)(?:\s+[^\s,.;:()]+){1,6}?)?"
_TITLE = rf"(?P<title>(?:{_CAP_WORD}\s+){{0,6}}{NOUN_PATTERN}{_SPECIALTY})"
# The sentences an Overview names its role with; the earliest match in the Overview wins.
_TITLE_SENTENCES = (
    # "The role of a Staff Machine Learning Engineer specializing in infrastructure is ..."
    re.compile(
        rf"\b[Tt]he role of (?:a|an|the)\s+{_TITLE}"
        r"(?=\s+(?:is|are|involves|requires|encompasses|combines)\b|,)"
    ),
    # "As a Backend Engineer specializing in ML Infrastructure, you'll ..."
    re.compile(rf"\b[Aa]s (?:a|an)\s+{_TITLE}(?=,)"),
    # "A Machine Learning Platform Engineer is a specialized professional ..."
    re.compile(rf"(?:^|(?<=[.!?:] )|(?<=- ))(?:A|An)\s+{_TITLE}(?=\s+is\s+(?:a|an|the|one)\b)", re.M),
)
# What may follow a complete title phrase; "in ML infrastructure" must not yield "in ML".
_PHRASE_END = r"(?=\s*[,.;:!?]|\s*$|\s+(?:can|will|is|are|play|plays|must|should|may|to|and|or|with|who|you)\b)"
_ALIAS_RUN = re.compile(
    rf"(?<![\w-])(?:{_CAP_WORD}\s+){{0,5}}{NOUN_PATTERN}s?\b"
    # an optional capitalised specialty that ends the phrase: "... Engineer in ML Infrastructure,"
    rf"(?:\s+(?:specializing in|specialising in|focused on|in)(?:\s+{_CAP_WORD}){{1,4}}{_PHRASE_END})?"
)


def find_title(lines: Sequence[DocLine], source: str) -> tuple[str, int]:
    """The role title and its line, from the first section's prose (the Overview).

    Raises SeedFormatError naming the Overview's first line when no sentence names the role.
    """
    first = next((line.path[:1] for line in lines if line.path), ())
    overview = [line for line in lines if first and line.path[:1] == first]
    best: tuple[int, int, str] | None = None  # line, offset, title
    for line in overview:
        if line.is_heading:
            continue
        for pattern in _TITLE_SENTENCES:
            match = pattern.search(line.text)
            if match and (best is None or (line.number, match.start()) < best[:2]):
                best = (line.number, match.start(), " ".join(match.group("title").split()))
        if best is not None:
            return best[2], best[0]
    where = next((line.number for line in overview if not line.is_heading and line.text), 1)
    raise SeedFormatError(
        source,
        where,
        "no role title in the Overview (expected a sentence like 'The role of a <Title> is ...', "
        "'As a <Title>, you ...' or 'A <Title> is a ...', <Title> ending in a job noun such as Engineer)",
    )


def title_level(title: RoleName | None) -> str | None:
    """The most senior level the title names ("Staff ..." -> "staff"), or None."""
    if title is None or not title.levels:
        return None
    return max(title.levels, key=LEVELS.index)


def _singular(phrase: str) -> str:
    return re.sub(rf"\b({NOUN_PATTERN})s\b", r"\1", phrase, count=1)


def find_aliases(lines: Sequence[DocLine], title: str) -> tuple[str, ...]:
    """Other job titles the document uses for its own role, singular, in order of first use.

    Candidates are capitalised phrases ending in a job noun, outside "Related Roles" sections;
    `roles.is_alias` keeps those naming this role as specifically as the title does.
    """
    title_name = parse_role_name(title)
    if title_name is None:
        return ()
    seen = {title.lower()}
    aliases: list[str] = []
    for line in lines:
        if any(is_related_heading(heading) for heading in line.path):
            continue
        for match in _ALIAS_RUN.finditer(line.text):
            words = match.group(0).split()
            while len(words) > 1 and words[0].lower() in FUNCTION_WORDS and not level_of(words[0]):
                words.pop(0)
            phrase = _singular(" ".join(words))
            name = parse_role_name(phrase)
            if name is None or phrase.lower() in seen or not is_alias(name, title_name):
                continue
            seen.add(phrase.lower())
            aliases.append(phrase)
    return tuple(aliases)
