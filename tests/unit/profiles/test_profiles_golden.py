"""Golden facts about the real seed documents, each one checkable by reading `seeds/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from profiles import LEVELS, RoleProfile, SalaryBand, load_profiles

SEEDS = Path(__file__).parents[3] / "seeds"
TOP_LEVEL = [
    "Overview",
    "Core Responsibilities",
    "Requirements",
    "Career Development",
    "Market Demand",
    "Salary Ranges (US Market, 2024)",
    "Industry Trends",
    "Essential Soft Skills",
    "Best Practices",
    "Common Challenges",
]
COMPANY_NAMES = ("Qualcomm", "Tesla", "Meta", "Facebook", "Google", "Apple", "Netflix", "Amazon")
CITY_NAMES = ("San Francisco", "Seattle", "New York", "Los Angeles", "Austin", "Boston", "Silicon Valley")


@pytest.fixture(scope="module")
def profiles() -> list[RoleProfile]:
    return load_profiles(SEEDS)


def _profile(profiles: list[RoleProfile], prefix: str) -> RoleProfile:
    return next(profile for profile in profiles if profile.seed.startswith(prefix))


def _band(profile: RoleProfile, line: int, **fields: object) -> SalaryBand:
    found = [band for band in profile.salary_bands if band.line == line]
    found = [band for band in found if all(getattr(band, key) == value for key, value in fields.items())]
    assert len(found) == 1, f"{profile.seed}:{line}: {len(found)} bands match {fields}"
    return found[0]


def _all_bands() -> list[SalaryBand]:
    return [band for profile in load_profiles(SEEDS) for band in profile.salary_bands]


def test_five_profiles_with_titles_from_the_text(profiles: list[RoleProfile]) -> None:
    assert [(profile.seed[:3], profile.title, profile.title_level) for profile in profiles] == [
        ("000", "Staff Machine Learning Engineer specializing in infrastructure", "staff"),
        ("001", "Staff Machine Learning Engineer", "staff"),
        ("002", "Senior ML Infrastructure Architect", "senior"),
        ("003", "Backend Engineer specializing in ML Infrastructure", None),
        ("004", "Machine Learning Platform Engineer", None),
    ]
    assert len({profile.role for profile in profiles}) == 5
    assert _profile(profiles, "001").role == "staff-machine-learning-engineer"


def test_every_document_has_the_canonical_top_level_sections(profiles: list[RoleProfile]) -> None:
    for profile in profiles:
        assert [s.heading for s in profile.sections if s.level == 1] == TOP_LEVEL, profile.seed
        for section in profile.sections:
            assert section.path[-1] == section.heading
            assert len(section.path) == section.level


def test_sub_headings_and_prose_lead_ins(profiles: list[RoleProfile]) -> None:
    staff = _profile(profiles, "001")
    key = next(s for s in staff.sections if s.line == 148)
    assert (key.heading, key.level, key.path) == (
        "Key Responsibilities",
        2,
        ("Industry Trends", "Key Responsibilities"),
    )
    architect = _profile(profiles, "002")
    # "Senior ML Infrastructure Architects are responsible for:" is prose under "Key Responsibilities".
    assert 106 not in {s.line for s in architect.sections}
    assert "are responsible for:" in next(s for s in architect.sections if s.line == 105).text


def test_aliases_are_other_spellings_of_the_role_only(profiles: list[RoleProfile]) -> None:
    infra = _profile(profiles, "000")
    assert "Machine Learning Infrastructure Engineer" in infra.aliases
    assert "ML Infrastructure Engineer" in infra.aliases
    assert _profile(profiles, "003").aliases == ("Backend Engineer in ML Infrastructure",)
    titles = {profile.title for profile in profiles}
    for profile in profiles:
        assert not titles & set(profile.aliases), profile.seed
    # Roles named only under "Related Roles" / "Comparison to Related Roles" are no aliases.
    assert _profile(profiles, "002").aliases == ()


def test_skills_come_from_the_vocabulary_in_order_of_first_mention(profiles: list[RoleProfile]) -> None:
    backend = _profile(profiles, "003")
    for skill in ("Python", "PyTorch", "TensorFlow", "Kafka", "Spark", "MLflow", "Kubeflow", "Airflow"):
        assert skill in backend.skills
    assert backend.skills.index("Java") < backend.skills.index("Python")  # "(Java, Python, ...)"
    assert "Go" in _profile(profiles, "002").skills  # "Python, Go, or Rust"
    assert "feature stores" in _profile(profiles, "000").skills
    assert "Go" not in _profile(profiles, "000").skills


def test_backend_engineer_senior_band_spans_three_lines(profiles: list[RoleProfile]) -> None:
    band = _band(_profile(profiles, "003"), 155)
    assert band.levels == ("senior",)
    assert (band.low, band.high, band.open_ended, band.median) == (160_000, 250_000, True, 200_000)
    assert band.lines == (154, 155, 156)
    assert (band.scope, band.basis, band.primary) == ("role", "base", True)
    assert band.label == "Senior-Level (6+ years)"
    assert band.section == ("Salary Ranges (US Market, 2024)", "Salary by Experience Level")


def test_backend_engineer_overall_median_and_range_are_one_band(profiles: list[RoleProfile]) -> None:
    band = _band(_profile(profiles, "003"), 146)
    assert (band.low, band.high, band.open_ended, band.median) == (127_300, 256_500, True, 189_600)
    assert (band.lines, band.levels, band.primary) == ((145, 146), (), True)


def test_architect_states_four_base_ranges(profiles: list[RoleProfile]) -> None:
    architect = _profile(profiles, "002")
    base = [
        (band.line, band.low, band.high, band.levels)
        for band in architect.salary_bands
        if band.scope == "role" and band.basis == "base"
    ]
    assert base == [
        (17, 175_800, 312_200, ()),
        (98, 200_000, 265_000, ()),
        (116, 144_000, 230_000, ("senior",)),
        (126, 180_000, 250_000, ()),
    ]


def test_architect_dedicated_base_range_is_primary(profiles: list[RoleProfile]) -> None:
    architect = _profile(profiles, "002")
    band = _band(architect, 126)
    assert (band.low, band.high, band.basis, band.primary) == (180_000, 250_000, "base", True)
    assert not _band(architect, 17).primary
    assert not _band(architect, 129).primary  # total compensation, same section


def test_staff_ml_engineer_has_no_role_band_by_level(profiles: list[RoleProfile]) -> None:
    staff = _profile(profiles, "001")
    role = [band for band in staff.salary_bands if band.scope == "role"]
    assert [(band.line, band.levels) for band in role] == [(119, ()), (128, ())]
    # Line 128, under "Market Overview": the staff role's total compensation, with its average on line 127.
    total = _band(staff, 128)
    assert (total.basis, total.low, total.high, total.average, total.kind) == (
        "total",
        325_000,
        1_013_000,
        448_000,
        "range",
    )
    assert (total.lines, total.primary, total.all_levels) == ((127, 128), True, False)
    # Line 119 "Average salary range: $141,000 - $250,000" under "Market Demand", whose first line is about
    # "machine learning engineers": the role without its level, i.e. at every level; a range, not an average.
    every = _band(staff, 119)
    assert (every.low, every.high, every.basis, every.kind, every.all_levels) == (
        141_000,
        250_000,
        "base",
        "range",
        True,
    )
    # Line 164: an average for "experienced ML engineers" is a point of reference about another population.
    assert (_band(staff, 164).scope, _band(staff, 164).average, _band(staff, 164).kind) == (
        "related",
        112_962,
        "average",
    )


def test_what_each_figure_is_comes_from_its_words(profiles: list[RoleProfile]) -> None:
    platform = _profile(profiles, "004")
    # "The national average base salary ranges from $157,969 to $161,777": two estimates of one average.
    national = _band(platform, 150)
    assert (national.kind, national.low, national.high, national.scope) == ("average", 157_969, 161_777, "role")
    assert _band(platform, 157).kind == "range"  # "Entry-Level:" / "Range: $96,000 to $152,601 per year"
    assert _band(platform, 163).kind == "figure"  # "San Francisco, CA: $179,061"
    assert _band(platform, 190, scope="role").kind == "bound"  # "from $70,000 for entry-level positions"
    architect = _profile(profiles, "002")
    assert _band(architect, 132).kind == "top"  # "Top Earners" / "Potential Earnings: $350,000 to $400,000+"
    assert _band(architect, 120).kind == "median"  # "Median salaries for these roles range from ..."
    assert _band(architect, 142, kind="average").low == 152_000  # "Global average between $152,000 and ..."
    backend = _profile(profiles, "003")
    overall = _band(backend, 146)  # "Overall Salary Range" / "Median Salary" / "Range: ..."
    assert (overall.kind, overall.all_levels, overall.median) == ("range", True, 189_600)
    infra = _profile(profiles, "000")
    # "Specialized Infrastructure Roles: $113,000 to $180,000+" names other roles, not a level of this one.
    assert _band(infra, 148).scope == "related"
    assert (_band(infra, 147).levels, _band(infra, 147).all_levels) == (("mid", "senior"), False)


def test_breakdowns_split_into_components(profiles: list[RoleProfile]) -> None:
    staff = _profile(profiles, "001")
    qualcomm = [(b.component, b.low) for b in staff.salary_bands if b.line == 132]
    assert qualcomm == [("base", 190_000), ("stock", 56_700), ("bonus", 13_300)]
    meta = [(b.component, b.basis, b.low) for b in staff.salary_bands if b.line == 138]
    assert meta == [("base", "base", 184_000), ("additional", "unspecified", 92_000)]
    assert {b.scope for b in staff.salary_bands if 130 <= b.line <= 138} == {"company"}
    assert _band(staff, 131).label == "Qualcomm: Total compensation"


def test_city_and_company_figures_are_not_the_role(profiles: list[RoleProfile]) -> None:
    seattle = _band(_profile(profiles, "001"), 141)
    assert (seattle.scope, seattle.low, seattle.high, seattle.places) == ("city", None, 256_928, ("Seattle",))
    assert seattle.levels == ("senior",)
    platform = _profile(profiles, "004")
    assert _band(platform, 164).places == ("New York City",)
    assert _band(platform, 154).scope == "company"  # "Top-tier companies (e.g., Meta)"
    assert _band(platform, 183).scope == "company"  # "Startup Compensation"
    assert _band(platform, 140).scope == "related"  # "... for machine learning engineers in the US"


def test_west_coast_adjustment_is_a_percentage(profiles: list[RoleProfile]) -> None:
    band = _band(_profile(profiles, "003"), 171)
    assert (band.scope, band.unit, band.currency, band.period) == ("region", "percent", None, None)
    assert (band.low, band.high, band.label) == (10, 30, "West Coast")
    assert band.places == ("San Francisco", "Seattle")


def test_level_phrases(profiles: list[RoleProfile]) -> None:
    infra = _profile(profiles, "000")
    assert _band(infra, 147).levels == ("mid", "senior")  # "Mid-level to Senior"
    assert _band(infra, 157).levels == ("senior", "staff")  # "Senior/Staff"
    backend = _profile(profiles, "003")
    assert _band(backend, 158).levels == ("lead", "principal")  # "Lead/Principal Engineers"
    assert _band(backend, 149).levels == ("entry",)  # "Entry-Level (0-2 years)"
    assert _band(_profile(profiles, "002"), 116).levels == ("senior",)  # "for senior roles"


def test_by_experience_bands_are_primary_over_general_ones(profiles: list[RoleProfile]) -> None:
    infra = _profile(profiles, "000")
    assert [band.line for band in infra.salary_bands if band.primary] == [155, 156, 157]


@pytest.mark.parametrize("profile_index", range(5))
def test_one_primary_band_per_level(profiles: list[RoleProfile], profile_index: int) -> None:
    profile = profiles[profile_index]
    role = [band for band in profile.salary_bands if band.scope == "role" and band.kind == "range"]
    for level in LEVELS:
        covering = [band for band in role if level in band.levels]
        if covering:
            assert [band.primary for band in covering].count(True) == 1, (profile.seed, level)
    unlevelled = [band for band in role if not band.levels]
    assert [band.primary for band in unlevelled].count(True) == (1 if unlevelled else 0)
    assert not any(band.primary for band in profile.salary_bands if band.scope != "role")


def _written(value: float, band: SalaryBand) -> str:
    return f"{abs(value):g}" if band.unit == "percent" else f"{value:,.0f}"


@pytest.mark.parametrize("band", _all_bands(), ids=lambda band: f"{band.seed[:3]}:{band.line}:{band.label[:24]}")
def test_every_figure_is_written_on_its_cited_line(band: SalaryBand) -> None:
    lines = (SEEDS / band.seed).read_text(encoding="utf-8").split("\n")
    cited = lines[band.line - 1]
    assert band.text == cited.strip()
    assert band.line in band.lines
    for value in (band.low, band.high):
        if value is not None:
            assert _written(value, band) in cited
    for value in (band.median, band.average):
        if value is not None:
            assert any(_written(value, band) in lines[number - 1] for number in band.lines)
    assert band.low is not None or band.high is not None or band.median or band.average


def test_role_bands_are_not_about_companies_cities_or_other_roles() -> None:
    for band in _all_bands():
        if band.scope == "role":
            for word in (*COMPANY_NAMES, *CITY_NAMES, "Related", "billion"):
                assert word not in band.text, f"{band.seed}:{band.line}: {word!r} in {band.text!r}"


def test_market_sizes_are_not_pay() -> None:
    assert not [band for band in _all_bands() if "billion" in band.text]
