"""Each level's pay band, chosen from what the document says each figure is (`level_bands`, `level_band`).

Only a `range` of the role itself is a band (see `models.Kind`): averages, medians, single amounts,
top earners, employers', cities' and other roles' figures never are. For a level, in order:

1. the role's base ranges stating that level (or, in a document whose ranges are all about the
   level its title names, the unlevelled ones); ranked dedicated "Salary Ranges" section first,
   then a by-experience/by-level sub-heading, fewest levels, earliest line;
2. the same for the level next to it (`fallback="nearest_level"`);
3. the role's base range across all levels ("Overall Salary Range", or the role named without the
   title's level: "machine learning engineers" in a "Staff ML Engineer" guide) (`all_levels`);
4. the nearest level further away (`nearest_level`);
5. a total-compensation range for the level, then any other total range.

Base beats total: stated pay is base pay unless the posting says otherwise, so a total-compensation
range is the band only where the document has no base figure that fits. Bands from 3, 4 and 5 are
not `comparable`: their `note` says why. For a posting that states no level ("unknown"): the role's
all-levels range, else the one level a single-level document is about, else the span of the
document's level ranges (lowest to highest), all `fallback="level_unknown"`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from profiles.models import LEVELS, RoleProfile, SalaryBand
from profiles.sections import is_salary_heading

__all__ = ["UNKNOWN", "LevelBand", "level_band", "level_bands", "profile_dict"]

UNKNOWN = "unknown"
_BASE_ONLY = "base pay is compared with base pay only"
_BY_LEVEL = re.compile(r"(?i)\b(?:experience|level|levels|seniority)\b")


@dataclass(frozen=True)
class LevelBand:
    """The band for one level (or for "unknown"), the figures it comes from, and why."""

    level: str  # one of LEVELS, or "unknown"
    low: float | None
    high: float | None
    open_ended: bool
    median: float | None
    basis: str
    band_level: str | None  # the level the figures are for; None for the role at every level
    fallback: str | None  # None, "nearest_level", "all_levels" or "level_unknown"
    comparable: bool  # whether stated base pay can be compared with it
    reason: str  # which figure and why, in the document's words
    note: str | None  # why a comparison would not be like with like (when not comparable)
    figures: tuple[SalaryBand, ...]

    @property
    def sources(self) -> tuple[tuple[str, int], ...]:
        return tuple((band.seed, line) for band in self.figures for line in (band.lines or (band.line,)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "low": self.low,
            "high": self.high,
            "open_ended": self.open_ended,
            "median": self.median,
            "basis": self.basis,
            "band_level": self.band_level,
            "fallback": self.fallback,
            "comparable": self.comparable,
            "reason": self.reason,
            "note": self.note,
            "sources": [{"seed": seed, "line": line} for seed, line in self.sources],
        }


def _ranges(profile: RoleProfile) -> list[SalaryBand]:
    return [
        band
        for band in profile.salary_bands
        if band.scope == "role" and band.kind == "range" and band.unit == "amount" and band.component is None
        and band.low is not None and band.high is not None
    ]  # fmt: skip


def _single_level(profile: RoleProfile, ranges: Sequence[SalaryBand]) -> str | None:
    """The title's level when every range that names a level names only that one."""
    title = profile.title_level
    if title is None or any(set(band.levels) - {title} for band in ranges):
        return None
    return title


def _levels(band: SalaryBand, single: str | None) -> tuple[str, ...]:
    if band.levels:
        return band.levels
    return (single,) if single and not band.all_levels else ()


def _rank(band: SalaryBand) -> tuple[bool, bool, bool, int, int]:
    dedicated = bool(band.section) and is_salary_heading(band.section[0])
    by_level = len(band.section) > 1 and bool(_BY_LEVEL.search(band.section[-1]))
    stated = len(band.levels) or len(LEVELS)  # a range naming its level beats an unlevelled one
    return (band.basis == "total", not dedicated, not by_level, stated, band.line)


def _words(band: SalaryBand) -> str:
    return f'line {band.line} "{band.label}"' if band.label else f"line {band.line}"


def _make(level: str, bands: Sequence[SalaryBand], *, band_level: str | None, fallback: str | None,
          reason: str, note: str | None = None) -> LevelBand:  # fmt: skip
    low = min(band.low for band in bands if band.low is not None)
    high = max(band.high for band in bands if band.high is not None)
    return LevelBand(
        level=level,
        low=low,
        high=high,
        open_ended=any(band.open_ended and band.high == high for band in bands),
        median=bands[0].median if len(bands) == 1 else None,
        basis=bands[0].basis if len({band.basis for band in bands}) == 1 else "unspecified",
        band_level=band_level,
        fallback=fallback,
        comparable=note is None,
        reason=reason,
        note=note,
        figures=tuple(bands),
    )


