from dataclasses import replace

import pytest
from helpers import band, profile

from matching.bands import band_level, compare_with_band, expected_band
from matching.pay import StatedPay
from profiles.level_bands import level_band

BY_LEVEL = ("Salary Ranges (US Market, 2024)", "Salary by Experience Level")
GENERAL = ("Salary Ranges (US Market, 2024)", "General Salary Range")


def role_with(*bands, title_level=None):
    return profile("r", "Widget Engineer", "widgets", bands=bands, title_level=title_level)


def base_pay(low, high=None, period="year", currency="USD", basis="base"):
    return StatedPay(low, high if high is not None else low, currency, period, f"${low}", basis=basis)


def test_a_by_level_range_beats_a_general_one_and_its_lines_are_cited():
    general = replace(band(10, 100_000, 150_000, levels=("mid", "senior")), section=GENERAL)
    by_level = replace(band(20, 160_000, 250_000, levels=("senior",), open_ended=True, median=200_000,
                            lines=(19, 20, 21)), section=BY_LEVEL)  # fmt: skip
    chosen = expected_band(role_with(general, by_level), "senior", "Austin, TX")
    assert (chosen.low, chosen.high, chosen.median, chosen.open_ended) == (160_000, 250_000, 200_000, True)
    assert chosen.fallback is None and chosen.level == "senior" and chosen.comparable
    assert chosen.sources == (("r.txt", 19), ("r.txt", 20), ("r.txt", 21))
    assert chosen.applies and chosen.market == "US"


def test_the_next_level_is_a_comparable_fallback_two_levels_away_is_not():
    p = role_with(band(5, 90_000, 120_000, levels=("entry",)), band(6, 200_000, 300_000, levels=("lead", "principal")))
    mid = expected_band(p, "mid", None)
    assert (mid.low, mid.level, mid.fallback, mid.comparable) == (90_000, "entry", "nearest_level", True)
    senior = expected_band(p, "senior", None)  # entry and lead are both two levels away; the lower one wins
    assert (senior.low, senior.fallback, senior.comparable) == (90_000, "nearest_level", False)
    assert "not next to senior" in senior.note
    assert band_level("intern") == "entry" and band_level("manager") == "lead" and band_level("unknown") is None


def test_a_levels_total_compensation_gives_way_to_the_roles_base_range_across_all_levels():
    total = band(7, 325_000, 1_013_000, basis="total")
    every = band(3, 141_000, 250_000, all_levels=True)
    chosen = expected_band(role_with(total, every, title_level="staff"), "staff", None)
    assert (chosen.low, chosen.high, chosen.basis, chosen.fallback) == (141_000, 250_000, "base", "all_levels")
    assert not chosen.comparable
    assert "only total compensation for staff (line 7" in chosen.note


def test_only_total_compensation_for_the_level_is_reported_and_never_compared_with_base_pay():
    p = role_with(band(7, 325_000, 1_013_000, basis="total"), title_level="staff")
    chosen = expected_band(p, "staff", None)
    assert (chosen.low, chosen.basis, chosen.fallback, chosen.level) == (325_000, "total", None, "staff")
    comparison, note = compare_with_band(base_pay(185_000, basis="base"), chosen)
    assert comparison is None and "only total compensation" in note
    assert compare_with_band(base_pay(400_000, basis="total"), chosen) == ("within", None)


def test_unknown_level_takes_the_roles_range_across_all_levels_and_compares():
    p = role_with(band(3, 141_000, 250_000, all_levels=True), band(7, 325_000, 1_013_000, basis="total"),
                  title_level="staff")  # fmt: skip
    chosen = expected_band(p, "unknown", None)
    assert (chosen.low, chosen.high, chosen.fallback, chosen.level) == (141_000, 250_000, "level_unknown", None)
    assert compare_with_band(base_pay(185_000, basis="unspecified"), chosen) == ("within", None)


def test_unknown_level_without_an_all_levels_range_spans_the_level_ranges():
    p = role_with(band(5, 96_000, 152_601, levels=("entry",)), band(6, 144_000, 166_399, levels=("mid",)),
                  band(7, 177_177, 250_000, levels=("senior",), open_ended=True))  # fmt: skip
    chosen = expected_band(p, "unknown", None)
    assert (chosen.low, chosen.high, chosen.open_ended, chosen.median) == (96_000, 250_000, True, None)
    assert [line for _, line in chosen.sources] == [5, 6, 7]
    assert chosen.fallback == "level_unknown" and "entry to senior" in chosen.reason


def test_unknown_level_in_a_document_about_one_level_takes_that_levels_range():
    p = role_with(band(4, 144_000, 230_000, levels=("senior",)), band(9, 180_000, 250_000), title_level="senior")
    chosen = expected_band(p, "unknown", None)
    assert (chosen.low, chosen.level, chosen.fallback) == (144_000, "senior", "level_unknown")


