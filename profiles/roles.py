"""Job-title phrases: what a title is made of, and whether two phrases name the same role."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FUNCTION_WORDS",
    "JOB_NOUNS",
    "LEVEL_WORDS",
    "NOUN_PATTERN",
    "RoleName",
    "is_alias",
    "level_of",
    "mentions",
    "parse_role_name",
    "same_role",
]

# The last word of a job title. "Lead" is also a level word; as the last word it is the noun.
JOB_NOUNS: tuple[str, ...] = (
    "Engineer",
    "Architect",
    "Scientist",
    "Developer",
    "Manager",
    "Analyst",
    "Administrator",
    "Designer",
    "Researcher",
    "Consultant",
    "Specialist",
    "Director",
    "Officer",
    "Technician",
    "Programmer",
    "Strategist",
    "Lead",
)
NOUN_PATTERN = "(?:" + "|".join(JOB_NOUNS) + ")"

# Words that state a level, mapped to `models.LEVELS`.
LEVEL_WORDS: dict[str, str] = {
    "entry": "entry",
    "entry-level": "entry",
    "junior": "entry",
    "jr": "entry",
    "mid": "mid",
    "mid-level": "mid",
    "intermediate": "mid",
    "senior": "senior",
    "senior-level": "senior",
    "sr": "senior",
    "staff": "staff",
    "lead": "lead",
    "principal": "principal",
}
# Abbreviations spelled out so "ML Infrastructure Engineer" and "Machine Learning ..." compare equal.
_EXPANSIONS = {"ml": ("machine", "learning"), "ai": ("artificial", "intelligence")}
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "from", "by", "with",
        "as", "such", "like", "including", "include", "includes", "than", "that", "which", "who",
        "whom", "whose", "other", "these", "those", "this", "their", "our", "your", "its", "is",
        "are", "be", "been", "specializing", "specialising", "focused", "focusing", "working",
        "can", "will", "may",
    }
)  # fmt: skip
# "... Engineer specializing in ML Infrastructure", "... Engineer in ML Infrastructure"
_SPEC = re.compile(r"\s+(?:(?:specializing|specialising|working)\s+in|(?:focused|focusing)\s+on|in)\s+", re.I)
_NOUN_AT_END = re.compile(rf"(?i)\b({NOUN_PATTERN})s?$")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#&./-]*")


@dataclass(frozen=True)
class RoleName:
    """A job-title phrase taken apart: "Staff ML Engineer specializing in infrastructure"."""

    levels: frozenset[str]  # levels the phrase names ("staff")
    modifiers: frozenset[str]  # normalised words before the noun, levels removed ("machine", "learning")
    noun: str  # "engineer"
    specialty: frozenset[str]  # normalised words after "specializing in" ("infrastructure")


def level_of(word: str) -> str | None:
    """The level a single word names ("Senior-Level" -> "senior"), or None."""
    return LEVEL_WORDS.get(word.strip("()[],:;.").lower())


def _tokens(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        for part in word.strip("()[],:;.").lower().split("/"):
            if part and part not in FUNCTION_WORDS:
                out.extend(_EXPANSIONS.get(part, (part,)))
    return out


def parse_role_name(phrase: str) -> RoleName | None:
    """Split a title phrase into levels, modifiers, job noun and specialty; None without a job noun."""
    parts = _SPEC.split(phrase.strip(), maxsplit=1)
    head, spec = parts[0], parts[1] if len(parts) > 1 else ""
    words = head.split()
    noun = _NOUN_AT_END.search(words[-1].strip("()[],:;.")) if words else None
    if noun is None:
        return None
    levels: set[str] = set()
    modifiers: list[str] = []
    for word in words[:-1]:
        named = [level_of(piece) for piece in word.strip("()[],:;.").split("/")]
        if all(named):
            levels.update(level for level in named if level)
        else:
            modifiers.extend(_tokens([word]))
    return RoleName(
        levels=frozenset(levels),
        modifiers=frozenset(modifiers),
        noun=noun.group(1).lower(),
        specialty=frozenset(_tokens(spec.split())),
    )


def same_role(name: RoleName, title: RoleName) -> bool:
    """Whether `name` refers to the titled role (possibly at one of its levels), not another one.

    Same job noun; no modifier the title lacks; all the title's modifiers (or, for a title with a
    specialty, all its specialty words). A title with a level only matches names with that level,
    or names that carry the specialty: for "Staff ML Engineer specializing in infrastructure",
    "ML Infrastructure Engineers" is the role and plain "ML engineers" is a broader population.
    """
    words = title.modifiers | title.specialty
    if name.noun != title.noun or not (name.modifiers <= words and name.specialty <= words):
        return False
    covered = title.modifiers <= name.modifiers or bool(
        title.specialty and title.specialty <= name.modifiers | name.specialty
    )
    if not covered:
        return False
    if not title.levels:
        return True
    return name.levels == title.levels or (not name.levels and bool(name.modifiers & title.specialty))


def is_alias(name: RoleName, title: RoleName) -> bool:
    """Whether `name` is another spelling of the title: the same role, no other level, as specific.

    A title with a specialty needs a name that carries it ("ML Infrastructure Engineer" for
    "... Engineer specializing in infrastructure"); a title with only a level needs that level.
    """
    if not same_role(name, title) or not name.levels <= title.levels:
        return False
    if title.specialty:
        return bool((name.modifiers | name.specialty) & title.specialty)
    return name.levels == title.levels


def mentions(text: str) -> list[tuple[str, RoleName]]:
    """Job-title phrases in running text, in order: "experienced ML engineers", "Data Scientists".

    Modifiers are collected backwards from the job noun up to a function word or punctuation; a
    capitalised noun only takes capitalised modifiers, so "Industry sector Machine Learning Platform
    Engineers" yields "Machine Learning Platform Engineers".
    """
    found: list[tuple[str, RoleName]] = []
    for match in re.finditer(rf"(?i)\b{NOUN_PATTERN}s?\b", text):
        capital = match.group(0)[0].isupper()
        words = [match.group(0)]
        before = text[: match.start()]
        for word in reversed(before.split()):
            bare = word.strip("()")
            if (
                len(words) > 5
                or word[-1] in ",;:.!?"
                or not _WORD.fullmatch(bare)
                or bare.lower() in FUNCTION_WORDS
                or (capital and not bare[0].isupper())
            ):
                break
            words.insert(0, bare)
        phrase = " ".join(words)
        name = parse_role_name(phrase)
        if name is not None:
            found.append((phrase, name))
    return found
