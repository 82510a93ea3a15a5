"""Expected bands over the real seeds: facts a reader can check in the documents."""

from pathlib import Path

import pytest

from matching.bands import expected_band
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


def test_staff_ml_engineer_has_no_senior_band_so_falls_back_to_related(profiles):
    band = expected_band(find_profile(profiles, "001"), "senior", None)
    assert (band.low, band.high, band.fallback) == (141_000, 250_000, "related")
    staff = expected_band(find_profile(profiles, "001"), "staff", None)
    assert (staff.low, staff.high, staff.basis, staff.fallback) == (325_000, 1_013_000, "total", None)


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
