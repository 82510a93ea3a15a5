"""Salary bands of a document: every pay figure with its levels, basis, scope and source lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from profiles.figures import PARENTHESES, FigurePart, clusters, figure_parts, siblings
from profiles.models import Basis, Kind, SalaryBand, Scope
from profiles.money import find_adjustment
from profiles.pay_terms import (
    basis_of,
    cities_in,
    component_of,
    is_city_heading,
    is_company_heading,
    levels_in,
    names_company,
)
from profiles.primary import mark_primary
from profiles.roles import LEVEL_WORDS, RoleName, mentions, parse_role_name, same_role
from profiles.sections import DocLine, is_related_heading

__all__ = ["extract_bands"]

_FILLER_END = re.compile(
    r"(?i)(?:[\s,;:–-]+|\b(?:of|from|ranges? from|ranging from|ranging|between|reaching|earning|earn"
    r"|reach|can|often|up to|over|is|are|at)\b)+$"
)
_FILLER_START = re.compile(r"(?i)^(?:(?:per|a|an)\s+(?:year|annum)|annually|/\s?(?:year|yr))\b[\s,]*")
# "Average salary range: $141,000 - $250,000" is a span; "the average salary ranges from ... to ..." is not.
_RANGE_NOUN = re.compile(r"(?i)\brange\b(?!\s+(?:from|between)\b)")
_STAT_WORD = re.compile(r"(?i)\b(average|median|mean)\b")
_TOP = re.compile(r"(?i)\btop\s+(?:\d+\s*%|earners?|performers?|end)\b|\bpotential earnings\b")
_ALL_LEVELS = re.compile(r"(?i)\b(?:overall|general|all levels|across levels|any level)\b")
# "Specialized Infrastructure Roles: ...": a population of roles named by other words than levels.
_ROLES_NAMED = re.compile(r"\b((?:[A-Z][\w-]*\s+)+)(?:Roles|Positions|Jobs)\b")
_PERIODS = (
    ("hour", re.compile(r"(?i)\bhourly\b|(?:per|an|a)\s+hour\b|/\s?(?:hr|hour)\b")),
    ("month", re.compile(r"(?i)\bmonthly\b|(?:per|a)\s+month\b|/\s?(?:mo|month)\b")),
)


@dataclass(frozen=True)
class _Document:
    title: RoleName | None
    intros: dict[str, str]  # top-level heading -> its first prose line
    source: str


def _any_level(name: RoleName, title: RoleName) -> bool:
    """The title's role with its level left out: "machine learning engineers" for "Staff ML Engineer"."""
    return (
        bool(title.levels)
        and not name.levels
        and name.noun == title.noun
        and name.modifiers | name.specialty == title.modifiers | title.specialty
    )


def _subject(texts: Sequence[str], title: RoleName | None) -> str | None:
    """ "role" when the texts name this role, "all_levels" when they name it without its level (the
    role at every level), "other" when they name only other roles, None if they name no role.

    A bare job noun ("Lead/Principal Engineers", "equivalent to Staff Engineer") names no role.
    """
    names = [name for text in texts for _, name in mentions(text) if name.modifiers or name.specialty]
    if not names or title is None:
        return None
    if any(same_role(name, title) for name in names):
        return "role"
    return "all_levels" if any(_any_level(name, title) for name in names) else "other"


def _names_other_roles(texts: Sequence[str]) -> bool:
    """A label naming a population of roles by other words than levels ("Specialized Infrastructure Roles")."""
    for text in texts:
        for match in _ROLES_NAMED.finditer(text):
            if not any(word.strip("()-").lower() in LEVEL_WORDS for word in match.group(1).split()):
                return True
    return False


def _scope(cluster: list[FigurePart], doc: _Document) -> tuple[Scope, tuple[str, ...], bool]:
    """Whose pay: under "Related Roles", naming an employer or a city, or about another role; and
    whether it is about the role at every level (the role named without the title's level)."""
    path = cluster[0].line.path
    texts = [*(part.own for part in cluster), *(part.lead for part in cluster), cluster[0].group_text]
    places = cities_in(texts)
    if any(is_related_heading(heading) for heading in path):
        return "related", places, False
    if any(names_company(text) for text in texts) or any(is_company_heading(h) for h in path):
        return "company", places, False
    if places or is_city_heading(path[-1]):
        return "city", places, False
    if _names_other_roles([*(part.lead or part.amount.label for part in cluster), cluster[0].group_text]):
        return "related", places, False
    about = _subject(texts, doc.title)
    if about is None:
        about = _subject([doc.intros.get(path[0], "")], doc.title)
    if about == "other":
        return "related", places, False
    return "role", places, about == "all_levels"


def _kind(cluster: list[FigurePart], main: FigurePart) -> Kind:
    """What the figure is, by its words: a span of pay, a point of reference, one amount, one end, top pay."""
    amount = main.amount
    heading = main.line.path[-1] if len(main.line.path) > 1 else ""
    if _TOP.search(" ".join((amount.label, main.lead, main.group_text, heading))):
        return "top"
    if amount.stat is not None:
        return "median" if amount.stat == "median" else "average"
    if amount.low is None or amount.high is None:
        return "bound"
    if not amount.is_range:
        return "figure"
    own = f"{main.lead} {amount.label}"
    stat = _STAT_WORD.search(own)
    if stat and not _RANGE_NOUN.search(own):
        return "median" if stat.group(1).lower() == "median" else "average"
    return "range"


