"""Observed pay per role and level (`PayHistogram`, `MarketTable`, `market_band`): a bounded, mergeable sketch.

The sketch is a fixed histogram of annual pay on log-spaced bins: `BINS` bins, each `BIN_RATIO` (3%) wider than the
one below, from `LOW_EDGE` to about 10,000,000 US-dollar-sized units (`UNIT_SIZE` moves the range to a currency's
magnitude: yen bins start at 150,000, not 1,000; a currency it does not list is taken as dollar-sized). Why this
and not a t-digest or KLL:

- merging is exact: two histograms add bin by bin, in any order, so daily buckets merge on read into the same
  figures however the postings were spread over days and workers;
- its size is fixed whatever the volume: `BINS` counters, at most 2 bytes each in a Redis day bucket (which keeps
  only the span of bins in use);
- a quantile is off by less than one bin: within `BIN_RATIO - 1` (3%) of the exact one, for any data (a value
  outside the range counts at its edge).

A posting's figure is the midpoint of its stated `annual_low` and `annual_high` (or the one it states), base pay
only (`basis` "base" or "unspecified"): total compensation and on-target earnings would mix two different
numbers. Only `matched` postings count, under their role and level ("unknown" included) and their pay's currency.
"""

from __future__ import annotations

import hashlib
import math
import sys
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from profiles.models import LEVELS

from .pay.stated import UNIT_SIZE

__all__ = [
    "BINS",
    "BIN_RATIO",
    "LOW_EDGE",
    "QUANTILES",
    "MarketTable",
    "Observation",
    "PayHistogram",
    "SeenFilter",
    "bin_index",
    "compare_with_market",
    "market_band",
    "observation",
]

BIN_RATIO = 1.03
LOW_EDGE = 1_000.0  # in US-dollar-sized units (times `UNIT_SIZE[currency]`)
BINS = 312  # LOW_EDGE * BIN_RATIO ** 312 ~ 10.1 million
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
_LOG_RATIO = math.log(BIN_RATIO)
COUNTED_BASES = ("base", "unspecified")


def _unit(currency: str) -> float:
    return float(UNIT_SIZE.get(currency, 1.0))


def bin_index(value: float, currency: str) -> int:
    """The bin of an annual figure in `currency` (values outside the range go to the first or last bin)."""
    scaled = value / (LOW_EDGE * _unit(currency))
    if scaled <= 1.0:
        return 0
    return min(BINS - 1, int(math.log(scaled) / _LOG_RATIO))


def _edge(index: float, currency: str) -> float:
    return LOW_EDGE * _unit(currency) * float(BIN_RATIO**index)


