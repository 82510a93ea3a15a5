"""The expected salary band for a matched posting: the role's band for its level, adjusted for place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from profiles.models import LEVELS, RoleProfile, SalaryBand

from .location import US_REGIONS, outside_us, us_state

__all__ = ["ExpectedBand", "band_level", "expected_band"]

# Posting levels that have no band of their own borrow the nearest band level.
_BAND_LEVEL = {"intern": "entry", "manager": "lead"}


def band_level(level: str) -> str | None:
    """The salary-band level for a posting level (`None` for "unknown")."""
    if level in LEVELS:
        return level
    return _BAND_LEVEL.get(level)


@dataclass(frozen=True)
class ExpectedBand:
    """A band as a result reports it: USD a year, where it came from, and whether it applies."""

    low: float | None
    high: float | None
    median: float | None
    open_ended: bool
    basis: str
    level: str | None  # the band's level (differs from the posting's when `fallback` says so)
    fallback: str | None  # None: the role's own band for the level; else how it was chosen
    market: str
    applies: bool
    sources: tuple[tuple[str, int], ...]
    adjustment: dict[str, Any] | None = None
    currency: str = "USD"
    period: str = "year"

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "median": self.median,
            "open_ended": self.open_ended,
            "currency": self.currency,
            "period": self.period,
            "basis": self.basis,
            "level": self.level,
            "fallback": self.fallback,
            "market": self.market,
            "applies": self.applies,
            "adjustment": self.adjustment,
            "sources": [{"seed": seed, "line": line} for seed, line in self.sources],
        }


def _is_pay_range(band: SalaryBand) -> bool:
    return band.unit == "amount" and band.component is None and (band.low is not None or band.high is not None)


def _in_salary_section(band: SalaryBand) -> bool:
    return bool(band.section) and band.section[0].lower().startswith("salary")


def _pick(bands: Sequence[SalaryBand]) -> SalaryBand:
    """From the dedicated salary section first, then one that states its level, then primary, a full
    range, base pay, the earliest line."""
    return min(
        bands,
        key=lambda b: (
            not _in_salary_section(b),
            not b.levels,
            not b.primary,
            b.low is None or b.high is None,
            b.basis != "base",
            b.line,
        ),
    )


def _choose(profile: RoleProfile, level: str | None) -> tuple[SalaryBand, str | None, str | None] | None:
    role = [b for b in profile.salary_bands if b.scope == "role" and _is_pay_range(b)]
    leveled = [b for b in role if b.levels]
    unleveled = [b for b in role if not b.levels]
    if level is not None:
        exact = [b for b in leveled if level in b.levels]
        if profile.title_level == level:
            exact += unleveled  # the document's own level, stated by its title ("Senior ... Architect")
        if exact:
            return _pick(exact), level, None
        if leveled:
            distance = {b.line: min(abs(LEVELS.index(x) - LEVELS.index(level)) for x in b.levels) for b in leveled}
            nearest = min(distance.values())
            band = _pick([b for b in leveled if distance[b.line] == nearest])
            return band, band.levels[0], "nearest_level"
    elif unleveled:
        return _pick(unleveled), profile.title_level, "level_unknown"
    related = [b for b in profile.salary_bands if b.scope == "related" and _is_pay_range(b)]
    if related:
        return _pick(related), None, "related"
    if unleveled:
        return _pick(unleveled), profile.title_level, "role_overall"
    if leveled:
        return _pick(leveled), leveled[0].levels[0], "level_unknown"
    return None


def _adjustment(profile: RoleProfile, location: str | None) -> tuple[float, float, dict[str, Any]] | None:
    """A documented city or regional premium matching the posting's location, as factors on low and high.

    A city figure ("San Francisco, CA: $179,061") counts against the document's national average, so it
    becomes a factor on the level's band; a city beats a region, which beats nothing.
    """
    if not location:
        return None
    return _city_adjustment(profile, location.lower()) or _region_adjustment(profile, location)


def _places_match(places: Sequence[str], lowered: str) -> bool:
    names = [place.lower() for place in places]
    return any(name in lowered or name.removesuffix(" city") in lowered for name in names)


def _national_average(profile: RoleProfile) -> tuple[float, SalaryBand] | None:
    """The document's national average pay for the role, unleveled, base pay where it says so."""
    candidates = [
        b
        for b in profile.salary_bands
        if b.scope == "role" and not b.levels and b.unit == "amount" and b.component is None
        and (b.average is not None or b.median is not None or (b.low is not None and b.high is not None))
    ]  # fmt: skip
    if not candidates:
        return None
    band = min(candidates, key=lambda b: (b.basis != "base", not b.primary, b.line))
    if band.average is not None:
        return band.average, band
    if band.median is not None:
        return band.median, band
    assert band.low is not None and band.high is not None  # by the filter above
    return (band.low + band.high) / 2, band


def _city_adjustment(profile: RoleProfile, lowered: str) -> tuple[float, float, dict[str, Any]] | None:
    cities = [
        b
        for b in profile.salary_bands
        if b.scope == "city" and b.unit == "amount" and not b.levels and b.low is not None and b.low == b.high
        and _places_match(b.places, lowered)
    ]  # fmt: skip
    national = _national_average(profile)
    if not cities or national is None:
        return None
    city = min(cities, key=lambda b: b.line)
    reference, reference_band = national
    assert city.low is not None  # by the filter above
    factor = round(city.low / reference, 4)
    detail = {"scope": "city", "label": ", ".join(city.places), "factor": factor, "city_figure": city.low,
              "national_average": round(reference, 2), "seed": city.seed, "line": city.line,
              "reference_line": reference_band.line}  # fmt: skip
    return factor, factor, detail


def _region_adjustment(profile: RoleProfile, location: str) -> tuple[float, float, dict[str, Any]] | None:
    lowered = location.lower()
    state = us_state(location)
    for band in profile.salary_bands:
        if band.scope != "region" or band.unit != "percent" or band.low is None:
            continue
        in_region = state is not None and any(
            region in band.label.lower() and state in states for region, states in US_REGIONS.items()
        )
        if _places_match(band.places, lowered) or in_region:
            high = band.high if band.high is not None else band.low
            detail = {"scope": "region", "label": band.label, "pct_low": band.low, "pct_high": high,
                      "seed": band.seed, "line": band.line}  # fmt: skip
            return 1 + band.low / 100, 1 + high / 100, detail
    return None


def expected_band(profile: RoleProfile, level: str, location: str | None) -> ExpectedBand | None:
    """The band a matched posting should expect, or None when the document states no usable pay."""
    chosen = _choose(profile, band_level(level))
    if chosen is None:
        return None
    band, band_lvl, fallback = chosen
    low, high, median = band.low, band.high, band.median
    sources = [(band.seed, line) for line in (band.lines or (band.line,))]
    adjustment = _adjustment(profile, location)
    detail = None
    if adjustment is not None:
        low_factor, high_factor, detail = adjustment
        low = round(low * low_factor, 2) if low is not None else None
        high = round(high * high_factor, 2) if high is not None else None
        median = None  # a median does not survive a percentage range
        sources.append((detail["seed"], detail["line"]))
        if "reference_line" in detail:
            sources.append((detail["seed"], detail["reference_line"]))
    abroad = outside_us(location)
    return ExpectedBand(
        low=low,
        high=high,
        median=median,
        open_ended=band.open_ended,
        basis=band.basis,
        level=band_lvl,
        fallback=fallback,
        market="US",
        applies=not abroad,
        sources=tuple(sources),
        adjustment=detail,
    )
