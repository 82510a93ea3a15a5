"""Words around a pay figure: which levels, which basis, which component, which employer or city."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from profiles.models import LEVELS, Basis
from profiles.roles import level_of

__all__ = [
    "CITIES",
    "COMPANIES",
    "basis_of",
    "cities_in",
    "component_of",
    "is_city_heading",
    "is_company_heading",
    "levels_in",
    "names_company",
]

COMPANIES: tuple[str, ...] = (
    "Qualcomm", "Tesla", "Meta", "Facebook", "Google", "Alphabet", "Apple", "Netflix", "Amazon",
    "Microsoft", "Nvidia", "NVIDIA", "OpenAI", "Anthropic", "Uber", "Airbnb", "LinkedIn",
    "Salesforce", "Oracle", "Adobe", "IBM", "Intel", "Stripe",
)  # fmt: skip


def _names(names: Iterable[str]) -> str:
    """An alternation of whole names, longest first ("New York City" before "New York")."""
    body = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return rf"(?<![\w-])(?:{body})(?![\w-])"


# Employers named by kind rather than by name: "startups", "Top-tier companies (e.g., Meta)".
_EMPLOYER_KINDS = r"\bstart-?ups?\b|\b(?:top-tier|major|large|big) (?:tech )?compan(?:y|ies)\b|\bFAANG\b"
_COMPANY = re.compile(_names(COMPANIES) + r"|(?i:" + _EMPLOYER_KINDS + r"|\bbig tech\b)")
CITIES: tuple[str, ...] = (
    "San Francisco", "Seattle", "New York City", "New York", "Los Angeles", "Austin", "Boston",
    "San Jose", "Santa Clara", "Silicon Valley", "Bay Area", "Chicago", "Denver", "Atlanta",
    "Dallas", "Houston", "Portland", "San Diego", "Miami", "Raleigh", "Pittsburgh",
    "Philadelphia", "Mountain View", "Palo Alto", "Sunnyvale", "Menlo Park", "Cupertino",
    "Redmond", "Washington, D.C.", "Toronto", "London",
)  # fmt: skip
_CITY = re.compile(_names(CITIES))
_LEVEL = re.compile(
    r"(?i)\b(entry(?:[- ]level)?|junior|jr\b\.?|mid(?:[- ]level)?(?![\w-])|intermediate"
    r"|senior(?:[- ]level)?|sr\b\.?|staff|lead|principal)\b"
)
_LEVEL_SPAN = re.compile(r"\s+(?:to|through)\s+|\s*[-–]\s*")  # "Mid-level to Senior"
_TOTAL = re.compile(r"(?i)\btotal (?:compensation|comp|pay|package|earnings|cash)\b")
_BASE = re.compile(r"(?i)\bbase\b|\bsalar(?:y|ies)\b")
_COMPONENTS = (
    ("stock", re.compile(r"(?i)\bstock\b|\bRSUs?\b|\bequity\b")),
    ("bonus", re.compile(r"(?i)\bbonus(?:es)?\b")),
    ("additional", re.compile(r"(?i)\badditional\b")),
    ("base", re.compile(r"(?i)\bbase\b")),
)


def _level(match: re.Match[str]) -> str | None:
    return level_of(match.group(1).replace(" ", "-"))


def levels_in(texts: Iterable[str]) -> tuple[str, ...]:
    """Levels the texts state, in career order: "Mid-level to Senior" -> ("mid", "senior").

    Two level words joined by "to" cover the levels between them; "Senior/Staff" names both.
    """
    found: set[str] = set()
    for text in texts:
        matches = list(_LEVEL.finditer(text))
        for match in matches:
            level = _level(match)
            if level:
                found.add(level)
        for left, right in itertools.pairwise(matches):
            low, high = _level(left), _level(right)
            if low and high and _LEVEL_SPAN.fullmatch(text[left.end() : right.start()]):
                first, last = sorted((LEVELS.index(low), LEVELS.index(high)))
                found.update(LEVELS[first : last + 1])
    return tuple(level for level in LEVELS if level in found)


def basis_of(texts: Iterable[str]) -> Basis:
    """The first text that says "total compensation" or "base"/"salary" decides; else unspecified."""
    for text in texts:
        if _TOTAL.search(text):
            return "total"
        if _BASE.search(text):
            return "base"
    return "unspecified"


def component_of(text: str) -> str | None:
    """The pay part a breakdown clause names: "stock options" -> "stock", "base" -> "base"."""
    return next((name for name, pattern in _COMPONENTS if pattern.search(text)), None)


def names_company(text: str) -> bool:
    return bool(_COMPANY.search(text))


def cities_in(texts: Iterable[str]) -> tuple[str, ...]:
    """Cities named in the texts, in order of first mention, without repeats."""
    found: list[str] = []
    for text in texts:
        found.extend(city for city in _CITY.findall(text) if city not in found)
    return tuple(found)


def is_company_heading(heading: str) -> bool:
    return bool(re.search(r"(?i)compan(?:y|ies)|start-?ups?|employers?", heading))


def is_city_heading(heading: str) -> bool:
    return bool(re.search(r"(?i)\b(?:location|cit(?:y|ies)|metro(?:s|politan)?)\b", heading))
