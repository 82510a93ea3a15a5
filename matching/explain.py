"""Why a posting got its top role: each term's share of the score, from both views, largest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

__all__ = ["ViewShares", "best_names", "term_shares", "top_per_row"]


class ViewShares(NamedTuple):
    """One view's part in the explanation."""

    vectors: sp.csr_matrix  # postings x the view's terms: the postings' unit vectors
    weight: float  # the view's share of a score
    jobs: np.ndarray  # dense: the view's rows (names, or role documents) x its terms
    rows: np.ndarray  # for each posting, the row of `jobs` its top role scored with
    columns: np.ndarray  # for each of the view's terms, its column among the terms of both views


def best_names(by_name: np.ndarray, name_starts: np.ndarray, roles: np.ndarray) -> np.ndarray:
    """Index of the best-scoring name of each posting's given role: the first highest among that role's names
    (`name_starts`: where each job's names start, names grouped by job), the other names masked out."""
    owners = np.repeat(np.arange(len(name_starts)), np.diff(np.append(name_starts, by_name.shape[1])))
    best: np.ndarray = np.where(owners[None, :] == roles[:, None], by_name, -np.inf).argmax(axis=1)
    return best


def term_shares(views: Sequence[ViewShares], terms: Sequence[str], k: int) -> list[tuple[tuple[str, float], ...]]:
    """The k largest per-term shares of each posting's top score: posting weight x job weight x view weight,
    a term's shares from the views added up. All postings at once: one product per view."""
    parts = []
    for view in views:
        vectors = view.vectors
        rows = np.repeat(np.arange(vectors.shape[0]), np.diff(vectors.indptr))
        shares = view.weight * vectors.data * view.jobs[view.rows[rows], vectors.indices]
        parts.append((shares, rows, view.columns[vectors.indices]))
    shares, rows, columns = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    kept = shares > 0
    # A sparse matrix sums a term's shares from the views.
    joint = sp.csr_matrix((shares[kept], (rows[kept], columns[kept])), shape=(views[0].vectors.shape[0], len(terms)))
    joint.sum_duplicates()  # also sorts each row by term
    return [tuple((terms[term], round(value, 4)) for term, value in picks) for picks in top_per_row(joint, k)]


def top_per_row(matrix: sp.csr_matrix, k: int) -> list[list[tuple[int, float]]]:
    """Each row's k largest entries as (column, value), largest first, ties by column (the row must be sorted
    by column). Found in k rounds of a row-wise max over all rows at once, each round taking every row's
    first largest entry: a tenth of sorting every entry when rows hold ~100 entries and k is 5."""
    values = matrix.data.astype(np.float64, copy=True)
    lengths = np.diff(matrix.indptr)
    starts = matrix.indptr[:-1][lengths > 0]
    row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
    top: list[list[tuple[int, float]]] = [[] for _ in range(matrix.shape[0])]
    for _ in range(min(k, int(lengths.max(initial=0)))):
        best = np.full(matrix.shape[0], -np.inf)
        # Segments from one non-empty row's start to the next: empty rows between add nothing.
        best[row_of[starts]] = np.maximum.reduceat(values, starts)
        hits = np.flatnonzero((values == best[row_of]) & (values > -np.inf))
        first = hits[np.r_[True, row_of[hits][1:] != row_of[hits][:-1]]]  # a row's first (lowest column)
        for row, column, value in zip(
            row_of[first].tolist(), matrix.indices[first].tolist(), values[first].tolist(), strict=True
        ):
            top[row].append((column, value))
        values[first] = -np.inf
    return top
