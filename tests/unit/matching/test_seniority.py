"""Seniority: levels from titles, false friends, combinations, and the description fallback."""

from __future__ import annotations

import dataclasses

import pytest

from matching.seniority import LEVELS, Seniority, read_seniority

# --- the title names a level ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "level", "evidence"),
    [
        # intern
        ("Data Science Intern (Summer 2025)", "intern", ("Intern",)),
        ("Software Engineering Internship", "intern", ("Internship",)),
        ("Co-op, Robotics Software", "intern", ("Co-op",)),
        ("Apprentice Web Developer", "intern", ("Apprentice",)),
        ("Werkstudent Data Engineering", "intern", ("Werkstudent",)),
        # entry
        ("Junior Backend Developer", "entry", ("Junior",)),
        ("Jr. QA Analyst", "entry", ("Jr.",)),
        ("Entry-Level Data Analyst", "entry", ("Entry-Level",)),
        ("New Grad Software Engineer 2025", "entry", ("New Grad",)),
        ("Graduate Data Scientist", "entry", ("Graduate",)),
        ("Associate Data Engineer", "entry", ("Associate",)),
        ("Trainee Java Developer", "entry", ("Trainee",)),
        # mid
        ("Intermediate Frontend Developer", "mid", ("Intermediate",)),
        ("Mid-Level Platform Engineer", "mid", ("Mid-Level",)),
        ("Experienced Site Reliability Engineer", "mid", ("Experienced",)),
        ("Semi Senior Python Developer", "mid", ("Semi Senior",)),
        ("Développeur Confirmé Java", "mid", ("Confirmé",)),
        # senior
        ("Senior Data Engineer", "senior", ("Senior",)),
        ("SENIOR BACKEND ENGINEER", "senior", ("SENIOR",)),
        ("Sr. Platform Engineer", "senior", ("Sr.",)),
        ("SR Systems Engineer", "senior", ("SR",)),
        ("(Senior) Fullstack Developer", "senior", ("Senior",)),
        ("Payments Engineer (Senior Level)", "senior", ("Senior",)),
        # staff
        ("Staff Backend Engineer", "staff", ("Staff",)),
        ("Compiler Engineer, Staff", "staff", ("Staff",)),
        # principal
        ("Principal Data Scientist", "principal", ("Principal",)),
        ("Platform Engineer, Principal - Search", "principal", ("Principal",)),
        ("Distinguished Engineer, Storage", "principal", ("Distinguished",)),
        ("Technical Fellow, Databases", "principal", ("Technical Fellow",)),
        # lead
        ("Lead Mobile Engineer", "lead", ("Lead",)),
        ("Tech Lead, Search Ranking", "lead", ("Tech Lead",)),
        ("Data Platform Lead", "lead", ("Lead",)),
        ("Streaming Lead Engineer", "lead", ("Lead",)),
        ("Managing Consultant, Data", "lead", ("Managing",)),
        # manager: people management, whatever the function
        ("Engineering Manager, Storage", "manager", ("Manager",)),
        ("Marketing Manager", "manager", ("Manager",)),
        ("Director of Platform Engineering", "manager", ("Director",)),
        ("Head of Machine Learning", "manager", ("Head of",)),
        ("VP, Data", "manager", ("VP",)),
        ("Chief Technology Officer", "manager", ("Chief",)),
        ("Team Lead, Billing Backend", "manager", ("Team Lead",)),
        ("Warehouse Supervisor", "manager", ("Supervisor",)),
        ("Managing Director, Research", "manager", ("Managing Director",)),
    ],
)
def test_title_levels(title: str, level: str, evidence: tuple[str, ...]) -> None:
    assert read_seniority(title) == Seniority(level, evidence, "title")


@pytest.mark.parametrize(
    ("title", "level", "evidence"),
    [
        ("Analytics Engineer I", "entry", ("I",)),
        ("Software Engineer I-Payments", "entry", ("I",)),
        ("Software Engineer II", "mid", ("II",)),
        ("Data Analyst II, Growth", "mid", ("II",)),
        ("Software Engineer III", "senior", ("III",)),
        ("Software Development Engineer in Test III", "senior", ("III",)),
        ("Cloud Engineer IV", "senior", ("IV",)),
        ("Software Engineer V", "staff", ("V",)),
        ("Data Engineer 1", "entry", ("1",)),
        ("Data Engineer 2 - Remote", "mid", ("2",)),
        ("Operations Engineer 3", "senior", ("3",)),
        ("Data Engineer 4 (Contract)", "senior", ("4",)),
        ("Software Engineer L4", "mid", ("L4",)),
        ("Data Engineer (L5) - Ads", "senior", ("L5",)),
        ("Software Engineer, L6", "staff", ("L6",)),
    ],
)
def test_grade_numbers_after_a_role_noun(title: str, level: str, evidence: tuple[str, ...]) -> None:
    assert read_seniority(title) == Seniority(level, evidence, "title")


