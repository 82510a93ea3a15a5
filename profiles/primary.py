"""Which of a role's own salary bands to use for each level: the `primary` flag."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from profiles.models import LEVELS, SalaryBand
from profiles.sections import is_salary_heading

__all__ = ["mark_primary"]

_BY_LEVEL = re.compile(r"(?i)\b(?:experience|level|levels|seniority)\b")
_BASIS_ORDER = {"base": 0, "total": 1, "unspecified": 2}


def _dedicated(band: SalaryBand) -> bool:
    return bool(band.section) and is_salary_heading(band.section[0])


def _by_level(band: SalaryBand) -> bool:
    return len(band.section) > 1 and bool(_BY_LEVEL.search(band.section[-1]))


def _level_rank(band: SalaryBand) -> tuple[bool, bool, int, int, int]:
    return (
        not _dedicated(band),
        not _by_level(band),
        len(band.levels),
        _BASIS_ORDER[band.basis],
        band.line,
    )


def _unlevelled_rank(band: SalaryBand) -> tuple[bool, bool, int]:
    return (not _dedicated(band), band.basis != "base", band.line)


def mark_primary(bands: Sequence[SalaryBand]) -> tuple[SalaryBand, ...]:
    """Flag, among the `role`-scope bands, the one to use for each level and for "no level".

    For each level in `LEVELS`, of the role bands covering it the primary one is, in order of
    preference: in the dedicated "Salary Ranges (...)" section; under a by-experience/by-level
    sub-heading ("Salary by Experience Level"); covering the fewest levels; base over total over
    unspecified; the earliest line. A level with a single role band gets that band.

    Of the role bands stating no level, the primary one is the dedicated-section band with basis
    "base", else the first dedicated-section band, else (outside that section) the first base
    band, else the first. Only ranges are primary (an average, a median or a single figure is a point
    of reference); bands of other scopes (company, city, region, related) never are. Which band a
    posting gets is decided by `level_bands`, which this flag does not drive.
    """
    role = [
        index
        for index, band in enumerate(bands)
        if band.scope == "role" and band.unit == "amount" and band.kind == "range"
    ]
    chosen: set[int] = set()
    for level in LEVELS:
        covering = [index for index in role if level in bands[index].levels]
        if covering:
            chosen.add(min(covering, key=lambda index: _level_rank(bands[index])))
    unlevelled = [index for index in role if not bands[index].levels]
    if unlevelled:
        chosen.add(min(unlevelled, key=lambda index: _unlevelled_rank(bands[index])))
    return tuple(replace(band, primary=index in chosen) for index, band in enumerate(bands))
