"""`work_text`: a posting's sections about the employer and the terms are left out of what is matched."""

import pytest
from helpers import OTHERS, PROFILES

from matching import RoleMatcher, posting_from_dict
from matching.work_text import work_text

WORK = "What you will do\nBuild REST APIs in Go for the billing service.\nRun it on Kubernetes."


@pytest.mark.parametrize(
    "heading",
    ["About Acme", "**About us**", "## Who we are", "Benefits:", "What we offer", "Why join us?",
     "Equal Opportunity Employer", "Compensation & Benefits", "What's in it for you?", "Location"],
)  # fmt: skip
def test_a_section_about_the_employer_or_the_terms_is_left_out_to_the_next_heading(heading):
    text = f"{WORK}\n{heading}\nWe are an AI company with generous machine learning perks.\n\nRequirements\nGo."
    assert work_text(text) == f"{WORK}\nRequirements\nGo."


@pytest.mark.parametrize(
    "heading", ["About the role", "About you", "About the ML Platform team", "About this position", "Responsibilities"]
)
def test_a_section_about_the_job_is_kept(heading):
    text = f"{heading}\nYou will train ranking models.\n{WORK}"
    assert work_text(text) == text


def test_a_section_left_out_runs_to_the_end_when_no_heading_follows():
    assert work_text(f"{WORK}\nBenefits\n* Dental\n* Pension, matched to 5%.") == WORK


def test_fields_sentences_and_list_items_are_not_headings():
    # "Location: Remote" is a field of the posting, the bullets are items of the list they are in.
    text = f"Location: Remote\n{WORK}\n* Benefits of the new design\n- About the API."
    assert work_text(text) == text


def test_a_text_mostly_left_out_is_kept_whole():
    # Two thirds gone means the headings were misread more likely than the posting is two thirds boilerplate.
    text = "Backend engineer.\nAbout Acme\n" + "Acme builds machine learning products for banks.\n" * 5
    assert work_text(text) == text


def test_a_text_without_headings_is_unchanged():
    text = "We need a backend engineer. About us: we are an AI company. Benefits: dental."
    assert work_text(text) is text


def test_what_an_employer_says_of_itself_does_not_move_the_scores():
    matcher = RoleMatcher().fit(PROFILES, OTHERS)
    job = posting_from_dict({"id": "p", "title": "Backend Developer", "description": WORK})
    about = "About Acme\nAcme is a machine learning company: LLMs, MLOps and PyTorch models in every product.\n"
    with_about = posting_from_dict({"id": "p", "title": "Backend Developer", "description": about + WORK})
    assert matcher.rank(with_about) == matcher.rank(job)


def test_a_persons_own_text_is_read_whole():
    # A CV's "About me" is about the person's work: only postings lose what they say of their employer.
    matcher = RoleMatcher().fit(PROFILES, OTHERS)
    text = "I write Go services for payments and run them on Kubernetes, with tests.\nAbout me\nI train PyTorch models."
    person = posting_from_dict({"id": "person", "title": "-", "description": text})
    assert matcher.scores([person], of_people=True).mentions.sum() > matcher.scores([person]).mentions.sum()
