"""Expected bands over the real seeds: facts a reader can check in the documents."""

from pathlib import Path

import pytest

from matching.bands import compare_with_band, expected_band
from matching.pay import StatedPay
from profiles import find_profile, load_profiles

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles(SEEDS)


def test_backend_senior_band_is_the_by_level_one_with_its_median(profiles):
    band = expected_band(find_profile(profiles, "003"), "senior", "Denver, CO")
    assert (band.low, band.high, band.median, band.open_ended, band.fallback) == (160_000, 250_000, 200_000, True, None)
    assert [line for _, line in band.sources] == [154, 155, 156]


def test_architect_senior_band_comes_from_the_salary_section(profiles):
    band = expected_band(find_profile(profiles, "002"), "senior", None)
    assert (band.low, band.high, band.basis) == (180_000, 250_000, "base")
    assert band.sources == (("002_f74c59131d98d3ae.txt", 126),)


def test_staff_ml_engineer_unknown_level_gets_the_ml_engineer_range_not_staff_total_compensation(profiles):
    # 001 line 119 "Average salary range: $141,000 - $250,000 annually", under "Market Demand" about
    # "machine learning engineers"; line 128 "$325,000 to $1,013,000" is the staff total compensation.
    staff_ml = find_profile(profiles, "001")
    band = expected_band(staff_ml, "unknown", None)
    assert (band.low, band.high, band.basis, band.fallback, band.level) == (
        141_000,
        250_000,
        "base",
        "level_unknown",
        None,
    )
    assert band.sources == (("001_41618078fc070a62.txt", 119),)
    assert compare_with_band(StatedPay(185_000, 185_000, "USD", "year", "$185,000"), band) == ("within", None)


def test_staff_ml_engineer_staff_level_has_only_total_compensation_so_is_not_compared(profiles):
    staff_ml = find_profile(profiles, "001")
    band = expected_band(staff_ml, "staff", None)
    assert (band.low, band.high, band.basis, band.fallback) == (141_000, 250_000, "base", "all_levels")
    comparison, note = compare_with_band(StatedPay(206_000, 206_000, "USD", "year", "$206,000", basis="base"), band)
    assert comparison is None and "only total compensation for staff (line 128" in note
    intern = expected_band(staff_ml, "intern", None)  # no entry range: the all-levels one, never compared
    assert (intern.fallback, intern.comparable) == ("all_levels", False)


def test_open_ended_senior_staff_band_covers_pay_above_its_high(profiles):
    # 000 line 157 "Senior/Staff: $160,000 - $210,000+": "and up".
    band = expected_band(find_profile(profiles, "000"), "senior", None)
    assert (band.low, band.high, band.open_ended) == (160_000, 210_000, True)
    pay = StatedPay(220_000, 245_000, "USD", "year", "$220,000 - $245,000")
    assert compare_with_band(pay, band) == ("within", None)


def test_platform_engineer_unknown_level_spans_its_level_ranges_not_the_national_average(profiles):
    # 004 lines 156-161: Entry-Level $96,000-$152,601, Mid-Level $144,000-$166,399, Senior-Level $177,177-$250,000+;
    # line 150 "national average base salary ranges from $157,969 to $161,777" is an average, not a band.
    band = expected_band(find_profile(profiles, "004"), "unknown", "Denver, CO")
    assert (band.low, band.high, band.open_ended, band.fallback) == (96_000, 250_000, True, "level_unknown")
    assert [line for _, line in band.sources] == [156, 157, 158, 159, 160, 161]


def test_backend_west_coast_premium_is_applied_and_cited(profiles):
    band = expected_band(find_profile(profiles, "003"), "mid", "Seattle, WA")
    assert (band.low, band.high) == (120_000 * 1.1, 180_000 * 1.3)
    assert band.adjustment["label"].startswith("West Coast")
    assert ("003_528af5dccf2230f7.txt", 171) in band.sources


def test_a_band_stating_the_level_beats_an_unleveled_one_in_the_same_section(profiles):
    band = expected_band(find_profile(profiles, "000"), "staff", None)
    assert (band.low, band.high, band.open_ended) == (160_000, 210_000, True)
    assert band.sources == (("000_23e47e2845757334.txt", 157),)


def test_platform_engineer_in_san_francisco_scales_by_the_city_figure_over_the_national_average(profiles):
    # 004 line 163: "San Francisco, CA: $179,061"; line 150: national average base $157,969 to $161,777.
    band = expected_band(find_profile(profiles, "004"), "mid", "San Francisco, CA")
    factor = round(179_061 / ((157_969 + 161_777) / 2), 4)
    assert band.adjustment["factor"] == factor
    assert (band.low, band.high) == (round(144_000 * factor, 2), round(166_399 * factor, 2))
    assert [line for _, line in band.sources] == [158, 159, 163, 150]  # "Mid-Level:" and its range


def test_an_intern_gets_the_entry_range_said_as_the_next_level(profiles):
    band = expected_band(find_profile(profiles, "000"), "intern", None)
    # 000's "Entry-level: $110,000 - $130,000" (line 155), the level next to intern
    assert (band.low, band.high, band.level, band.fallback) == (110_000, 130_000, "entry", "nearest_level")
    assert expected_band(find_profile(profiles, "000"), "entry", None).fallback is None
