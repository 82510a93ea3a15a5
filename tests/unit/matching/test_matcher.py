import numpy as np
import pytest
import scipy.sparse as sp
from helpers import OTHERS, PROFILES
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from matching import ModelError, RoleMatcher, posting_from_dict
from matching.explain import top_per_row
from matching.reference import OtherRole
from matching.tokens import text_tokens
from matching.vectors import title_analyzer


def fitted(**params):
    return RoleMatcher(**params).fit(PROFILES, OTHERS)


def post(title, description="", pid="p"):
    return posting_from_dict({"id": pid, "title": title, "description": description})


def test_ranks_every_role_best_first_with_scores_in_unit_interval():
    ranking = fitted().rank(post("Senior ML Platform Engineer", "Own our feature store and model registry."))
    assert ranking.matched
    assert ranking.best.role == "ml-platform-engineer"
    scores = [r.score for r in ranking.roles]
    assert scores == sorted(scores, reverse=True)
    assert {r.role for r in ranking.roles} == {p.role for p in PROFILES}
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_title_decides_between_close_roles():
    matcher = fitted()
    assert matcher.rank(post("Machine Learning Infrastructure Engineer", "")).best.role == "ml-infrastructure-engineer"
    assert matcher.rank(post("Machine Learning Engineer", "")).best.role == "ml-engineer"


def test_unrelated_posting_is_no_match_but_keeps_the_ranking():
    ranking = fitted().rank(post("Registered Nurse", "Patient care on night shifts, medication administration."))
    assert not ranking.matched
    assert ranking.other_job == "Registered Nurse"
    assert len(ranking.roles) == len(PROFILES)


def test_threshold_is_a_parameter():
    # A title in the domain's own words is held to `family_threshold`, any other to `threshold`.
    posting = post("Machine Learning Engineer", "Train ranking models in PyTorch.")
    assert fitted().rank(posting).matched
    assert not fitted(family_threshold=0.999).rank(posting).matched
    assert fitted(threshold=0.999).rank(posting).matched
    posting = post("Ranking Engineer", "Train machine learning ranking models in PyTorch for ML search.")
    assert fitted().rank(posting).matched
    assert not fitted(threshold=0.999).rank(posting).matched


def test_ties_are_broken_by_role_id():
    ranking = fitted().rank(post("Plumber", "Fix pipes."))  # shares no word with any role
    assert [r.score for r in ranking.roles] == [0.0, 0.0, 0.0]
    assert [r.role for r in ranking.roles] == sorted(p.role for p in PROFILES)


def test_deterministic_and_batch_equals_one_at_a_time():
    postings = [post("ML Engineer", "PyTorch ranking", "a"), post("Nurse", "patients", "b")]
    matcher = fitted()
    assert matcher.rank_many(postings) == [matcher.rank(p) for p in postings]
    assert fitted().rank_many(postings) == matcher.rank_many(postings)


def test_explanation_lists_terms_the_posting_shares_with_the_role():
    ranking = fitted().rank(post("ML Infrastructure Engineer", "We run GPU clusters and CUDA kernels."))
    terms = [term for term, _ in ranking.explanation]
    assert terms, "a match explains itself"
    assert {"gpu", "cuda"} & set(terms) or "infrastructure" in terms
    weights = [w for _, w in ranking.explanation]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


def test_model_version_changes_with_seeds_and_parameters_only():
    base = fitted().model_version_
    assert fitted().model_version_ == base
    assert fitted(threshold=0.5).model_version_ != base
    changed = [*PROFILES[:2], PROFILES[2].__class__(**{**PROFILES[2].__dict__, "content_hash": "edited"})]
    assert RoleMatcher().fit(changed, OTHERS).model_version_ != base


def test_scoring_does_not_refit():
    matcher = fitted()
    before = (matcher.role_body_.copy(), matcher.body_idf_.copy(), matcher.model_version_)
    matcher.rank_many([post("ML Engineer", "brand new words zyzzyva quux")])
    assert (matcher.role_body_ != before[0]).nnz == 0
    assert (matcher.body_idf_ == before[1]).all() and matcher.model_version_ == before[2]


def test_unfitted_and_empty_fit_are_errors():
    with pytest.raises(ModelError, match="not fitted"):
        RoleMatcher().rank(post("ML Engineer"))
    with pytest.raises(ModelError, match="no role profiles"):
        RoleMatcher().fit([], OTHERS)


def test_fast_body_counts_equal_the_vectorizer_transform_of_the_boosted_text():
    matcher = fitted(title_boost=2)
    postings = [
        post("ML Platform Engineer", "Feature store, model registry and machine-learning pipelines on k8s.", "a"),
        post("Registered Nurse", "Night shifts. Patient care, patient records.", "b"),
        post("Chef", "", "c"),
    ]
    texts = [f"{p.title}\n{p.title}\n{p.description}" for p in postings]
    expected = CountVectorizer(analyzer=text_tokens, vocabulary=matcher.body_vocabulary_).transform(texts).toarray()
    assert (matcher._body_counts(postings).toarray() == expected).all()
    assert expected[0].sum() > 0


def test_title_counts_equal_the_title_vectorizer_transform():
    matcher = fitted()
    titles = ["Senior ML Platform Engineer", "Machine Learning Engineer (MLOps) - Remote", "Chef", "", "AI / ML Eng"]
    vectorizer = CountVectorizer(analyzer=title_analyzer, binary=True, vocabulary=matcher.title_vocabulary_)
    expected = vectorizer.transform(titles)
    counts = matcher._title_counts(titles)
    assert (counts.toarray() == expected.toarray()).all()
    assert counts.has_sorted_indices and counts.nnz > 5


def test_family_terms_are_title_words_our_roles_share_and_the_background_does_not():
    assert fitted().family_terms_ == ("ml",)


def test_a_title_naming_the_family_gets_the_family_margin():
    data_scientist = OtherRole("Data Scientist", (), "Statistics, A/B tests, dashboards, SQL, stakeholders, pandas.")
    posting = post("Data Scientist, Machine Learning", "Statistics and dashboards; train PyTorch ranking models.")
    strict = RoleMatcher(family_margin=-0.03).fit(PROFILES, [*OTHERS, data_scientist]).rank(posting)
    lenient = RoleMatcher(family_margin=-0.5).fit(PROFILES, [*OTHERS, data_scientist]).rank(posting)
    assert strict.other_job == "Data Scientist" and not strict.matched
    assert lenient.matched and lenient.best.role == "ml-engineer"
    plain = post("Data Scientist", "Statistics and dashboards; train PyTorch ranking models.")
    assert not RoleMatcher(family_margin=-0.5).fit(PROFILES, [*OTHERS, data_scientist]).rank(plain).matched


@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 7), st.sampled_from([0.5, 1.0, 2.0, 0.25, 3.0])), max_size=8),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 5),
)
def testtop_per_row_equals_sorting_each_row(rows, k):
    entries = [dict(row) for row in rows]  # one value per column
    matrix = sp.csr_matrix(
        (
            [v for row in entries for v in row.values()],
            [c for row in entries for c in row],
            np.cumsum([0] + [len(row) for row in entries]),
        ),
        shape=(len(entries), 8),
    )
    matrix.sort_indices()
    expected = [sorted(row.items(), key=lambda cv: (-cv[1], cv[0]))[:k] for row in entries]
    assert top_per_row(matrix, k) == expected
