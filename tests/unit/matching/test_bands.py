from helpers import band, profile

from matching.bands import band_level, expected_band


def role_with(*bands, title_level=None):
    return profile("r", "Widget Engineer", "widgets", bands=bands, title_level=title_level)


def test_exact_level_uses_the_primary_band_and_cites_its_lines():
    p = role_with(
        band(10, 100_000, 150_000, levels=("senior",)),
        band(
            20, 160_000, 250_000, levels=("senior",), primary=True, open_ended=True, median=200_000, lines=(19, 20, 21)
        ),
    )  # fmt: skip
    chosen = expected_band(p, "senior", "Austin, TX")
    assert (chosen.low, chosen.high, chosen.median, chosen.open_ended) == (160_000, 250_000, 200_000, True)
    assert chosen.fallback is None and chosen.level == "senior"
    assert chosen.sources == (("r.txt", 19), ("r.txt", 20), ("r.txt", 21))
    assert chosen.applies and chosen.market == "US"


def test_missing_level_falls_back_to_the_nearest_level_and_says_so():
    p = role_with(band(5, 90_000, 120_000, levels=("entry",)), band(6, 200_000, 300_000, levels=("lead", "principal")))
    chosen = expected_band(p, "mid", None)
    assert (chosen.low, chosen.level, chosen.fallback) == (90_000, "entry", "nearest_level")
    assert band_level("intern") == "entry" and band_level("manager") == "lead" and band_level("unknown") is None


def test_no_role_band_falls_back_to_a_related_band():
    p = role_with(band(3, 141_000, 250_000, scope="related"), band(4, 400_000, 500_000, scope="company"))
    chosen = expected_band(p, "senior", None)
    assert (chosen.low, chosen.high, chosen.fallback) == (141_000, 250_000, "related")


def test_document_level_from_the_title_counts_as_exact():
    p = role_with(band(7, 325_000, 1_013_000, basis="total"), title_level="staff")
    chosen = expected_band(p, "staff", None)
    assert (chosen.low, chosen.basis, chosen.fallback, chosen.level) == (325_000, "total", None, "staff")


def test_company_and_city_figures_are_never_the_expected_band():
    p = role_with(band(3, 231_000, 338_000, scope="company"), band(4, 179_061, 179_061, scope="city"))
    assert expected_band(p, "senior", "San Francisco, CA") is None


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


def test_city_figure_against_the_national_average_scales_the_band_and_both_lines_are_cited():
    national = band(15, 150_000, 170_000, primary=True)
    sf = band(40, 192_000, 192_000, scope="city", places=("San Francisco",))
    nyc = band(41, 144_000, 144_000, scope="city", places=("New York City",))
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)), national, sf, nyc)
    chosen = expected_band(p, "mid", "San Francisco, CA")
    assert (chosen.low, chosen.high) == (120_000, 240_000)  # 192,000 / 160,000 = 1.2
    assert chosen.adjustment["scope"] == "city" and chosen.adjustment["factor"] == 1.2
    assert ("r.txt", 40) in chosen.sources and ("r.txt", 15) in chosen.sources
    below = expected_band(p, "mid", "New York, NY")  # "New York City" names the city a posting calls New York
    assert (below.low, below.high) == (90_000, 180_000)
    assert expected_band(p, "mid", "Austin, TX").adjustment is None


def test_a_city_figure_without_a_national_average_changes_nothing():
    sf = band(40, 192_000, 192_000, scope="city", places=("San Francisco",))
    p = role_with(band(20, 100_000, 200_000, levels=("mid",)), sf)
    chosen = expected_band(p, "mid", "San Francisco, CA")
    assert (chosen.low, chosen.high, chosen.adjustment) == (100_000, 200_000, None)