def test_averages_medians_single_figures_and_top_earners_are_never_the_band():
    p = role_with(
        band(1, 157_969, 161_777, kind="average"),  # "the national average base salary ranges from ... to ..."
        band(2, 161_286, 165_671, kind="median", levels=("senior",)),
        band(3, 180_000, 180_000, kind="figure"),
        band(4, 350_000, 400_000, kind="top"),
        band(5, 70_000, None, kind="bound", levels=("entry",)),
    )
    assert expected_band(p, "senior", None) is None
    assert expected_band(p, "unknown", None) is None
    assert compare_with_band(base_pay(150_000, basis="base"), None)[0] is None


def test_company_related_and_city_figures_are_never_the_expected_band():
    p = role_with(band(3, 231_000, 338_000, scope="company"), band(4, 179_061, 179_061, scope="city"),
                  band(5, 141_000, 250_000, scope="related"))  # fmt: skip
    assert expected_band(p, "senior", "San Francisco, CA") is None


def test_an_open_ended_band_has_no_upper_limit():
    p = role_with(band(7, 160_000, 210_000, levels=("senior",), open_ended=True))
    chosen = expected_band(p, "senior", None)
    assert compare_with_band(base_pay(215_000, 250_000, basis="base"), chosen) == ("within", None)
    assert compare_with_band(base_pay(100_000, 150_000, basis="base"), chosen) == ("below", None)


def test_total_pay_or_ote_is_not_compared_with_a_base_band():
    chosen = expected_band(role_with(band(7, 100_000, 150_000, levels=("mid",))), "mid", None)
    assert compare_with_band(base_pay(200_000, basis="ote"), chosen) == (
        None, "stated pay is on-target earnings; the band is base pay")  # fmt: skip
    assert compare_with_band(base_pay(200_000, basis="total"), chosen)[0] is None
    assert compare_with_band(base_pay(120_000, currency="EUR", basis="base"), chosen) == (
        None, "stated pay is in EUR; the band is in USD")  # fmt: skip


def test_region_adjustment_applies_where_the_location_matches_and_is_cited():
    west = band(30, 10, 30, scope="region", unit="percent", currency=None, period=None,
                label="West Coast", places=("San Francisco", "Seattle"))  # fmt: skip
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)), west)
    assert expected_band(p, "mid", "Denver, CO").adjustment is None
    for location in ("Seattle, WA", "Los Angeles, CA"):  # named city, then a state in the region
        chosen = expected_band(p, "mid", location)
        assert (chosen.low, chosen.high) == (110_000, 260_000)
        assert ("r.txt", 30) in chosen.sources
        assert chosen.adjustment["pct_low"] == 10


def test_outside_the_us_the_band_is_given_but_does_not_apply():
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)))
    chosen = expected_band(p, "mid", "Berlin, Germany")
    assert chosen.low == 100_000 and chosen.market == "US" and chosen.applies is False
    assert compare_with_band(base_pay(150_000, basis="base"), chosen) == (
        None, "the band is for the US market; the posting is outside it")  # fmt: skip


def test_city_figure_against_the_national_average_scales_the_band_and_both_lines_are_cited():
    national = band(15, 150_000, 170_000, kind="average")  # two estimates of one average: 160,000
    sf = band(40, 192_000, 192_000, scope="city", places=("San Francisco",), kind="figure")
    nyc = band(41, 144_000, 144_000, scope="city", places=("New York City",), kind="figure")
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)), national, sf, nyc)
    chosen = expected_band(p, "mid", "San Francisco, CA")
    assert (chosen.low, chosen.high) == (120_000, 240_000)  # 192,000 / 160,000 = 1.2
    assert chosen.adjustment["scope"] == "city" and chosen.adjustment["factor"] == 1.2
    assert ("r.txt", 40) in chosen.sources and ("r.txt", 15) in chosen.sources
    below = expected_band(p, "mid", "New York, NY")  # "New York City" names the city a posting calls New York
    assert (below.low, below.high) == (90_000, 180_000)
    assert expected_band(p, "mid", "Austin, TX").adjustment is None


def test_a_city_figure_without_a_national_average_changes_nothing():
    sf = band(40, 192_000, 192_000, scope="city", places=("San Francisco",), kind="figure")
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)), sf)
    chosen = expected_band(p, "mid", "San Francisco, CA")
    assert (chosen.low, chosen.high, chosen.adjustment) == (100_000, 200_000, None)


def test_level_band_refuses_an_unknown_level_name():
    with pytest.raises(ValueError, match=r"level: expected one of entry, .*, got 'intern'"):
        level_band(role_with(), "intern")
