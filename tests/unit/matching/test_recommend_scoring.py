import numpy as np
import pytest
from helpers import OTHERS, PROFILES

from matching import Classifier, RoleMatcher, posting_from_dict
from matching.cards import (
    CARD_BYTES,
    CARD_DTYPE,
    TERMS,
    card_of,
    decode_cards,
    is_remote,
    make_cards,
    place_hashes,
    posted_seconds,
)
from matching.recommend import (
    WEIGHTS,
    MinimumPay,
    Preferences,
    PreferencesError,
    candidate_counts,
    person_from,
    preferences_from_dict,
    role_fits,
    score_postings,
)

NOW = 1_760_000_000.0
DAY = 86400


@pytest.fixture(scope="module")
def classifier():
    return Classifier(RoleMatcher().fit(PROFILES, OTHERS), PROFILES)


def posting(pid, title, description, **extra):
    return posting_from_dict({"id": pid, "title": title, "description": description, **extra})


FEED = [
    posting("plat-1", "ML Platform Engineer", "Own the feature store, model registry and Kubeflow pipelines; CI/CD for "
            "models.", location="Remote, US", salary_text="$150,000 - $190,000", posted_at="2025-06-01"),
    posting("plat-2", "Senior Machine Learning Platform Engineer", "Kubeflow pipelines, model registry, feature store "
            "for our data scientists.", location="Berlin, Germany", salary_text="EUR 90,000 - 110,000"),
    posting("ml-1", "Machine Learning Engineer", "Train ranking and recommendation models with PyTorch; experiments "
            "and feature engineering.", location="Austin, TX", salary_text="$120,000 - $140,000"),
    posting("infra-1", "ML Infrastructure Engineer", "GPU clusters, distributed training, CUDA kernels, inference "
            "serving performance.", location="New York, NY"),
    posting("nurse-1", "Registered Nurse", "Patient care and medication administration on hospital shifts."),
]  # fmt: skip


@pytest.fixture(scope="module")
def published(classifier):
    results = classifier.classify_many(FEED)
    cards = make_cards(classifier.matcher, FEED, results, now=NOW)
    ids = [p.id for p, card in zip(FEED, cards, strict=True) if card is not None]
    return ids, decode_cards([card for card in cards if card is not None]), results


def test_a_card_is_made_for_each_matched_posting_only_and_has_a_fixed_size(classifier, published):
    ids, cards, results = published
    assert "nurse-1" not in ids
    assert ids == [r["id"] for r in results if r["status"] == "matched"]
    assert len(cards) == len(ids)
    assert cards.dtype == CARD_DTYPE and CARD_BYTES <= 256


def test_a_card_keeps_role_level_pay_place_time_and_heaviest_terms(classifier, published):
    results = classifier.classify_many(FEED[:1])
    card = card_of(make_cards(classifier.matcher, FEED[:1], results, now=NOW)[0])
    roles = [role for role, _, _ in classifier.matcher.roles_]
    assert roles[card.role] == "ml-platform-engineer" == results[0]["role"]
    assert card.score == pytest.approx(results[0]["score"], abs=1e-4)
    assert max(card.roles) == 1.0
    assert card.currency == "USD" and (card.annual_low, card.annual_high) == (150000, 190000)
    assert card.remote and card.posted_known and card.posted == posted_seconds("2025-06-01")
    assert card.places == place_hashes("Remote, US")
    vocabulary = {i: t for t, i in classifier.matcher.body_vocabulary_.items()}
    assert {"kubeflow", "pipelines"} <= {vocabulary[t] for t in card.terms}
    assert 0 < len(card.terms) <= TERMS and max(card.terms.values()) == 255


def test_a_posting_without_a_date_counts_from_when_it_was_published(classifier):
    results = classifier.classify_many(FEED[3:4])
    card = card_of(make_cards(classifier.matcher, FEED[3:4], results, now=NOW)[0])
    assert card.posted == int(NOW) and not card.posted_known


def test_places_remote_and_dates_are_read_as_documented():
    assert place_hashes("Austin, TX") == place_hashes("austin , tx")
    assert set(place_hashes("New York")) >= set(place_hashes("NY"))
    assert place_hashes(None) == () and place_hashes("Remote") == ()
    assert is_remote(posting("r", "Engineer (Remote)", "x"))
    assert is_remote(posting("r", "Engineer", "This is a fully remote role."))
    assert not is_remote(posting("r", "Engineer", "Remote work is not possible; on site in Austin."))
    assert posted_seconds("2025-01-01T00:00:00Z") == 1735689600
    assert posted_seconds("1735689600000") == 1735689600
    assert posted_seconds("last week") is None


