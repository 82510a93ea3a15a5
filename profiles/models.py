"""Canonical role profiles parsed from the seed documents: `RoleProfile`, `Section`, `SalaryBand`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "BASES",
    "KINDS",
    "LEVELS",
    "SCOPES",
    "Basis",
    "Kind",
    "RoleProfile",
    "SalaryBand",
    "Scope",
    "Section",
]

# Levels a salary band can cover, in career order (used for "nearest level" fallbacks).
LEVELS: tuple[str, ...] = ("entry", "mid", "senior", "staff", "lead", "principal")

Basis = Literal["base", "total", "unspecified"]
BASES: tuple[str, ...] = ("base", "total", "unspecified")

# Whose pay a figure describes: only `role` bands are this role's own pay.
Scope = Literal["role", "related", "company", "city", "region"]
SCOPES: tuple[str, ...] = ("role", "related", "company", "city", "region")

# What a figure is, by the document's words. Only a `range` is a band (a span of pay for a role or a
# level); an `average` or `median` is a point of reference even when stated as two estimates ("the
# national average base salary ranges from $157,969 to $161,777"); `figure` is one amount, `bound` one
# end ("up to $256,928", "from $70,000"), `top` the pay of top earners.
Kind = Literal["range", "average", "median", "figure", "bound", "top"]
KINDS: tuple[str, ...] = ("range", "average", "median", "figure", "bound", "top")


@dataclass(frozen=True)
class Section:
    """One heading of a seed document with the text under it (up to the next heading)."""

    heading: str
    level: int  # 1 for a top-level section (Overview, Requirements, ...), 2 for a sub-heading
    line: int  # 1-based line of the heading
    text: str
    path: tuple[str, ...]  # headings from the top-level section down to this one


@dataclass(frozen=True)
class SalaryBand:
    """One pay figure (or range) stated in a seed document, traceable to its line.

    `scope="region"` entries are adjustments in percent (`unit="percent"`), not amounts:
    "West Coast: 10-30% higher than the national average" gives low=10, high=30. An `average` or
    `median` stated as two estimates keeps them in low and high (as written); `kind` says they are
    estimates of one point, not a span.
    """

    levels: tuple[str, ...]
    basis: Basis
    low: float | None
    high: float | None
    open_ended: bool
    median: float | None
    average: float | None
    scope: Scope
    seed: str
    line: int
    lines: tuple[int, ...]
    section: tuple[str, ...]  # heading path the figure sits under
    label: str  # the words naming the figure ("Senior/Staff", "Qualcomm", "West Coast")
    text: str  # the source line, stripped
    currency: str | None = "USD"
    period: str | None = "year"
    unit: Literal["amount", "percent"] = "amount"
    component: str | None = None  # "base", "stock", "bonus", "additional" for pay breakdowns
    places: tuple[str, ...] = ()  # cities a city/region figure names
    primary: bool = False  # the one to use for its level(s) among several `role` bands
    kind: Kind = "range"
    all_levels: bool = False  # about the role at every level ("Overall Salary Range", "ML engineers")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("levels", "lines", "section", "places"):
            data[key] = list(data[key])
        return data


@dataclass(frozen=True)
class RoleProfile:
    """A role as its seed document describes it."""

    role: str  # slug of the title, unique across the loaded profiles
    title: str
    seed: str  # file name, with extension: the role's stable id
    content_hash: str  # sha256 of the document bytes
    sections: tuple[Section, ...]
    skills: tuple[str, ...]
    salary_bands: tuple[SalaryBand, ...]
    title_level: str | None = None  # a level the title itself names ("Staff ..." -> "staff")
    aliases: tuple[str, ...] = field(default=())  # other job titles the document uses for the role
    title_source: str = "overview"  # where the title was read: "title line", "overview" or "file name"

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "title": self.title,
            "title_source": self.title_source,
            "seed": self.seed,
            "content_hash": self.content_hash,
            "title_level": self.title_level,
            "aliases": list(self.aliases),
            "sections": [
                {"heading": s.heading, "level": s.level, "line": s.line, "path": list(s.path), "text": s.text}
                for s in self.sections
            ],
            "skills": list(self.skills),
            "salary_bands": [band.to_dict() for band in self.salary_bands],
        }
