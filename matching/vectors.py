"""The TF-IDF arithmetic of the matcher's two views: their analyzers, IDF, and unit vectors made without
scikit-learn's argument checks (which cost more than the arithmetic on a chunk of postings)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from .tokens import text_tokens, title_phrases

__all__ = ["body_analyzer", "idf", "tfidf", "title_analyzer", "weighted_counts", "without_stop_words"]


def body_analyzer(text: str) -> list[str]:
    return text_tokens(text)


def title_analyzer(title: str) -> list[str]:
    """A title's job words and the pairs of neighbours within each run of them."""
    phrases = title_phrases(title)
    pairs = [f"{a} {b}" for run in phrases for a, b in itertools.pairwise(run)]
    return [term for run in phrases for term in run] + pairs


def idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed IDF of each column, as scikit-learn's TfidfTransformer computes it."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    weights: np.ndarray = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return weights


def tfidf(counts: sp.csr_matrix, idf: np.ndarray, *, sublinear: bool = True) -> sp.csr_matrix:
    """Each row of `counts` weighted (log1p of the count when `sublinear`, times the IDF) to unit length."""
    weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    if sublinear:
        np.log1p(weighted.data, out=weighted.data)
    weighted.data *= idf[weighted.indices]  # times a diagonal matrix of the idf, done in place
    # Each row to unit length, as sklearn's normalize() does (same order of sums).
    rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    norms = np.sqrt(np.bincount(rows, weights=np.square(weighted.data), minlength=weighted.shape[0]))
    norms[norms == 0.0] = 1.0
    weighted.data /= norms[rows]
    return weighted


def weighted_counts(body: Any, sections: Sequence[tuple[str, float]]) -> sp.csr_matrix:
    """One role's term counts: its sections' counts (from the fitted `body` CountVectorizer), weighted and summed."""
    counts = body.transform([text for text, _ in sections])
    weights = sp.diags([weight for _, weight in sections])
    return sp.csr_matrix((weights @ counts).sum(axis=0))


def without_stop_words(body: Any, *, also: Iterable[str] = ()) -> Any:
    """A CountVectorizer over `body`'s vocabulary less English stop words, one-letter terms and numbers, plus
    the terms `also` names."""
    # Imported here: scoring never needs scikit-learn, only fitting does (see `RoleMatcher.fit`).
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    kept = {
        term for term in body.vocabulary_ if term not in ENGLISH_STOP_WORDS and len(term) > 1 and not term.isdigit()
    }
    vocabulary = sorted(kept | set(also))
    return CountVectorizer(
        analyzer=body_analyzer, vocabulary={t: i for i, t in enumerate(vocabulary)}, dtype=np.float64
    )