def test_preferences_are_validated_naming_the_file_and_key():
    prefs = preferences_from_dict(
        {"roles": ["ml-platform"], "level": "Senior", "remote": True, "min_pay": {"amount": 60, "period": "hour"}},
        PROFILES,
        source="me.toml",
    )
    assert prefs.roles == ("ml-platform-engineer",) and prefs.level == "senior"
    assert prefs.min_pay == MinimumPay(60.0, "USD", "hour") and prefs.min_pay.annual == 124800
    assert preferences_from_dict({"min_pay": 150000}, PROFILES).min_pay == MinimumPay(150000.0, "USD", "year")
    with pytest.raises(PreferencesError, match=r"me.toml: level: expected one of"):
        preferences_from_dict({"level": "guru"}, PROFILES, source="me.toml")
    with pytest.raises(PreferencesError, match=r"me.toml: roles: .*no-such-role"):
        preferences_from_dict({"roles": ["no-such-role"]}, PROFILES, source="me.toml")
    with pytest.raises(PreferencesError, match=r"min_pay.amount: expected a positive number"):
        preferences_from_dict({"min_pay": {"amount": -1}}, PROFILES)
    with pytest.raises(PreferencesError, match=r"min_pay.period: expected one of"):
        preferences_from_dict({"min_pay": {"amount": 1, "period": "fortnight"}}, PROFILES)
    with pytest.raises(PreferencesError, match=r"salary: unknown preference"):
        preferences_from_dict({"salary": 1}, PROFILES)
    with pytest.raises(PreferencesError, match=r"max_age_days: expected a positive number"):
        preferences_from_dict({"max_age_days": 0}, PROFILES)


def test_a_person_needs_text_or_preferences(classifier):
    with pytest.raises(PreferencesError, match="nothing to recommend from"):
        person_from(classifier.matcher, "  ", Preferences())


def test_a_persons_text_ranks_the_roles_and_gives_each_its_band(classifier):
    text = "Senior ML platform engineer\nI run our Kubeflow pipelines, the model registry and the feature store."
    person = person_from(classifier.matcher, text, Preferences())
    assert person.level == "senior"
    fits = role_fits(person, classifier.profiles)
    assert fits[0]["role"] == "ml-platform-engineer" and fits[0]["fit"] == 1.0
    assert [f["score"] for f in fits] == sorted((f["score"] for f in fits), reverse=True)
    assert set(fits[0]) == {"role", "title", "score", "fit", "band"}
    assert candidate_counts(fits, person, 100)[0] == ("ml-platform-engineer", 100)


def test_wanted_roles_without_text_are_the_only_roles(classifier):
    person = person_from(classifier.matcher, None, Preferences(roles=("ml-engineer",)))
    assert [f["role"] for f in role_fits(person, classifier.profiles)] == ["ml-engineer"]


def test_postings_of_the_fitting_role_and_text_come_first_with_reasons(classifier, published):
    ids, cards, _ = published
    text = "ML platform engineer. I build Kubeflow pipelines, a model registry and our feature store."
    person = person_from(classifier.matcher, text, Preferences())
    fits = {f["role"]: f["fit"] for f in role_fits(person, classifier.profiles)}
    top = score_postings(person, ids, cards, fits, classifier.matcher, now=NOW, n=10)
    assert [s.id for s in top[:2]] == ["plat-1", "plat-2"] or [s.id for s in top[:2]] == ["plat-2", "plat-1"]
    assert [s.score for s in top] == sorted((s.score for s in top), reverse=True)
    assert all(0.0 <= s.score <= 1.0 for s in top)
    assert "kubeflow" in top[0].why["terms"] and "level" in top[0].why and "pay" in top[0].why
    assert set(top[0].parts) == {"fit", "text", "match", "level", "fresh"}  # no pay or place asked for
    expected = sum(WEIGHTS[k] * v for k, v in top[0].parts.items()) / sum(WEIGHTS[k] for k in top[0].parts)
    assert top[0].score == pytest.approx(expected, abs=1e-3)