def _known(profile: RoleProfile, level: str, ranges: list[SalaryBand], single: str | None) -> LevelBand | None:
    levelled = [(band, _levels(band, single)) for band in ranges]
    base = [(band, levels) for band, levels in levelled if band.basis != "total" and levels]
    exact = sorted((band for band, levels in base if level in levels), key=_rank)
    if exact:
        return _make(level, exact[:1], band_level=level, fallback=None, reason=f"{_words(exact[0])}: the {level} range")
    totals = sorted((band for band, levels in levelled if band.basis == "total" and level in levels), key=_rank)
    only_total = f"; the document gives only total compensation for {level} ({_words(totals[0])})" if totals else ""
    distance = {id(band): min(abs(LEVELS.index(x) - LEVELS.index(level)) for x in levels) for band, levels in base}
    nearest = sorted((band for band, _ in base), key=lambda band: (distance[id(band)], _rank(band)))
    if nearest and distance[id(nearest[0])] == 1:
        band = nearest[0]
        return _make(level, [band], band_level=_closest(band, level, single), fallback="nearest_level",
                     reason=f"{_words(band)}: no {level} range, the next level's")  # fmt: skip
    every = sorted((band for band in ranges if band.all_levels and band.basis != "total"), key=_rank)
    if every:
        return _make(level, every[:1], band_level=None, fallback="all_levels",
                     reason=f"{_words(every[0])}: no {level} range, the role's range across all levels",
                     note=f"the band spans all levels, not {level}{only_total}")  # fmt: skip
    if nearest:
        band = nearest[0]
        named = "/".join(_levels(band, single))
        return _make(level, [band], band_level=_closest(band, level, single), fallback="nearest_level",
                     reason=f"{_words(band)}: no {level} range, the nearest level's",
                     note=f"the band is for {named}, not next to {level}{only_total}")  # fmt: skip
    if totals:
        return _make(level, totals[:1], band_level=level, fallback=None,
                     reason=f"{_words(totals[0])}: the {level} figure is total compensation only",
                     note=f"the document gives only total compensation for {level}; {_BASE_ONLY}")  # fmt: skip
    return None


def _closest(band: SalaryBand, level: str, single: str | None) -> str:
    return min(_levels(band, single), key=lambda x: (abs(LEVELS.index(x) - LEVELS.index(level)), LEVELS.index(x)))


def _unknown(profile: RoleProfile, ranges: list[SalaryBand], single: str | None) -> LevelBand | None:
    for total in (False, True):
        usable = [band for band in ranges if (band.basis == "total") == total]
        note = f"the document gives only total compensation; {_BASE_ONLY}" if total else None
        every = sorted((band for band in usable if band.all_levels), key=_rank)
        if every:
            return _make(UNKNOWN, every[:1], band_level=None, fallback="level_unknown",
                         reason=f"{_words(every[0])}: no level stated, the role's range across all levels",
                         note=note)  # fmt: skip
        if single is not None:
            own = sorted((band for band in usable if single in _levels(band, single)), key=_rank)
            if own:
                return _make(UNKNOWN, own[:1], band_level=single, fallback="level_unknown",
                             reason=f"{_words(own[0])}: no level stated, the {single} range the document is about",
                             note=note)  # fmt: skip
        per_level = []
        for level in LEVELS:
            exact = sorted((band for band in usable if level in band.levels), key=_rank)
            if exact and exact[0] not in per_level:
                per_level.append(exact[0])
        if per_level:
            lines = ", ".join(str(band.line) for band in per_level)
            first, last = per_level[0].levels[0], per_level[-1].levels[-1]
            return _make(UNKNOWN, per_level, band_level=None, fallback="level_unknown",
                         reason=f"lines {lines}: no level stated and no all-levels range, the span of the "
                         f"document's level ranges ({first} to {last})", note=note)  # fmt: skip
    return None


def level_band(profile: RoleProfile, level: str) -> LevelBand | None:
    """The band for a level in `LEVELS` or "unknown"; None when the document has no range that fits.

    Raises ValueError for any other level.
    """
    if level != UNKNOWN and level not in LEVELS:
        raise ValueError(f"level: expected one of {', '.join((*LEVELS, UNKNOWN))}, got {level!r}")
    ranges = _ranges(profile)
    single = _single_level(profile, ranges)
    if level == UNKNOWN:
        return _unknown(profile, ranges, single)
    return _known(profile, level, ranges, single)


def level_bands(profile: RoleProfile) -> list[LevelBand]:
    """The band of every level in `LEVELS`, then of "unknown"; levels no range fits are left out."""
    found = (level_band(profile, level) for level in (*LEVELS, UNKNOWN))
    return [band for band in found if band is not None]


def profile_dict(profile: RoleProfile) -> dict[str, Any]:
    """A profile as JSON data, with the band each level gets and why (`level_bands`)."""
    return {**profile.to_dict(), "level_bands": [choice.to_dict() for choice in level_bands(profile)]}
