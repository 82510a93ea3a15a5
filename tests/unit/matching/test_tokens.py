import re

from hypothesis import given
from hypothesis import strategies as st

from matching.tokens import fold_phrases, text_tokens, title_phrases, title_terms, tokenize


def test_domain_phrases_fold_to_one_token():
    assert text_tokens("Machine Learning Ops with K8s and a Feature Store") == [
        "mlops", "with", "kubernetes", "and", "a", "featurestore",
    ]  # fmt: skip


def test_phrases_fold_whatever_the_punctuation_between_their_words():
    assert text_tokens("ML-Ops, ml ops; CI/CD and back-end") == ["mlops", "mlops", "cicd", "and", "backend"]


def test_the_longest_phrase_wins_and_words_are_not_reused():
    assert fold_phrases(["machine", "learning", "operations", "data"]) == ["mlops", "data"]
    assert fold_phrases(["machine", "learning", "data", "pipeline"]) == ["ml", "datapipeline"]
    assert fold_phrases(["data", "ml", "model"]) == ["data", "ml", "model"]
    assert fold_phrases(["machine"]) == ["machine"]


@given(st.lists(st.sampled_from(["machine", "learning", "ops", "ml", "data", "pipeline", "a", "i", "sr", "x"])))
def test_folding_keeps_every_word_outside_a_phrase(tokens):
    folded = fold_phrases(tokens)
    assert len(folded) <= len(tokens)
    assert [t for t in folded if t == "x"] == [t for t in tokens if t == "x"]
    assert "sr" not in folded and ("senior" in folded) == ("sr" in tokens)


def test_title_drops_level_words_and_splits_at_punctuation():
    assert title_phrases("Sr. Software Engineer, Machine Learning - Remote") == [["engineer"], ["ml"]]
    assert title_phrases("Backend Engineer specializing in ML Infrastructure") == [
        ["backend", "engineer"],
        ["ml", "infrastructure"],
    ]


def test_software_is_dropped_without_splitting_the_title():
    # "Backend Software Engineer" is a backend engineer: the pair "backend engineer" survives.
    assert title_phrases("Backend Software Engineer, AI Platform") == [["backend", "engineer"], ["ml", "platform"]]
    # A level word still splits: no pair is made up across it.
    assert title_phrases("Backend Senior Engineer") == [["backend"], ["engineer"]]


def test_title_synonyms_meet():
    assert title_terms("AI Engineer") == title_terms("Machine Learning Engineer") == ["ml", "engineer"]
    assert set(title_terms("MLOps Engineer")) >= {"ml", "platform", "engineer"}
    assert title_terms("Software Developers") == ["engineer"]


def _reference_tokens(text: str) -> list[str]:
    """The tokenizer's definition, written the slow way: a regex over ASCII-lowered text."""
    lowered = "".join(c.lower() if c.isascii() else c for c in text)
    return re.findall(r"[a-z0-9][a-z0-9+#]*", lowered)


def test_tokens_keep_cpp_and_csharp_but_never_start_with_a_mark():
    assert tokenize("C++ and C#, +5 years; #MachineLearning ++x a+b") == [
        "c++", "and", "c#", "5", "years", "machinelearning", "x", "a+b",
    ]  # fmt: skip


def test_non_ascii_characters_separate_tokens():
    assert tokenize("naïve café\u00a0ML\ud800x") == ["na", "ve", "caf", "ml", "x"]


@given(st.text(alphabet=st.sampled_from("aZ9+# .\n\t-éİ\u212a\ud800€"), max_size=40) | st.text(max_size=40))
def test_tokenize_matches_its_regex_definition(text):
    assert tokenize(text) == _reference_tokens(text)
