"""`RoleMatcher`: TF-IDF scoring of postings against role profiles, with a no-match verdict."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from profiles.models import RoleProfile

from .errors import ModelError
from .posting import Posting
from .reference import OtherRole, load_other_roles
from .text import normalize, title_phrases, tokenize

__all__ = ["DEFAULT_SECTION_WEIGHTS", "Ranking", "RoleMatcher", "RoleScore"]

# Bump when a change to this module changes scores for the same seeds and parameters.
ALGORITHM_VERSION = 1

# How much each top-level section of a role document says about the job itself, by a keyword of its
# heading (first keyword found wins). Responsibilities and skills describe the work; salary, market and
# soft-skill sections read alike for every role and would only blur the roles together.
DEFAULT_SECTION_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("soft skill", 0.0),
    ("salary", 0.0),
    ("responsibilit", 1.0),
    ("requirement", 1.0),
    ("skill", 1.0),
    ("overview", 1.0),
    ("best practice", 0.5),
    ("career", 0.3),
    ("challenge", 0.3),
    ("trend", 0.2),
    ("market", 0.2),
)
_UNLISTED_SECTION_WEIGHT = 0.5


def _body_analyzer(text: str) -> list[str]:
    return tokenize(normalize(text))


def _title_analyzer(title: str) -> list[str]:
    phrases = title_phrases(title)
    pairs = [f"{a} {b}" for run in phrases for a, b in itertools.pairwise(run)]
    return [term for run in phrases for term in run] + pairs


@dataclass(frozen=True)
class RoleScore:
    role: str
    title: str
    seed: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """Every role scored for one posting, best first; `matched` is the verdict."""

    roles: tuple[RoleScore, ...]
    matched: bool
    other_job: str | None  # the background job that scored best, when it beat our roles
    other_score: float
    explanation: tuple[tuple[str, float], ...]  # terms that contributed most to the top score

    @property
    def best(self) -> RoleScore:
        return self.roles[0]


class RoleMatcher:
    """Rank role profiles for job postings with two TF-IDF views: the title and the whole text.

    Parameters
    ----------
    title_weight : share of a score that comes from title-to-title similarity; the rest is the
        similarity of the posting's text (its title counted `title_boost` times) to the role document.
    title_boost : how many times the posting title counts in the text view.
    threshold : the lowest score that can be a match (`no_match` below it).
    margin : how far our best role must be ahead of the best background job (`reference/other_roles.txt`)
        to be a match; the background is what makes "none of our roles" an answer.
    section_weights : (heading keyword, weight) pairs for the role documents' top-level sections.
    explain_terms : how many terms the explanation lists.
    """

    def __init__(
        self,
        *,
        title_weight: float = 0.4,
        title_boost: int = 3,
        threshold: float = 0.25,
        margin: float = -0.03,
        section_weights: Sequence[tuple[str, float]] = DEFAULT_SECTION_WEIGHTS,
        explain_terms: int = 5,
    ) -> None:
        self.title_weight = title_weight
        self.title_boost = title_boost
        self.threshold = threshold
        self.margin = margin
        self.section_weights = tuple(section_weights)
        self.explain_terms = explain_terms

    def get_params(self) -> dict[str, object]:
        return {
            "title_weight": self.title_weight,
            "title_boost": self.title_boost,
            "threshold": self.threshold,
            "margin": self.margin,
            "section_weights": [list(pair) for pair in self.section_weights],
            "explain_terms": self.explain_terms,
        }

    # -- fitting ---------------------------------------------------------------------------------------

    def _section_weight(self, heading: str) -> float:
        lowered = heading.lower()
        for keyword, weight in self.section_weights:
            if keyword in lowered:
                return weight
        return _UNLISTED_SECTION_WEIGHT

    def fit(self, profiles: Sequence[RoleProfile], other_roles: Sequence[OtherRole] | None = None) -> RoleMatcher:
        """Fit on the role profiles (and the background jobs, the packaged ones by default)."""
        if not profiles:
            raise ModelError("no role profiles to fit on: is the seeds folder empty?")
        reference_hash = ""
        if other_roles is None:
            other_roles, reference_hash = load_other_roles()
        else:
            reference_hash = hashlib.sha256(repr(list(other_roles)).encode()).hexdigest()
        ordered = sorted(profiles, key=lambda p: p.role)
        self.roles_ = tuple((p.role, p.title, p.seed) for p in ordered)
        self.other_jobs_ = tuple(o.title for o in other_roles)

        # Text view. IDF over one document per role and one per background job: words every job
        # posting uses (team, experience, benefits) get little weight, the words of our roles a lot.
        role_texts = [self._weighted_sections(p) for p in ordered]
        other_texts = [f"{o.title}\n{'; '.join(o.aliases)}\n{o.text}" for o in other_roles]
        self._body = CountVectorizer(analyzer=_body_analyzer, dtype=np.float64)
        self._body.fit([text for sections in role_texts for text, _ in sections] + other_texts)
        self._drop_stop_words()
        role_counts = sp.vstack([self._weighted_counts(sections) for sections in role_texts]).tocsr()
        other_counts = self._body.transform(other_texts)
        self.body_idf_ = self._idf(sp.vstack([role_counts, other_counts]).tocsr())
        self.role_body_ = self._tfidf(role_counts, self.body_idf_)
        self.other_body_ = self._tfidf(other_counts, self.body_idf_)

        # Title view: every name of a job (its title and the other names its document uses) is scored
        # on its own and a job keeps its best name, so a long list of aliases does not dilute any of them.
        names = [(j, name) for j, p in enumerate(ordered) for name in (p.title, *p.aliases)]
        names += [(len(ordered) + j, name) for j, o in enumerate(other_roles) for name in (o.title, *o.aliases)]
        self._titles = CountVectorizer(analyzer=_title_analyzer, binary=True, dtype=np.float64)
        title_counts = self._titles.fit_transform([name for _, name in names]).tocsr()
        self.title_idf_ = self._idf(title_counts)
        self.names_ = self._tfidf(title_counts, self.title_idf_, sublinear=False)
        owners = np.array([owner for owner, _ in names])
        # Names are grouped by owner (roles first, then background jobs): one slice start per owner.
        self.name_starts_ = np.searchsorted(owners, np.arange(len(ordered) + len(other_roles)))
        self.body_terms_ = np.asarray(self._body.get_feature_names_out())
        self.title_terms_ = np.asarray(self._titles.get_feature_names_out())
        # Dense copies for the explanation's lookups (a few hundred KB): sparse row slicing per posting costs more.
        self.dense_roles_ = self.role_body_.toarray()
        self.dense_names_ = self.names_.toarray()
        self.model_version_ = self._version(ordered, reference_hash)
        return self

    def _weighted_sections(self, profile: RoleProfile) -> list[tuple[str, float]]:
        sections = [(s.text, self._section_weight(s.path[0])) for s in profile.sections]
        return [(f"{profile.title}\n" + "\n".join(profile.aliases), 1.0), *sections]

    def _weighted_counts(self, sections: Sequence[tuple[str, float]]) -> sp.csr_matrix:
        counts = self._body.transform([text for text, _ in sections])
        weights = sp.diags([weight for _, weight in sections])
        return sp.csr_matrix((weights @ counts).sum(axis=0))

    def _drop_stop_words(self) -> None:
        vocabulary = sorted(
            term
            for term in self._body.vocabulary_
            if term not in ENGLISH_STOP_WORDS and len(term) > 1 and not term.isdigit()
        )
        self._body = CountVectorizer(
            analyzer=_body_analyzer, vocabulary={t: i for i, t in enumerate(vocabulary)}, dtype=np.float64
        )

    @staticmethod
    def _idf(counts: sp.csr_matrix) -> np.ndarray:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        n = counts.shape[0]
        idf: np.ndarray = np.log((1.0 + n) / (1.0 + df)) + 1.0
        return idf

    @staticmethod
    def _tfidf(counts: sp.csr_matrix, idf: np.ndarray, *, sublinear: bool = True) -> sp.csr_matrix:
        weighted = counts.astype(np.float64).tocsr(copy=True)
        if sublinear:
            np.log1p(weighted.data, out=weighted.data)
        weighted = weighted @ sp.diags(idf)
        return l2_normalize(sp.csr_matrix(weighted), copy=False)

    def _version(self, ordered: Sequence[RoleProfile], reference_hash: str) -> str:
        blob = json.dumps(
            {
                "algorithm": ALGORITHM_VERSION,
                "params": self.get_params(),
                "seeds": [(p.seed, p.role, p.content_hash) for p in ordered],
                "reference": reference_hash,
            },
            sort_keys=True,
        )
        return "m" + hashlib.sha256(blob.encode()).hexdigest()[:12]

    # -- scoring ---------------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_version_"):
            raise ModelError("RoleMatcher is not fitted: call fit(profiles) first")

    def rank(self, posting: Posting) -> Ranking:
        """Every role for one posting, best first, with the verdict and the explanation."""
        return self.rank_many([posting])[0]

    def rank_many(self, postings: Sequence[Posting]) -> list[Ranking]:
        """`rank` for many postings at once (one sparse product per view instead of one per posting)."""
        self._check_fitted()
        if not postings:
            return []
        texts = [f"{(p.title + chr(10)) * self.title_boost}{p.description}" for p in postings]
        body = self._tfidf(self._body.transform(texts), self.body_idf_)
        title = self._tfidf(self._titles.transform([p.title for p in postings]), self.title_idf_, sublinear=False)
        by_name = (title @ self.names_.T).toarray()
        by_job = np.maximum.reduceat(by_name, self.name_starts_, axis=1)
        best_name = self._best_names(by_name)
        n_roles = len(self.roles_)
        w = self.title_weight
        ours = w * by_job[:, :n_roles] + (1 - w) * (body @ self.role_body_.T).toarray()
        others = w * by_job[:, n_roles:] + (1 - w) * (body @ self.other_body_.T).toarray()
        return [self._ranking(i, ours[i], others[i], title, body, best_name[i]) for i in range(len(postings))]

    def _best_names(self, by_name: np.ndarray) -> np.ndarray:
        """Index of each job's best-scoring name, per posting (for the explanation)."""
        best = np.empty((by_name.shape[0], len(self.name_starts_)), dtype=np.intp)
        bounds = [*self.name_starts_.tolist(), by_name.shape[1]]
        for job in range(len(self.name_starts_)):
            start, stop = bounds[job], bounds[job + 1]
            best[:, job] = start + np.argmax(by_name[:, start:stop], axis=1)
        return best

    def _ranking(
        self,
        row: int,
        ours: np.ndarray,
        others: np.ndarray,
        title: sp.csr_matrix,
        body: sp.csr_matrix,
        best_name: np.ndarray,
    ) -> Ranking:
        scores = np.clip(ours, 0.0, 1.0)
        # Best first; equal scores in role-id order (the roles are sorted by id, and the sort is stable).
        order = np.argsort(-np.round(scores, 12), kind="stable")
        ranked = tuple(
            RoleScore(role, title, seed, round(float(scores[j]), 6))
            for j in order
            for role, title, seed in (self.roles_[j],)
        )
        best_other = int(np.argmax(others)) if len(others) else -1
        other_score = float(others[best_other]) if best_other >= 0 else 0.0
        top = ranked[0].score
        matched = top >= self.threshold and top >= other_score + self.margin
        return Ranking(
            roles=ranked,
            matched=bool(matched),
            other_job=self.other_jobs_[best_other] if best_other >= 0 and other_score >= top else None,
            other_score=round(other_score, 6),
            explanation=self._explain(row, int(order[0]), title, body, int(best_name[order[0]])),
        )

    def _explain(
        self, row: int, role: int, title: sp.csr_matrix, body: sp.csr_matrix, name: int
    ) -> tuple[tuple[str, float], ...]:
        """Per-term shares of the top score: posting weight x role weight x view weight, largest first."""
        contributions: dict[str, float] = {}
        for view, weight, vector, terms in (
            (title, self.title_weight, self.dense_names_[name], self.title_terms_),
            (body, 1 - self.title_weight, self.dense_roles_[role], self.body_terms_),
        ):
            start, stop = view.indptr[row], view.indptr[row + 1]
            columns = view.indices[start:stop]
            shares = weight * view.data[start:stop] * vector[columns]
            if len(shares) > self.explain_terms:  # only the largest few can make the list
                shares_top = np.argpartition(-shares, self.explain_terms)[: self.explain_terms]
            else:
                shares_top = np.arange(len(shares))
            for index in shares_top[shares[shares_top] > 0]:
                term = str(terms[columns[index]])
                contributions[term] = contributions.get(term, 0.0) + float(shares[index])
        best = sorted(contributions.items(), key=lambda kv: (-kv[1], kv[0]))[: self.explain_terms]
        return tuple((term, round(value, 4)) for term, value in best)