@dataclass
class PayHistogram:
    """Counts of annual pay in one currency on the fixed log-spaced bins; adds, merges and answers quantiles."""

    currency: str
    counts: list[int] = field(default_factory=lambda: [0] * BINS)

    @property
    def count(self) -> int:
        return sum(self.counts)

    def add(self, value: float, n: int = 1) -> None:
        self.counts[bin_index(value, self.currency)] += n

    def merge(self, other: PayHistogram) -> None:
        """Add another histogram of the same currency (a day bucket, a chunk of a feed) to this one."""
        if other.currency != self.currency:
            raise ValueError(f"currency: cannot merge {other.currency} pay into {self.currency} pay")
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]

    def quantile(self, q: float) -> float | None:
        """The pay below which a share `q` of the postings fall (None when empty): found in its bin, then placed
        inside the bin as if its postings were spread evenly on the log scale. Within 3% of the exact quantile."""
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"q: expected a share from 0 to 1, got {q!r}")
        total = self.count
        if total == 0:
            return None
        rank = q * total
        below = 0
        for index, n in enumerate(self.counts):
            if n and below + n >= rank:
                return round(_edge(index + (rank - below) / n, self.currency), 2)
            below += n
        return round(_edge(BINS, self.currency), 2)  # not reached: rank <= total

    def to_bytes(self) -> bytes:
        """The layout of a Redis day bucket: the first non-zero bin, then the counts from it to the last non-zero
        one, each a big-endian unsigned 16-bit integer capped at 65,535 (b"" when empty). Only the span of bins
        in use is kept: a day's postings of one role and level rarely spread over more than a few dozen bins."""
        used = [i for i, n in enumerate(self.counts) if n]
        if not used:
            return b""
        first, last = used[0], used[-1]
        packed = array("H", [first, *(min(n, 0xFFFF) for n in self.counts[first : last + 1])])
        if sys.byteorder == "little":
            packed.byteswap()
        return packed.tobytes()

    @classmethod
    def from_bytes(cls, currency: str, data: bytes) -> PayHistogram:
        """The histogram a day bucket holds (`to_bytes`'s layout). Raises ValueError for bytes of another shape."""
        if not data:
            return cls(currency)
        packed = array("H", data[: len(data) - len(data) % 2])
        if sys.byteorder == "little":
            packed.byteswap()
        first, counts = packed[0], packed[1:]
        if len(data) % 2 or first + len(counts) > BINS:
            raise ValueError(f"not a day bucket: {len(data)} bytes from bin {first} (at most {BINS} bins)")
        histogram = cls(currency)
        histogram.counts[first : first + len(counts)] = counts
        return histogram

    def to_sparse(self) -> dict[str, int]:
        """The non-zero counts, by bin number (for JSON)."""
        return {str(i): n for i, n in enumerate(self.counts) if n}

    @classmethod
    def from_sparse(cls, currency: str, counts: Mapping[str, int]) -> PayHistogram:
        histogram = cls(currency)
        for index, n in counts.items():
            histogram.counts[int(index)] += int(n)
        return histogram


@dataclass(frozen=True)
class Observation:
    """One posting's stated pay as the market counts it: its identity (`posting`: id and content hash), role,
    level, currency and annual figure."""

    posting: str
    role: str
    level: str
    currency: str
    value: float

    def to_list(self) -> list[Any]:
        return [self.posting, self.role, self.level, self.currency, self.value]

    @classmethod
    def from_list(cls, data: list[Any]) -> Observation:
        posting, role, level, currency, value = data
        return cls(str(posting), str(role), str(level), str(currency), float(value))


def _annual_midpoint(stated: Mapping[str, Any]) -> float | None:
    figures = [
        float(f)
        for f in (stated.get("annual_low"), stated.get("annual_high"))
        if isinstance(f, int | float) and not isinstance(f, bool) and f > 0 and math.isfinite(f)
    ]
    return sum(figures) / len(figures) if figures else None


def observation(result: Mapping[str, Any]) -> Observation | None:
    """What a result adds to the market: None unless it is `matched` and states base pay with a currency and a
    yearly figure."""
    stated = result.get("stated_salary")
    if result.get("status") != "matched" or not isinstance(stated, Mapping):
        return None
    currency = stated.get("currency")
    value = _annual_midpoint(stated)
    if not currency or value is None or stated.get("basis") not in COUNTED_BASES:
        return None
    posting = f"{result.get('id')}\0{result.get('content_hash') or ''}"
    return Observation(posting, str(result["role"]), str(result.get("level") or "unknown"), str(currency), value)


class SeenFilter:
    """A bounded set of postings already counted (a Bloom filter: 1 MB, 4 hashes). It never forgets one; it may
    take a new one for a repeat, about once in 200,000 at 100,000 postings and 2% at a million."""

    BITS = 1 << 23
    HASHES = 4

    def __init__(self) -> None:
        self._bits: bytearray | None = None  # allocated with the first posting: most feeds state no pay

    def add(self, key: str) -> bool:
        """Remember `key`; True when it is new."""
        if self._bits is None:
            self._bits = bytearray(self.BITS // 8)
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=4 * self.HASHES).digest()
        new = False
        for i in range(self.HASHES):
            bit = int.from_bytes(digest[4 * i : 4 * i + 4], "little") % self.BITS
            byte, mask = bit >> 3, 1 << (bit & 7)
            if not self._bits[byte] & mask:
                self._bits[byte] |= mask
                new = True
        return new


