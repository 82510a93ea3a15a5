"""Parsing and loading seed documents: a synthetic sixth role, slugs, look-ups and malformed input."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from profiles import (
    ProfileError,
    ProfileNotFoundError,
    RoleProfile,
    SeedFolderError,
    SeedFormatError,
    find_profile,
    load_profiles,
    parse_role,
)
from profiles.money import find_adjustment, find_amounts
from profiles.sections import is_heading
from profiles.skills import find_skills

SEEDS = Path(__file__).parents[3] / "seeds"

DATA_PLATFORM = """\
Overview
The role of a Senior Data Platform Engineer is to build the platforms analysts use: Python, Airflow, dbt.
Core Responsibilities
- Run batch and streaming pipelines on Kafka and Spark
Salary Ranges (US Market, 2024)
Senior Data Platform Engineers are paid well across the US market.
Salary by Experience Level
- Mid-Level: $120,000 - $150,000
- Senior-Level: $150,000 - $195,000
- Staff: $190,000 to $240,000+
Salary by Location
- Seattle, WA: $185,000
Industry Trends
Data contracts are spreading; the data platform market may reach $20 billion by 2030.
"""


def _doc(title_sentence: str = "The role of a Data Engineer is to move data.", salary: str = "") -> str:
    salary = salary or "- Range: $100,000 - $150,000"
    return f"Overview\n{title_sentence}\nSalary Ranges (US Market, 2024)\nBase Salary\n{salary}\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sixth_document_loads_beside_the_real_seeds(tmp_path: Path) -> None:
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, tmp_path / seed.name)
    _write(tmp_path, "005_data_platform.txt", DATA_PLATFORM)

    profiles = load_profiles(tmp_path)

    assert len(profiles) == 6
    new = profiles[-1]
    assert (new.seed, new.role, new.title) == (
        "005_data_platform.txt",
        "senior-data-platform-engineer",
        "Senior Data Platform Engineer",
    )
    assert new.title_level == "senior"
    assert new.skills == ("Python", "Airflow", "dbt", "Kafka", "Spark")
    bands = [(b.line, b.levels, b.low, b.high, b.open_ended, b.scope, b.primary) for b in new.salary_bands]
    assert bands == [
        (8, ("mid",), 120_000, 150_000, False, "role", True),
        (9, ("senior",), 150_000, 195_000, False, "role", True),
        (10, ("staff",), 190_000, 240_000, True, "role", True),
        (12, (), 185_000, 185_000, False, "city", False),
    ]
    assert {band.basis for band in new.salary_bands} == {"base"}  # "Salary by ..." headings
    assert new.content_hash == hashlib.sha256(DATA_PLATFORM.encode()).hexdigest()


def test_parse_role_is_pure() -> None:
    assert parse_role(DATA_PLATFORM, source="x.txt") == parse_role(DATA_PLATFORM, source="x.txt")


def test_title_sentence_shapes() -> None:
    as_a = parse_role(_doc("As a Data Engineer specializing in Streaming, you'll own pipelines."), source="a.txt")
    assert as_a.title == "Data Engineer specializing in Streaming"
    a_is = parse_role(_doc("A Principal Applied Scientist is a researcher who ships."), source="b.txt")
    assert (a_is.title, a_is.title_level) == ("Principal Applied Scientist", "principal")


def test_colliding_slugs_get_numbered_suffixes(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "c.txt"):
        _write(tmp_path, name, _doc())
    _write(tmp_path, "notes.json", "{}")  # not a seed document

    profiles = load_profiles(str(tmp_path))

    assert [(p.seed, p.role) for p in profiles] == [
        ("a.txt", "data-engineer"),
        ("b.md", "data-engineer-2"),
        ("c.txt", "data-engineer-3"),
    ]


@pytest.fixture(scope="module")
def real_profiles() -> list[RoleProfile]:
    return load_profiles(SEEDS)


@pytest.mark.parametrize(
    "key",
    [
        "machine-learning-platform-engineer",
        "004_fcf23e25403f976d.txt",
        "004_fcf23e25403f976d",
        "004",
    ],
)
def test_find_profile_by_slug_seed_or_prefix(real_profiles: list[RoleProfile], key: str) -> None:
    assert find_profile(real_profiles, key).title == "Machine Learning Platform Engineer"


def test_find_profile_prefers_an_exact_slug(real_profiles: list[RoleProfile]) -> None:
    # "staff-machine-learning-engineer" is also the start of document 000's slug.
    assert find_profile(real_profiles, "staff-machine-learning-engineer").seed.startswith("001")


def test_find_profile_names_what_exists(real_profiles: list[RoleProfile]) -> None:
    with pytest.raises(ProfileNotFoundError, match=r"no profile 'nurse'; known: .*backend-engineer"):
        find_profile(real_profiles, "nurse")
    with pytest.raises(ProfileNotFoundError, match=r"'00' is ambiguous: it matches 000_.*001_"):
        find_profile(real_profiles, "00")


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(SeedFolderError, match=r"nowhere: seed folder does not exist"):
        load_profiles(tmp_path / "nowhere")
    with pytest.raises(SeedFolderError, match=r"no seed documents \(expected \*\.txt or \*\.md files\)"):
        load_profiles(tmp_path)
    with pytest.raises(SeedFolderError, match=r"a\.txt: not a folder"):
        load_profiles(_write(tmp_path, "a.txt", _doc()))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.txt", "", r"empty\.txt:1: document is empty"),
        ("blank.txt", "\n  \n", r"blank\.txt:1: document is empty"),
        ("prose.txt", "\nThis document starts with a sentence.\n", r"prose\.txt:2: first line is not a heading"),
        (
            "untitled.txt",
            _doc("This overview never says which role it is about."),
            r"untitled\.txt:2: no role title: no 'Title: <Title>' line in the Overview, no sentence there like "
            r"'The role of a <Title> is \.\.\.'.*no words in the file name 'untitled\.txt'",
        ),
        (
            "nopay.txt",
            "Overview\nThe role of a Data Engineer is to move data.\nRequirements\n- SQL\n",
            r"nopay\.txt:1: document has no salary section \(expected a top-level heading like 'Salary Ranges",
        ),
        (
            "dollar.txt",
            _doc(salary="- Range: $ to $150,000"),
            r"dollar\.txt:5: salary line has no amount after '\$'",
        ),
        (
            "inverted.txt",
            _doc(salary="- Range: $200,000 to $150,000"),
            r"inverted\.txt:5: salary range \$200,000 to \$150,000 has its low end above its high end",
        ),
    ],
)
def test_malformed_documents_name_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    _write(tmp_path, name, text)
    with pytest.raises(SeedFormatError, match=message):
        load_profiles(tmp_path)


def test_undecodable_bytes_name_their_line(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(b"Overview\nThe role of a Data Engineer\nis caf\xe9\n")
    with pytest.raises(SeedFormatError, match=r"latin\.txt:3: not UTF-8 text"):
        load_profiles(tmp_path)


def test_errors_share_one_base() -> None:
    for error in (SeedFormatError, SeedFolderError, ProfileNotFoundError):
        assert issubclass(error, ProfileError)
    assert str(SeedFormatError("seeds/foo.txt", 144, "salary line has no amount")) == (
        "seeds/foo.txt:144: salary line has no amount"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Overview", True),
        ("Salary Ranges (US Market, 2024)", True),
        ("Key Responsibilities:", True),
        ("Cloud vs. On-Premise Considerations", True),
        ("Senior ML Infrastructure Architects are responsible for:", False),
        ("Market Growth: The global ML market is projected to grow.", False),
        ("- Qualcomm", False),
        ("In summary, this is a sentence.", False),
    ],
)
def test_heading_lines(line: str, expected: bool) -> None:
    assert is_heading(line) is expected


@pytest.mark.parametrize(
    ("text", "low", "high", "open_ended"),
    [
        ("Senior ML Engineers in Seattle can earn up to $256,928/year", None, 256_928, False),
        ("wages reach over $285,000 for senior roles", 285_000, None, True),
        ("Range: $160,000 - $250,000+", 160_000, 250_000, True),
        ("Global average between $152,000 and $224,100", 152_000, 224_100, False),
        ("Range: $150k to $200K", 150_000, 200_000, False),
    ],
)
def test_amount_bounds(text: str, low: float | None, high: float | None, open_ended: bool) -> None:
    (amount,) = find_amounts(text, source="t.txt", line=1)
    assert (amount.low, amount.high, amount.open_ended) == (low, high, open_ended)


def test_market_sizes_and_stats() -> None:
    assert find_amounts("projected to reach $410.22 billion by 2029, or USD 460.5 billion", source="t", line=1) == []
    (median,) = find_amounts("Median: $200,000", source="t.txt", line=1)
    assert (median.stat, median.value, median.low, median.high) == ("median", 200_000, None, None)


def test_regional_adjustments_only() -> None:
    west = find_adjustment("West Coast (e.g., San Francisco, Seattle): 10-30% higher than the national average")
    assert west is not None and (west.low, west.high) == (10, 30)
    south = find_adjustment("South: 5-10% below the national average")
    assert south is not None and (south.low, south.high) == (-10, -5)
    assert find_adjustment("Bonuses: Can range from 10-20% of base salary") is None
    assert find_adjustment("salary increases of 10-15% per year") is None


def test_markdown_seed_headings() -> None:
    text = (
        "# Overview\nThe role of a Senior Data Engineer is to move data.\n"
        "## Salary Ranges (US Market, 2024)\n### Salary by Experience Level\n- Senior: $150,000 - $190,000\n"
    )
    profile = parse_role(text, source="x.md")
    assert [s.path for s in profile.sections] == [
        ("Overview",),
        ("Salary Ranges (US Market, 2024)",),
        ("Salary Ranges (US Market, 2024)", "Salary by Experience Level"),
    ]
    assert [(b.levels, b.primary) for b in profile.salary_bands] == [(("senior",), True)]


def test_skills_respect_case_and_word_boundaries() -> None:
    text = "Go beyond: we use Go, Rust and C++ to spark joy in Spark jobs; R&D on Kubernetes (K8s), pytorch."
    assert find_skills(text) == ("Go", "Rust", "C++", "Spark", "Kubernetes", "PyTorch")


@pytest.mark.parametrize(
    ("name", "overview", "title", "source"),
    [
        ("005_x.txt", "Title: Streaming Data Engineer\nIt moves events.", "Streaming Data Engineer", "title line"),
        ("005_x.txt", "A Streaming Data Engineer designs and operates event pipelines.", "Streaming Data Engineer",
         "overview"),
        ("005_x.txt", "Streaming Data Engineers build and run event pipelines.", "Streaming Data Engineer",
         "overview"),
        ("005_streaming_data_engineer.txt", "This guide is about moving events.", "Streaming Data Engineer",
         "file name"),
        ("006_ml_platform_engineer_1f2e3d4c5b6a7980.txt", "About the job.", "ML Platform Engineer", "file name"),
    ],
)  # fmt: skip
def test_title_from_a_title_line_more_overview_shapes_or_the_file_name(name, overview, title, source):
    profile = parse_role(_doc(overview), source=name)
    assert (profile.title, profile.title_source) == (title, source)
    assert profile.to_dict()["title_source"] == source


def test_a_title_line_beats_an_overview_sentence():
    text = _doc("The role of a Data Engineer is to move data.\nTitle: Streaming Data Engineer")
    assert parse_role(text, source="x.txt").title == "Streaming Data Engineer"


def test_a_seed_file_name_with_only_its_number_and_id_gives_no_title():
    with pytest.raises(SeedFormatError, match=r"no words in the file name '000_23e47e2845757334\.txt'"):
        parse_role(_doc("This overview names no role."), source="000_23e47e2845757334.txt")