def _component(part: FigurePart, others: Sequence[FigurePart]) -> str | None:
    """Breakdown parts: stock/bonus/additional always; base only beside such a part."""
    kind = component_of(f"{part.amount.label} {part.amount.after}")
    if kind != "base":
        return kind
    kinds = (component_of(f"{other.amount.label} {other.amount.after}") for other in others)
    return "base" if any(other not in (None, "base") for other in kinds) else None


def _clean(text: str) -> str:
    return _FILLER_END.sub("", text).strip()


def _label(cluster: list[FigurePart]) -> str:
    """The words naming the figure: "Qualcomm: Total compensation", "Senior-Level (6+ years)"."""
    group = cluster[0].group_label
    if len(cluster) > 1:
        return group or cluster[0].line.path[-1]
    part = cluster[0]
    after = _FILLER_START.sub("", part.amount.after).strip()
    if part.lead and part.amount.label == part.lead:
        own = f"{part.lead}: {after}" if after else part.lead
    else:
        core = _clean(part.amount.label) or _clean(part.amount.before)
        own = " ".join(words for words in (core, after) if words)
        if part.lead and not own.startswith(part.lead):
            own = f"{part.lead}: {own}" if own else part.lead
    return f"{group}: {own}" if group and own else group or own


def _band(cluster: list[FigurePart], parts: Sequence[FigurePart], doc: _Document) -> SalaryBand:
    main = next((part for part in cluster if part.amount.stat is None), cluster[0])
    line, amount, group, group_text = main.line, main.amount, main.group, main.group_text
    nearest = line.path[-1] if len(line.path) > 1 else ""
    own = [*(part.own for part in cluster), *(part.lead for part in cluster)]
    component = _component(main, siblings(main, parts)) if len(cluster) == 1 else None
    basis: Basis
    if component:
        basis = "base" if component == "base" else "unspecified"
    else:
        basis = basis_of([*own, group_text, line.path[-1]])
    scope, places, any_level = _scope(cluster, doc)
    stats = {part.amount.stat: part.amount.value for part in cluster if part.amount.stat}
    period = next((name for name, pattern in _PERIODS if pattern.search(amount.after)), "year")
    levels = levels_in([*own, group_text, nearest])
    overall = scope == "role" and any(_ALL_LEVELS.search(text) for text in (*own, group_text, nearest))
    return SalaryBand(
        levels=levels,
        basis=basis,
        low=amount.low,
        high=amount.high,
        open_ended=amount.open_ended,
        median=stats.get("median"),
        average=stats.get("average"),
        scope=scope,
        seed=doc.source,
        line=line.number,
        lines=tuple(sorted({part.line.number for part in cluster} | ({group.number} if group else set()))),
        section=line.path,
        label=_label(cluster),
        text=line.text,
        period=period,
        component=component,
        places=places,
        kind=_kind(cluster, main),
        all_levels=not levels and (any_level or overall),
    )


def _adjustment_band(line: DocLine, source: str) -> SalaryBand | None:
    adjustment = find_adjustment(line.body)
    if adjustment is None:
        return None
    lead = line.body.split(":")[0] if ":" in line.body else ""  # "West Coast (e.g., ...): 10-30% ..."
    return SalaryBand(
        levels=(),
        basis="unspecified",
        low=adjustment.low,
        high=adjustment.high,
        open_ended=False,
        median=None,
        average=None,
        scope="region",
        seed=source,
        line=line.number,
        lines=(line.number,),
        section=line.path,
        label=PARENTHESES.sub("", lead).strip(),
        text=line.text,
        currency=None,
        period=None,
        unit="percent",
        places=cities_in([line.body]),
    )


def _intros(lines: Sequence[DocLine]) -> dict[str, str]:
    intros: dict[str, str] = {}
    for index, line in enumerate(lines):
        if line.is_heading and len(line.path) == 1:
            body = next((later for later in lines[index + 1 :] if later.text), None)
            if body is not None and not body.is_heading and not body.is_bullet:
                intros[line.path[0]] = body.text
    return intros


def extract_bands(lines: Sequence[DocLine], *, title: str, source: str) -> tuple[SalaryBand, ...]:
    """Every pay figure of the document as a `SalaryBand`, in line order, primaries marked.

    Raises SeedFormatError (via `money.find_amounts`) for a "$" with no amount or a range whose
    low end is above its high end.

    Figures on adjacent "Range:"/"Median:"/"Average:" lines of one group make one band (lines
    154-156 of "- Senior-Level (6+ years):" / "- Range: ..." / "- Median: ..."); a line with several
    figures ("Breakdown: $190,000 base, $56,700 stock options, ...") makes one band per figure.
    """
    parts = figure_parts(lines, source=source)
    doc = _Document(parse_role_name(title), _intros(lines), source)
    placed: list[tuple[int, int, SalaryBand]] = []
    for cluster in clusters(parts):
        band = _band(cluster, parts, doc)
        placed.append((band.line, cluster[0].amount.start, band))
    for line in lines:
        adjustment = _adjustment_band(line, source)
        if adjustment is not None:
            placed.append((line.number, 0, adjustment))
    return mark_primary([band for _, _, band in sorted(placed, key=lambda item: item[:2])])