@pytest.mark.parametrize(
    "title",
    [
        "Software Engineer ii",  # a numeral must be upper case ...
        "Phase II Clinical Data Manager",  # ... and follow a role noun (Manager decides here)
        "Level 2 Support Engineer",
        "Web 3 Developer",
        "Python Developer 5+ years",
        "Software Engineer 1 year contract",
        "L3 Support Engineer",
        "L2/L3 Network Engineer",
    ],
)
def test_numbers_that_are_not_grades(title: str) -> None:
    assert read_seniority(title).evidence == (() if "Manager" not in title else ("Manager",))


# --- words that look like levels but are not -----------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Internal Tools Engineer",
        "Internet Security Analyst",
        "International Sales Representative",
        "Staffing Coordinator",
        "Staff Accountant",
        "Lead Generation Specialist",
        "Sales Associate",
        "Real Estate Broker Associate",
        "Associate, IT, Data Engineer",
        "Product Manager",
        "Technical Program Manager",
        "Senior Living Community Advisor",
        "Data Entry Clerk",
        "Mid-Market Account Executive",
        "Head-Mounted Display Engineer",
        "Internship Program Coordinator",
        "Postdoctoral Research Fellow",
        "Software Engineer",
    ],
)
def test_false_friends_say_nothing(title: str) -> None:
    assert read_seniority(title) == Seniority("unknown", (), "none")


@pytest.mark.parametrize(
    ("title", "level", "evidence"),
    [
        ("Software Development Engineer in Test III - Lead Gen", "senior", ("III",)),
        ("Senior Product Manager", "senior", ("Senior",)),
        ("Associate Product Manager", "entry", ("Associate",)),
        ("Senior Staff Accountant", "senior", ("Senior",)),
        ("Lead Technical Program Manager", "lead", ("Lead",)),
        ("Chief of Staff, Engineering", "manager", ("Chief of Staff",)),
        ("Internal Audit Manager", "manager", ("Manager",)),
    ],
)
def test_false_friends_beside_real_levels(title: str, level: str, evidence: tuple[str, ...]) -> None:
    assert read_seniority(title) == Seniority(level, evidence, "title")


# --- several cues in one title -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "level", "evidence"),
    [
        ("Senior Staff Software Engineer", "staff", ("Senior Staff",)),
        ("Sr. Staff Engineer", "staff", ("Sr. Staff",)),
        ("Platform Engineer (Staff/Senior)", "staff", ("Staff",)),  # a range names its top
        ("Platform Engineer (Senior/Staff)", "staff", ("Staff",)),
        ("Junior/Mid Developer", "mid", ("Mid",)),
        ("Mid-Senior Data Engineer", "senior", ("Senior",)),
        ("Senior Principal Engineer", "principal", ("Principal",)),
        ("Principal Engineer - Technical Lead", "principal", ("Principal",)),
        ("Staff Software Engineer, Tech Lead", "staff", ("Staff",)),
        ("Senior Lead Data Engineer", "lead", ("Lead",)),
        ("Lead ML Engineer", "lead", ("Lead",)),
        ("Managing Data Scientist", "lead", ("Managing",)),
        ("Senior Engineering Manager", "manager", ("Manager",)),
        ("Principal Engineering Manager", "manager", ("Manager",)),
        ("Associate Director, Analytics", "manager", ("Director",)),
        ("Product Manager Intern", "intern", ("Intern",)),
        ("Management Trainee", "entry", ("Trainee",)),
        # a level word outranks a grade number, which only refines it
        ("Senior Machine Learning Engineer II", "senior", ("Senior",)),
        ("Senior Software Engineer I", "senior", ("Senior",)),
        ("QA Engineer III (Senior)", "senior", ("III", "Senior")),
        ("Engineering Manager II", "manager", ("Manager",)),
    ],
)
def test_combinations(title: str, level: str, evidence: tuple[str, ...]) -> None:
    result = read_seniority(title)
    assert (result.level, set(result.evidence), result.source) == (level, set(evidence), "title")