@dataclass
class MarketTable:
    """Histograms per (role, level, currency): a feed's observed pay (`jobmatch batch`) or a window's (Redis)."""

    histograms: dict[tuple[str, str, str], PayHistogram] = field(default_factory=dict)
    seen: SeenFilter = field(default_factory=SeenFilter, repr=False, compare=False)

    def add(self, item: Observation) -> bool:
        """Count one posting's pay, once per posting (id and content hash); True when it was counted."""
        if not self.seen.add(item.posting):
            return False
        self.histogram(item.role, item.level, item.currency).add(item.value)
        return True

    def add_all(self, items: Iterable[Observation]) -> None:
        for item in items:
            self.add(item)

    def histogram(self, role: str, level: str, currency: str) -> PayHistogram:
        key = (role, level, currency)
        if key not in self.histograms:
            self.histograms[key] = PayHistogram(currency)
        return self.histograms[key]

    def rows(self) -> list[dict[str, Any]]:
        """One row per role, level and currency (by role, then level order, then currency): `count` and the
        quantiles `p10` ... `p90` of annual pay."""
        order = {level: n for n, level in enumerate(LEVELS)}
        keys = sorted(self.histograms, key=lambda k: (k[0], order.get(k[1], len(order)), k[1], k[2]))
        return [_row(key, self.histograms[key]) for key in keys if self.histograms[key].count]


def _row(key: tuple[str, str, str], histogram: PayHistogram) -> dict[str, Any]:
    role, level, currency = key
    row: dict[str, Any] = {"role": role, "level": level, "currency": currency, "count": histogram.count}
    for q in QUANTILES:
        row[f"p{round(q * 100)}"] = histogram.quantile(q)
    return row


def market_band(
    histogram: PayHistogram | None,
    *,
    role: str,
    level: str,
    currency: str,
    min_count: int,
    window_days: int,
    stated: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The market band of a role and level: the observed p25-p75 (`low`, `high`) and median of annual base pay
    in `currency` over the window, with how many postings it rests on; the figures are null below `min_count`.
    `comparison` and `comparison_note` place the `stated` pay (a result's `stated_salary`) against it."""
    count = histogram.count if histogram is not None else 0
    enough = histogram is not None and count >= min_count
    band: dict[str, Any] = {
        "role": role,
        "level": level,
        "currency": currency,
        "count": count,
        "window_days": window_days,
        "low": histogram.quantile(0.25) if enough and histogram else None,
        "median": histogram.quantile(0.5) if enough and histogram else None,
        "high": histogram.quantile(0.75) if enough and histogram else None,
        "min_count": min_count,
    }
    if not enough:
        comparison: str | None = None
        note: str | None = f"{count} postings with stated pay in the last {window_days} days, fewer than {min_count}"
    else:
        comparison, note = compare_with_market(stated, band)
    return {**band, "comparison": comparison, "comparison_note": note}


def compare_with_market(stated: Mapping[str, Any] | None, band: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """`(comparison, comparison_note)`: "below", "within" or "above" the band's p25-p75 for the stated pay's
    annual midpoint, else None and why (no stated pay, another currency, not base pay, no yearly figure)."""
    if not stated:
        return None, "the posting states no pay"
    if stated.get("currency") != band["currency"]:
        return None, f"stated pay is in {stated.get('currency') or 'an unnamed currency'}; the band is in " + str(
            band["currency"]
        )
    if stated.get("basis") not in COUNTED_BASES:
        return None, "stated pay is not base pay; the market band is base pay"
    value = _annual_midpoint(stated)
    if value is None:
        return None, "stated pay has no yearly figure"
    if value < band["low"]:
        return "below", None
    if value > band["high"]:
        return "above", None
    return "within", None
