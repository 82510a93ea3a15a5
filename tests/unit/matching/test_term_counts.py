import pickle
import random
import string
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matching.term_counts as term_counts
from matching.term_counts import TermCounter, token_hash
from matching.tokens import PHRASE_FOLDS, text_tokens

# Folded phrases, some of their words, plain words (c++ and c# too) and a number; "machine", "ops" and
# "learning" are left out, so a phrase's words are counted only as the phrase.
VOCABULARY = {
    term: i
    for i, term in enumerate(
        ["ml", "mlops", "llm", "ai", "genai", "data", "model", "datapipeline", "kubernetes", "senior",
         "python", "c++", "c#", "5", "engineer", "featurestore", "cicd", "modelserving", "serving", "x"]
    )
}  # fmt: skip

# Whole phrases, their words, words of the vocabulary, and tokens that test the edges: leading marks, a run of
# marks alone, non-ASCII letters and a lone surrogate between tokens, a word longer than any in the vocabulary
# that starts like one, and the empty string.
_PIECES = sorted(
    {" ".join(words) for words, _ in PHRASE_FOLDS}
    | {word for words, _ in PHRASE_FOLDS for word in words}
    | set(VOCABULARY)
    | {"+c++", "##c#", "+++", "c++5", "naïve", "ml\ud800ops", "kubernetes" * 3, "Machine-Learning", "K8S", ""}
)
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=25).flatmap(
    lambda words: st.sampled_from([" ", "-", ", ", "\n", "/", "."]).map(lambda sep: sep.join(words))
)


def expected_counts(postings: Sequence[Sequence[str]], weights: Sequence[float]) -> np.ndarray:
    """The definition: each text's folded tokens counted, times its weight, kept where they are terms."""
    expected = np.zeros((len(postings), len(VOCABULARY)))
    for row, texts in enumerate(postings):
        for text, weight in zip(texts, weights, strict=True):
            for token, count in Counter(text_tokens(text)).items():
                if token in VOCABULARY:
                    expected[row, VOCABULARY[token]] += count * weight
    return expected


@contextmanager
def groups_of(size: int, postings: int) -> Iterator[None]:
    saved = term_counts.GROUP_BYTES, term_counts.GROUP_POSTINGS
    term_counts.GROUP_BYTES, term_counts.GROUP_POSTINGS = size, postings
    try:
        yield
    finally:
        term_counts.GROUP_BYTES, term_counts.GROUP_POSTINGS = saved


COUNTER = TermCounter(VOCABULARY)


@settings(max_examples=300)
@given(
    st.lists(st.tuples(_TEXTS, _TEXTS), max_size=6),
    st.sampled_from([(1 << 18, 64), (1, 64), (40, 2)]),
)
def test_counts_equal_counting_each_texts_folded_tokens(postings, group):
    with groups_of(*group):
        counts = COUNTER.count(postings, (1, 3))
    assert counts.shape == (len(postings), len(VOCABULARY))
    assert (counts.toarray() == expected_counts(postings, (1, 3))).all()
    assert (counts.data != 0).all()  # no stored zeros


def test_a_phrase_is_not_folded_across_two_texts():
    counts = COUNTER.count([("we use machine", "learning data pipelines")], (1, 1)).toarray()[0]
    assert counts[VOCABULARY["ml"]] == 0
    assert counts[VOCABULARY["datapipeline"]] == 1
    joined = COUNTER.count([("we use machine learning data pipelines",)], (1,)).toarray()[0]
    assert joined[VOCABULARY["ml"]] == 1


def test_overlapping_phrases_fold_left_to_right_longest_first():
    # "large language model" starts first, so "model serving" is not a phrase here; the longest phrase at a
    # position wins ("machine learning operations", not "machine learning")
    text = "large language model serving, machine learning operations, ml ops, machine learning, model serving"
    counts = COUNTER.count([(text,)], (1,)).toarray()[0]
    assert counts[VOCABULARY["llm"]] == 1
    assert counts[VOCABULARY["modelserving"]] == 1
    assert counts[VOCABULARY["mlops"]] == 2
    assert counts[VOCABULARY["ml"]] == 1
    assert counts[VOCABULARY["model"]] == 0
    assert counts[VOCABULARY["serving"]] == 1  # the word after the phrase that took "model"


def test_every_word_of_a_large_vocabulary_is_found():
    rng = random.Random(7)
    words = sorted({"".join(rng.choices(string.ascii_lowercase + "+#", k=rng.randint(1, 12))).lstrip("+#") or "a"
                    for _ in range(6000)})  # fmt: skip
    counter = TermCounter({word: i for i, word in enumerate(words)}, phrases=())
    text = " ".join(words + words[::7])
    counts = counter.count([(text,)], (1,)).toarray()[0]
    expected = np.ones(len(words))
    expected[::7] += 1
    assert (counts == expected).all()


def test_the_hash_of_a_token_does_not_depend_on_where_it_stands():
    counter = TermCounter({"python": 0}, phrases=())
    far = "filler " * 50_000 + "python"
    assert counter.count([(far,), ("python python",)], (1,)).toarray().tolist() == [[1.0], [2.0]]
    assert token_hash(b"python") != token_hash(b"pythom")


def test_the_pickle_leaves_out_the_tables_grown_by_counting():
    counter = TermCounter(VOCABULARY)
    small = len(pickle.dumps(counter))
    counter.count([("ml " * 100_000,)], (1,))
    assert len(pickle.dumps(counter)) == small
    restored = pickle.loads(pickle.dumps(counter))
    assert restored.count([("ml ops, k8s",)], (1,)).toarray()[0][VOCABULARY["mlops"]] == 1


def test_a_posting_with_the_wrong_number_of_texts_is_refused():
    with pytest.raises(ValueError, match="every posting needs 2 texts"):
        COUNTER.count([("a", "b"), ("a",)], (1, 3))


def test_a_one_word_fold_inside_a_longer_phrase_is_refused():
    with pytest.raises(ValueError, match="one-word fold 'ops'"):
        TermCounter(VOCABULARY, phrases=((("ml", "ops"), "mlops"), (("ops",), "operations")))


def test_no_postings_give_an_empty_matrix():
    assert COUNTER.count([], (1,)).shape == (0, len(VOCABULARY))


def test_a_term_that_is_not_one_token_is_never_counted():
    # text_tokens never yields "café", "a.i." or "", so they count nothing, whatever the text says
    counter = TermCounter({"café": 0, "a.i.": 1, "": 2, "python": 3}, phrases=())
    assert counter.count([("café a.i. python",)], (1,)).toarray().tolist() == [[0.0, 0.0, 0.0, 1.0]]


def test_vocabulary_columns_must_be_zero_to_n():
    with pytest.raises(ValueError, match=r"columns must be 0\.\.n-1"):
        TermCounter({"python": 0, "java": 5})
