"""What jobs' names say: their job words, the names a role's specialties give it, and the roles' family terms."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from profiles.models import RoleProfile

from .reference import Specialty
from .tokens import title_phrases, title_terms

__all__ = ["family_terms", "has_terms", "name_words", "specialty_names"]


def name_words(title: str, aliases: Sequence[str]) -> set[str]:
    """The job words of all of a job's names."""
    return {word for name in (title, *aliases) for word in title_terms(name)}


def specialty_names(profile: RoleProfile, work: Mapping[str, Specialty]) -> list[str]:
    """A role's names from the other title words of each specialty word that one of its names puts right before
    a word ("infrastructure engineer" -> "gpu engineer", "inference engineer"...), without repeats."""
    pairs = (
        pair
        for name in (profile.title, *profile.aliases)
        for run in title_phrases(name)
        for pair in itertools.pairwise(run)
    )
    return list(
        dict.fromkeys(
            f"{word} {job}" for specialty, job in pairs if specialty in work for word in work[specialty].title_words
        )
    )


def has_terms(words: Sequence[set[str]], terms: Sequence[str]) -> np.ndarray:
    """owners x terms: whether each owner's words include each term."""
    return np.array([[t in owned for t in terms] for owned in words], dtype=bool).reshape(len(words), len(terms))


def family_terms(
    title_counts: sp.csr_matrix, terms: Sequence[str], owners: Sequence[int], n_roles: int
) -> tuple[str, ...]:
    """Title terms in the names of at least 80% of our roles and of at most 5% of the background jobs (`owners`:
    each name's job, our roles numbered first)."""
    by_owner = sp.csr_matrix(
        (np.ones(len(owners)), (owners, np.arange(len(owners)))), shape=(max(owners) + 1, len(owners))
    )
    present = (by_owner @ title_counts).toarray() > 0  # owner x term: does any name of the owner use it
    ours = present[:n_roles].mean(axis=0)
    theirs = present[n_roles:].mean(axis=0) if present.shape[0] > n_roles else np.zeros(present.shape[1])
    return tuple(terms[i] for i in np.flatnonzero((ours >= 0.8) & (theirs <= 0.05)).tolist())
