"""The expected salary band for a matched posting: the role's band for its level, adjusted for place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from profiles.level_bands import UNKNOWN, level_band
from profiles.models import LEVELS, RoleProfile, SalaryBand

from .location import US_REGIONS, outside_us, us_state
from .pay import StatedPay, compare_to_band

__all__ = ["ExpectedBand", "band_level", "compare_with_band", "expected_band"]

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
    reason: str = ""  # which figure and why, in the document's words
    comparable: bool = True  # whether stated base pay can be compared with it
    note: str | None = None  # why not, when not comparable

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
            "reason": self.reason,
            "sources": [{"seed": seed, "line": line} for seed, line in self.sources],
        }


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
    """The document's national average (or median) pay for the role, unleveled, base pay where it says so.

    An average stated as two estimates ("ranges from $157,969 to $161,777") counts at their midpoint;
    a range with its own average or median line counts at that figure.
    """
    candidates = [
        b
        for b in profile.salary_bands
        if b.scope == "role" and not b.levels and b.unit == "amount" and b.component is None
        and (b.average is not None or b.median is not None
             or (b.kind in ("average", "median") and b.low is not None and b.high is not None))
    ]  # fmt: skip
    if not candidates:
        return None
    band = min(candidates, key=lambda b: (b.basis != "base", b.kind not in ("average", "median"), b.line))
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
    """The band a matched posting should expect (see `profiles.level_bands`), adjusted for its place;
    None when the document has no pay range that fits the level."""
    chosen = level_band(profile, band_level(level) or UNKNOWN)
    if chosen is None:
        return None
    low, high, median = chosen.low, chosen.high, chosen.median
    sources = list(chosen.sources)
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
        open_ended=chosen.open_ended,
        basis=chosen.basis,
        level=chosen.band_level,
        # An intern's band is entry's, a manager's lead's: the next level, said as such.
        fallback=chosen.fallback or ("nearest_level" if level in _BAND_LEVEL else None),
        market="US",
        applies=not abroad,
        sources=tuple(sources),
        adjustment=detail,
        reason=chosen.reason,
        comparable=chosen.comparable,
        note=chosen.note,
    )


def compare_with_band(pay: StatedPay, band: ExpectedBand | None) -> tuple[str | None, str | None]:
    """`(comparison, comparison_note)` for stated pay against the expected band: "below", "within"
    or "above" when like is compared with like, else None and the reason.

    Stated pay is base pay unless the posting says otherwise (`basis` "unspecified" counts as base);
    total pay or OTE is compared only with a total-compensation band. An open-ended band
    ("$160,000 - $210,000+") has no upper limit.
    """
    basis = pay.basis
    if band is None:
        return None, "no band: the role's document has no pay range that fits this level"
    if not band.applies:
        return None, f"the band is for the {band.market} market; the posting is outside it"
    if pay.currency != band.currency:
        return None, f"stated pay is in {pay.currency or 'an unnamed currency'}; the band is in {band.currency}"
    stated_total = basis in ("total", "ote")
    if stated_total and band.basis != "total":
        what = "on-target earnings" if basis == "ote" else "total compensation"
        return None, f"stated pay is {what}; the band is base pay"
    if not stated_total and band.basis == "total":
        return None, band.note or "the band is total compensation; stated pay is base pay"
    if not band.comparable and not (stated_total and band.basis == "total"):
        return None, band.note
    comparison = compare_to_band(pay, band.low, None if band.open_ended else band.high, band_currency=band.currency)
    if comparison is None:
        return None, "stated pay has no yearly figure"
    return comparison, None