def test_title_wins_over_description() -> None:
    assert read_seniority("Junior Data Engineer", "You have 8+ years of experience.") == Seniority(
        "entry", ("Junior",), "title"
    )


# --- the description, when the title is silent ---------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "level", "evidence"),
    [
        ("You have 5+ years of experience building pipelines.", "senior", ("5+ years",)),
        ("Requirements:\n* 3-5 years of experience with Python", "mid", ("3-5 years",)),
        ("At least 2 years working with Kafka.", "entry", ("At least 2 years",)),
        ("0-1 years of professional experience.", "entry", ("0-1 years",)),
        ("Minimum of 4 years of industry experience.", "mid", ("Minimum of 4 years",)),
        ("You bring eight (8) years of relevant experience.", "senior", ("(8) years",)),
        ("**Experience:** 10+ Yrs", "senior", ("10+ Yrs",)),
        ("Must have 12+ years of experience.", "senior", ("12+ years",)),  # years never give staff
        # the first requirement decides; company history is not a requirement
        (
            "For over 30 years we have served banks. You have 3+ years of experience; 6+ years preferred.",
            "mid",
            ("3+ years",),
        ),
    ],
)
def test_years_of_experience(description: str, level: str, evidence: tuple[str, ...]) -> None:
    assert read_seniority("Data Engineer", description) == Seniority(level, evidence, "description")


@pytest.mark.parametrize(
    "description",
    [
        "It all started 10 years ago.",
        "We were voted a top place to work 10 years in a row.",
        "Vesting: 4 years total with a 5-year service award.",
        "Over the next 2 years you will grow the team.",
        "We have served clients for 25+ years.",
    ],
)
def test_years_that_are_not_requirements(description: str) -> None:
    assert read_seniority("Data Engineer", description) == Seniority("unknown", (), "none")


@pytest.mark.parametrize(
    ("description", "level", "evidence"),
    [
        ("This is a senior role on a small team.", "senior", ("senior",)),
        ("This entry-level role suits new coders.", "entry", ("entry-level",)),
        ("This is a paid summer internship.", "intern", ("internship",)),
        ("We are seeking an experienced Sr. Backend Engineer to join us.", "senior", ("Sr.",)),
        ("We're looking for a Staff Engineer who loves databases.", "staff", ("Staff",)),
        ("About us.\n\nAs a Principal Engineer, you will set direction.", "principal", ("Principal",)),
        ("Join us as a Lead Engineer and own the roadmap.", "lead", ("Lead",)),
        ("Job Title: Sr. ML Ops Engineer\nLocation: Remote", "senior", ("Sr.",)),
        ("Experience level: Junior", "entry", ("Junior",)),
        # an explicit statement beats the years
        ("This is a senior role. 3+ years of experience with Go.", "senior", ("senior",)),
    ],
)
def test_statements_about_the_role(description: str, level: str, evidence: tuple[str, ...]) -> None:
    assert read_seniority("Backend Engineer", description) == Seniority(level, evidence, "description")


@pytest.mark.parametrize(
    "description",
    [
        "You will work with senior engineers and mentor junior engineers.",
        "We are looking for someone to lead our data team.",
        "Hiring managers review every application.",
        "We are seeking an experienced engineer.",
        "Serve as team lead if appropriate.",
        "Every level is open. As a Senior Engineer you lead. As a Junior Engineer you learn.",
        "Flexible hours and a friendly team.",
        "",
    ],
)
def test_descriptions_that_say_nothing(description: str) -> None:
    assert read_seniority("Backend Engineer", description) == Seniority("unknown", (), "none")


# --- the result ----------------------------------------------------------------------------------------


def test_unknown_when_nothing_says_anything() -> None:
    assert read_seniority("") == Seniority("unknown", (), "none")
    assert read_seniority("Machine Learning Engineer, Vision") == Seniority("unknown", (), "none")


def test_result_is_frozen_and_levels_are_known() -> None:
    result = read_seniority("Senior Data Engineer")
    assert result.level in LEVELS
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.level = "staff"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("İstanbul Senior Engineer", ""),  # a letter that grows when lowered
        ("Engineer", "İSTANBUL ofisimiz: 5+ years of experience \ud800 broken surrogate"),
        ("\x00\t", "\n\n\n"),
        ("Engineer", "y" * 10_000),
    ],
)
def test_odd_text_does_not_raise(title: str, description: str) -> None:
    assert read_seniority(title, description).level in LEVELS