def test_pay_is_compared_only_in_the_same_currency_annualised(classifier, published):
    ids, cards, _ = published
    prefs = Preferences(min_pay=MinimumPay(80, "USD", "hour"))  # 166,400 a year
    person = person_from(classifier.matcher, "ML platform engineer, Kubeflow", prefs)
    scored = score_postings(person, ids, cards, {"ml-platform-engineer": 1.0}, classifier.matcher, now=NOW, n=10)
    by_id = {s.id: s for s in scored}
    assert by_id["plat-1"].parts["pay"] == 1.0 and "at or above your minimum" in by_id["plat-1"].why["pay"]
    assert by_id["ml-1"].parts["pay"] == 0.0 and "below your minimum" in by_id["ml-1"].why["pay"]
    assert by_id["plat-2"].parts["pay"] == 0.5 and "another currency" in by_id["plat-2"].why["pay"]
    assert by_id["infra-1"].parts["pay"] == 0.5 and by_id["infra-1"].why["pay"] == "no stated pay"


def test_place_remote_recency_and_wanted_roles(classifier, published):
    ids, cards, _ = published
    fits = {role: 1.0 for role, _, _ in classifier.matcher.roles_}
    prefs = Preferences(remote=True, location="Austin")
    person = person_from(classifier.matcher, None, prefs)
    by_id = {s.id: s for s in score_postings(person, ids, cards, fits, classifier.matcher, now=NOW, n=10)}
    assert by_id["plat-1"].parts["place"] == 1.0 and by_id["plat-1"].why["place"] == "remote"
    assert by_id["ml-1"].parts["place"] == 1.0
    assert by_id["plat-2"].parts["place"] == 0.0
    recent = person_from(classifier.matcher, None, Preferences(max_age_days=30))
    later = NOW + 40 * DAY  # plat-1 was posted in 2025-06; the others count from NOW
    kept = {s.id for s in score_postings(recent, ids, cards, fits, classifier.matcher, now=later, n=10)}
    assert kept == set()
    kept = {s.id for s in score_postings(recent, ids, cards, fits, classifier.matcher, now=NOW + DAY, n=10)}
    assert "plat-1" not in kept and {"plat-2", "ml-1", "infra-1"} <= kept
    only = person_from(classifier.matcher, None, Preferences(roles=("ml-engineer",)))
    scored = score_postings(only, ids, cards, {"ml-engineer": 1.0}, classifier.matcher, now=NOW, n=10)
    assert [s.id for s in scored] == ["ml-1"]


def test_level_fit_is_one_at_the_level_half_a_step_away(classifier, published):
    ids, cards, results = published
    level = {r["id"]: r["level"] for r in results}
    assert level["plat-2"] == "senior"
    person = person_from(classifier.matcher, None, Preferences(level="staff"))
    fits = {role: 1.0 for role, _, _ in classifier.matcher.roles_}
    by_id = {s.id: s for s in score_postings(person, ids, cards, fits, classifier.matcher, now=NOW, n=10)}
    assert by_id["plat-2"].parts["level"] == 0.5
    person = person_from(classifier.matcher, None, Preferences(level="senior"))
    by_id = {s.id: s for s in score_postings(person, ids, cards, fits, classifier.matcher, now=NOW, n=10)}
    assert by_id["plat-2"].parts["level"] == 1.0 and by_id["plat-2"].why["level"] == "senior, your level"


def test_cards_of_another_format_are_left_out():
    assert len(decode_cards([b"\x01" * 10, b"\x09" * CARD_BYTES])) == 0
    assert decode_cards([]).dtype == CARD_DTYPE and np.zeros(1, CARD_DTYPE).nbytes == CARD_BYTES


def test_a_persons_roles_do_not_need_the_domain_named(classifier):
    # A posting that never says "machine learning" loses half its score; a person's text does not.
    person = person_from(classifier.matcher, "I run GPU clusters: distributed training, CUDA kernels.", Preferences())
    fits = role_fits(person, classifier.profiles)
    assert fits[0]["role"] == "ml-infrastructure-engineer" and fits[0]["score"] > 0.2


def test_similar_says_whose_level(classifier, published):
    ids, cards, _ = published
    like = np.zeros(len(classifier.matcher.body_vocabulary_))
    like[classifier.matcher.body_vocabulary_["kubeflow"]] = 1.0
    person = person_from(classifier.matcher, None, Preferences(level="senior"))
    scored = score_postings(person, ids, cards, {"ml-platform-engineer": 1.0}, classifier.matcher, now=NOW, n=10,
                            like=like)  # fmt: skip
    assert {s.id: s.why["level"] for s in scored}["plat-2"] == "senior, this posting's level"
    assert scored[0].id in ("plat-1", "plat-2") and scored[0].parts["text"] > 0
