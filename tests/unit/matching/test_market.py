"""The market sketch: quantiles within one bin (3%) of the exact ones, exact merges, a fixed size, one count per
posting, and the market band of a result."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.market import (
    BIN_RATIO,
    BINS,
    MarketTable,
    Observation,
    PayHistogram,
    SeenFilter,
    bin_index,
    market_band,
    observation,
)

ERROR = BIN_RATIO - 1  # the stated bound: a quantile is within one bin of the exact one


def exact(values: list[float], q: float) -> float:
    return float(np.quantile(values, q, method="inverted_cdf"))


def histogram_of(values: list[float], currency: str = "USD") -> PayHistogram:
    histogram = PayHistogram(currency)
    for value in values:
        histogram.add(value)
    return histogram


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.75, 0.9])
def test_quantiles_are_within_one_bin_of_the_exact_ones(seed, q):
    rng = random.Random(seed)
    values = [rng.lognormvariate(math.log(150_000), 0.35) for _ in range(5_000)]
    estimate = histogram_of(values).quantile(q)
    assert estimate is not None
    assert abs(estimate / exact(values, q) - 1) <= ERROR


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=20_000, max_value=2_000_000), min_size=1, max_size=300),
    st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9]),
)
def test_any_data_small_or_skewed_stays_within_one_bin(values, q):
    estimate = histogram_of(values).quantile(q)
    assert estimate is not None
    assert abs(estimate / exact(values, q) - 1) <= ERROR + 1e-9


def test_yen_pay_gets_bins_of_its_own_magnitude():
    values = [random.Random(1).uniform(6_000_000, 14_000_000) for _ in range(1_000)]
    estimate = histogram_of(values, "JPY").quantile(0.5)
    assert estimate is not None and abs(estimate / exact(values, 0.5) - 1) <= ERROR
    assert 0 < bin_index(10_000_000, "JPY") < BINS - 1


def test_merging_day_buckets_gives_the_histogram_of_all_their_postings():
    rng = random.Random(7)
    days = [[rng.uniform(90_000, 260_000) for _ in range(rng.randrange(1, 60))] for _ in range(30)]
    merged = PayHistogram("USD")
    for day in reversed(days):
        merged.merge(histogram_of(day))
    everything = histogram_of([v for day in days for v in day])
    assert merged == everything
    assert merged.quantile(0.5) == everything.quantile(0.5)


def test_merging_another_currency_is_refused():
    with pytest.raises(ValueError, match="cannot merge EUR pay into USD pay"):
        PayHistogram("USD").merge(PayHistogram("EUR"))


def test_the_size_is_fixed_whatever_the_volume():
    small, large = histogram_of([150_000.0]), histogram_of([float(v) for v in range(1_000, 5_000_000, 37)])
    assert len(small.counts) == len(large.counts) == BINS
    assert len(small.to_bytes()) == 4  # the first bin in use, one count
    assert len(large.to_bytes()) <= 2 + 2 * BINS == 626  # one Redis day bucket at most


def test_bytes_round_trip_as_redis_keeps_them():
    for values in ([150_000.0, 150_000.0, 40_000.0, 9e9, 1.0], [150_000.0], [80_000.0, 90_000.0], []):
        histogram = histogram_of(values)
        assert PayHistogram.from_bytes("USD", histogram.to_bytes()) == histogram
    assert histogram_of([]).to_bytes() == b""
    data = histogram_of([80_000.0, 80_000.0, 90_000.0]).to_bytes()
    first = bin_index(80_000.0, "USD")
    assert data[:2] == first.to_bytes(2, "big") and data[2:4] == (2).to_bytes(2, "big")  # big-endian u16s
    with pytest.raises(ValueError, match="not a day bucket: 700 bytes"):
        PayHistogram.from_bytes("USD", bytes(700))
    with pytest.raises(ValueError, match="not a day bucket: 5 bytes"):
        PayHistogram.from_bytes("USD", bytes(5))


def test_a_count_is_capped_at_the_bucket_s_16_bits():
    histogram = histogram_of([])
    histogram.add(150_000.0, 70_000)
    assert PayHistogram.from_bytes("USD", histogram.to_bytes()).count == 65_535


def test_values_outside_the_range_count_at_its_edges():
    histogram = histogram_of([1.0, 5e10])
    assert histogram.counts[0] == 1 and histogram.counts[-1] == 1


def test_a_quantile_of_an_empty_histogram_is_none_and_q_is_checked():
    assert PayHistogram("USD").quantile(0.5) is None
    with pytest.raises(ValueError, match="q: expected a share from 0 to 1"):
        histogram_of([1e5]).quantile(1.5)


def result(posting_id="p1", *, status="matched", basis="base", currency="USD", low=120_000.0, high=160_000.0):
    return {
        "id": posting_id,
        "status": status,
        "role": "machine-learning-engineer" if status == "matched" else None,
        "level": "senior",
        "content_hash": "abc",
        "stated_salary": {"currency": currency, "basis": basis, "annual_low": low, "annual_high": high},
    }


def test_an_observation_is_the_annual_midpoint_of_matched_base_pay():
    seen = observation(result())
    assert seen == Observation("p1\0abc", "machine-learning-engineer", "senior", "USD", 140_000.0)
    assert observation(result(high=None)).value == 120_000.0  # type: ignore[union-attr]
    assert observation(result(status="no_match")) is None
    assert observation(result(basis="ote")) is None
    assert observation(result(currency=None)) is None
    assert observation(result(low=None, high=None)) is None
    assert observation({**result(), "stated_salary": None}) is None


def test_a_table_counts_a_posting_once_however_often_it_comes():
    table = MarketTable()
    assert table.add(observation(result("a")))  # type: ignore[arg-type]
    assert not table.add(observation(result("a")))  # type: ignore[arg-type]
    assert table.add(observation({**result("a"), "content_hash": "changed"}))  # type: ignore[arg-type]
    (row,) = table.rows()
    assert row["count"] == 2 and row["role"] == "machine-learning-engineer" and row["currency"] == "USD"
    assert set(row) == {"role", "level", "currency", "count", "p10", "p25", "p50", "p75", "p90"}


def test_the_seen_filter_remembers_and_rarely_confuses():
    seen = SeenFilter()
    assert all(seen.add(f"posting-{i}") for i in range(20_000))
    assert not any(seen.add(f"posting-{i}") for i in range(20_000))


def test_the_market_band_is_p25_to_p75_once_the_count_is_reached():
    histogram = histogram_of([float(v) for v in range(100_000, 200_000, 1_000)])  # 100 postings
    band = market_band(histogram, role="r", level="senior", currency="USD", min_count=20, window_days=90,
                       stated=result()["stated_salary"])  # fmt: skip
    assert band["count"] == 100 and abs(band["low"] / 125_000 - 1) <= ERROR and abs(band["high"] / 175_000 - 1) <= ERROR
    assert band["comparison"] == "within" and band["comparison_note"] is None
    assert market_band(histogram, role="r", level="senior", currency="USD", min_count=20, window_days=90,
                       stated=result(low=60_000, high=80_000)["stated_salary"])["comparison"] == "below"  # fmt: skip
    euro = market_band(histogram, role="r", level="senior", currency="USD", min_count=20, window_days=90,
                       stated=result(currency="EUR")["stated_salary"])  # fmt: skip
    assert euro["comparison"] is None and "EUR" in euro["comparison_note"]


def test_below_the_minimum_count_the_band_has_no_figures_and_says_why():
    band = market_band(histogram_of([150_000.0] * 19), role="r", level="senior", currency="USD", min_count=20,
                       window_days=90, stated=result()["stated_salary"])  # fmt: skip
    assert band["count"] == 19 and band["low"] is None and band["high"] is None and band["comparison"] is None
    assert band["comparison_note"] == "19 postings with stated pay in the last 90 days, fewer than 20"
    empty = market_band(None, role="r", level="senior", currency="USD", min_count=20, window_days=90)
    assert empty["count"] == 0 and empty["low"] is None
