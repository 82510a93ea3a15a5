from helpers import band, profile

from worker.cli.render import render_profiles


def test_each_level_shows_its_band_the_figure_it_comes_from_and_why_it_is_not_compared():
    p = profile("r", "Staff Widget Engineer", "widgets", title_level="staff", bands=(
        band(3, 141_000, 250_000, all_levels=True, label="Average salary range"),
        band(7, 325_000, 1_013_000, basis="total", label="Market Overview"),
        band(9, 157_969, 161_777, kind="average", label="The national average base salary"),
    ))  # fmt: skip
    text = render_profiles([p])
    unknown = next(line for line in text.splitlines() if line.startswith("  unknown"))
    assert "$141,000-$250,000" in unknown and 'line 3 "Average salary range"' in unknown
    assert "the document gives only total compensation for staff (line 7" in text
    assert "point      line 9 average $157,969-$161,777 (base)" in text
