"""Pay as a posting states it (`StatedPay`, `PayError`): periods, annualising, band checks, currency tables."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "BASES",
    "CODES",
    "DAILY_BELOW",
    "HOURLY_BELOW",
    "MONTHLY_BELOW",
    "PERIODS",
    "PERIOD_FACTORS",
    "SYMBOLS",
    "UNIT_SIZE",
    "PayError",
    "PayZone",
    "StatedPay",
    "annualise",
    "compare_to_band",
    "infer_period",
]

PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
# What stated pay covers: base pay, total pay (base plus bonus or commission), on-target earnings, or not known
# (a `StatedPay` built without the words around it).
BASES: tuple[str, ...] = ("base", "total", "ote", "unspecified")
# Full-time units in a year: 40 h x 52 weeks, 5 days x 52 weeks.
PERIOD_FACTORS: dict[str, int] = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}

# Magnitude rule for untagged figures, in US-dollar-sized units (see the package docstring).
HOURLY_BELOW = 300
DAILY_BELOW = 1_000
MONTHLY_BELOW = 20_000

# Rough units per US dollar, for the magnitude rule only (never to convert): an order of magnitude is enough.
UNIT_SIZE: dict[str, float] = {
    "INR": 80, "PKR": 280, "LKR": 300, "BDT": 110, "JPY": 150, "KRW": 1300, "CNY": 7, "HKD": 8, "TWD": 30,
    "PHP": 55, "IDR": 15_000, "VND": 24_000, "THB": 35, "MYR": 4.5, "SEK": 10, "NOK": 10, "DKK": 7,
    "PLN": 4, "CZK": 23, "HUF": 360, "RON": 4.5, "TRY": 30, "ZAR": 18, "NGN": 1_000, "KES": 130, "EGP": 48,
    "BRL": 5, "MXN": 17, "ARS": 900, "CLP": 900, "COP": 4_000, "UAH": 40, "ILS": 3.7, "AED": 3.7,
}  # fmt: skip

CODES = frozenset(
    ("USD", "CAD", "EUR", "GBP", "INR", "AUD", "NZD", "SGD", "HKD", "CHF", "JPY", "CNY", "SEK", "NOK", "DKK",
     "PLN", "CZK", "HUF", "RON", "TRY", "ILS", "AED", "SAR", "ZAR", "NGN", "KES", "EGP", "BRL", "MXN", "ARS",
     "CLP", "COP", "PEN", "PHP", "IDR", "MYR", "THB", "VND", "KRW", "TWD", "PKR", "BDT", "LKR", "UAH")
)  # fmt: skip
SYMBOLS: dict[str, str] = {
    "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "S$": "SGD",
    "SG$": "SGD", "HK$": "HKD", "R$": "BRL", "MX$": "MXN", "€": "EUR", "£": "GBP", "₹": "INR", "RS": "INR",
    "RS.": "INR", "RM": "MYR", "¥": "JPY", "₩": "KRW", "₱": "PHP", "₦": "NGN", "ZŁ": "PLN", "EURO": "EUR",
    "EUROS": "EUR", "POUNDS": "GBP", "RUPEES": "INR",
}  # fmt: skip


class PayError(ValueError):
    """Pay data that cannot be read; the message names the posting (when known) and the field."""


@dataclass(frozen=True)
class PayZone:
    """One of several ranges a posting states (a place, a zone, a level): its label and figures as written."""

    label: str  # the words before the range on its line ("California/New York", "Zone B"), or ""
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class StatedPay:
    """Pay as a posting states it: figures as written (not annualised), plus derived yearly figures.

    When the posting states several ranges in one currency and period, `low`-`high` is their overall span
    (the lowest low to the highest high) and `zones` holds each range.
    """

    low: float | None  # None for "up to $X"
    high: float | None  # None for "$X+" and "from $X"
    currency: str | None  # ISO 4217 code
    period: str | None  # one of PERIODS, as written or inferred
    text: str  # the words it came from
    basis: str = "unspecified"  # one of BASES
    zones: tuple[PayZone, ...] = ()

    def __post_init__(self) -> None:
        if self.period is not None and self.period not in PERIOD_FACTORS:
            raise PayError(f"period: expected one of {', '.join(PERIODS)}, got {self.period!r}")
        if self.basis not in BASES:
            raise PayError(f"basis: expected one of {', '.join(BASES)}, got {self.basis!r}")
        for name, value in (("low", self.low), ("high", self.high)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise PayError(f"{name}: expected a non-negative number, got {value!r}")

    @property
    def annual_low(self) -> float | None:
        return None if self.low is None or self.period is None else annualise(self.low, self.period)

    @property
    def annual_high(self) -> float | None:
        return None if self.high is None or self.period is None else annualise(self.high, self.period)

    def to_dict(self) -> dict[str, object]:
        return {
            "low": self.low,
            "high": self.high,
            "period": self.period,
            "currency": self.currency,
            "annual_low": self.annual_low,
            "annual_high": self.annual_high,
            "text": self.text,
            "basis": self.basis,
            "zones": [zone.to_dict() for zone in self.zones],
        }


def annualise(amount: float, period: str) -> float:
    """Amount per year for an amount per `period` (full-time: 2080 hours, 260 days, 52 weeks, 12 months)."""
    try:
        factor = PERIOD_FACTORS[period]
    except KeyError:
        raise PayError(f"period: expected one of {', '.join(PERIODS)}, got {period!r}") from None
    return round(amount * factor, 2)


def compare_to_band(
    pay: StatedPay, band_low: float | None, band_high: float | None, *, band_currency: str = "USD"
) -> str | None:
    """Say "below", "within" or "above" for the pay's annual midpoint against [band_low, band_high].

    None when there is no band, the pay is not in `band_currency`, or the pay has no yearly figure.
    A missing `band_high` means no upper limit (and a missing `band_low` no lower one).
    """
    if band_low is None and band_high is None:
        return None
    if pay.currency != band_currency:
        return None
    figures = [f for f in (pay.annual_low, pay.annual_high) if f is not None]
    if not figures:
        return None
    midpoint = sum(figures) / len(figures)
    if band_low is not None and midpoint < band_low:
        return "below"
    if band_high is not None and midpoint > band_high:
        return "above"
    return "within"


def infer_period(amount: float, currency: str | None) -> str:
    """The period an amount most likely is, by the magnitude rule (see the package docstring)."""
    size = amount / UNIT_SIZE.get(currency or "", 1)
    if size < HOURLY_BELOW:
        return "hour"
    if size < DAILY_BELOW:
        return "day"
    return "month" if size < MONTHLY_BELOW else "year"
