"""`RoleMatcher`: TF-IDF scoring of postings against role profiles, with a no-match verdict."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from profiles.models import RoleProfile

from .errors import ModelError
from .explain import ViewShares, best_names, term_shares
from .job_names import family_terms, has_terms, name_words, specialty_names
from .posting import Posting
from .reference import OtherRole, Specialty, checked_specialties, load_other_roles, load_specialties
from .term_counts import TermCounter
from .tokens import domain_terms
from .tokens import title_terms as job_words
from .vectors import body_analyzer, idf, tfidf, title_analyzer, weighted_counts, without_stop_words
from .work_text import work_text

__all__ = ["DEFAULT_SECTION_WEIGHTS", "Ranking", "RoleMatcher", "RoleScore", "Scores"]

# Bump when a change to this module changes scores for the same seeds and parameters.
ALGORITHM_VERSION = 6

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


class RoleScore(NamedTuple):
    """One role's score for a posting (a tuple: a ranking makes one per role per posting)."""

    role: str
    title: str
    seed: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """Every role scored for one posting, best first; `matched` is the verdict."""

    roles: tuple[RoleScore, ...]
    matched: bool
    other_job: str | None  # for a no-match, the background job that scored best, when it beat our roles
    other_score: float
    explanation: tuple[tuple[str, float], ...]  # terms that contributed most to the top score
    # For the top role: whether the posting names the role's domain; and the posting's evidence for each
    # specialty, with whether the top role's names carry it (evidence for work they do not carry counts against).
    domain_named: bool = True
    specialties: tuple[tuple[str, float, bool], ...] = ()

    @property
    def best(self) -> RoleScore:
        return self.roles[0]


class Scores(NamedTuple):
    """`RoleMatcher.scores` for a chunk of postings: what the verdict, the ranking and the explanation are made
    of (roles and background jobs in the matcher's order: `roles_`, `other_jobs_`)."""

    ours: np.ndarray  # postings x roles: the ranking scores
    others: np.ndarray  # postings x background jobs
    outside: np.ndarray  # postings x roles: the posting does not name the role's domain
    evidence: np.ndarray  # postings x specialties
    said_in_title: np.ndarray  # postings x family terms: the title says the domain in its own words
    mentions: np.ndarray  # postings x family terms: how often the text names the domain
    title: sp.csr_matrix  # the title view's unit vectors
    body: sp.csr_matrix  # the text view's unit vectors
    by_name: np.ndarray  # postings x names: title similarity to each name of each job


class RoleMatcher:
    """Rank role profiles for job postings with two TF-IDF views: the title and the whole text.

    Parameters
    ----------
    title_weight : share of a score that comes from title-to-title similarity; the rest is the
        similarity of the posting's text (its title counted `title_boost` times, and its description less the
        sections about the employer and the terms: `work_text`) to the role document.
    title_boost : how many times the posting title counts in the text view.
    threshold : the lowest score that can be a match (`no_match` below it).
    margin : how far our best role must be ahead of the best background job (`reference/other_roles.txt`)
        to be a match; the background is what makes "none of our roles" an answer.
    family_margin : the margin for a posting that names the roles' family, a title word that nearly every
        role's names share and almost no background job's do ("ML" for these seeds, found at fit): its title
        says one of the family's domain terms (see `domain_mentions`: "Machine Learning", "MLOps", "PyTorch";
        a bare "AI" is said of teams and products too), or its text says them at least `family_mentions`
        times. "Data Scientist, Machine Learning" then goes to our roles unless its text clearly belongs to
        the background job, and so does a "Backend Engineer" whose work is all about ML.
    family_mentions : see `family_margin`.
    family_threshold : the lowest score that can be a match for a posting whose title says the family's domain
        in the domain's own words ("ML Modeller", "Machine Learning Modeler"): a job so titled is one of the
        family's more often than not, so a weaker likeness to the closest role will do. (Not for a text that
        only mentions the domain often: a research engineer's or a course's text does too.)
    domain_mentions : how often a posting's text (its title counted `title_boost` times) must name a family
        term's domain (the term itself, "machine learning", a discipline of it: MLOps, NLP, LLMs..., or a tool
        that exists only for it: PyTorch, vLLM, feature stores...) for a role whose title carries that term to
        count in full, when the posting's title does not name it.
    domain_penalty : the factor on the score of a role whose domain the posting does not name: a title word
        alone ("Data Architect") must not make a match with "ML Infrastructure Architect".
    specialty_weight : how much specialties move a job's score. A specialty is a word of some role's names that
        `reference/specialties.txt` lists ("infrastructure", "backend", "architect", "platform"); the posting's
        evidence for its work is in [0, 1] (1 when its title says the word, else the share of `specialty_terms`
        distinct terms of that work its text uses). A job whose names carry the word moves by the evidence less
        one half, and one whose names do not falls by the evidence above one half, each times this weight; a
        role whose domain the posting does not name does not move. It tells siblings apart (an ML
        infrastructure job from an ML job, a backend one from both) and applies to the background jobs alike
        ("Backend Developer" carries "backend", "Software Engineer" nothing), so it also shapes the verdict.
        A specialty's other title words (the file's `title:` lines) also name the roles whose names put the
        word right before another: "Inference Engineer" for an "ML Infrastructure Engineer".
    specialty_terms : how many distinct terms of a specialty's work make full evidence for it.
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
        family_margin: float = -0.14,
        family_mentions: int = 8,
        family_threshold: float = 0.22,
        domain_mentions: int = 2,
        domain_penalty: float = 0.5,
        specialty_weight: float = 0.1,
        specialty_terms: int = 6,
        section_weights: Sequence[tuple[str, float]] = DEFAULT_SECTION_WEIGHTS,
        explain_terms: int = 5,
    ) -> None:
        self.title_weight = title_weight
        self.title_boost = title_boost
        self.threshold = threshold
        self.margin = margin
        self.family_margin = family_margin
        self.family_mentions = family_mentions
        self.family_threshold = family_threshold
        self.domain_mentions = domain_mentions
        self.domain_penalty = domain_penalty
        self.specialty_weight = specialty_weight
        self.specialty_terms = specialty_terms
        self.section_weights = tuple(section_weights)
        self.explain_terms = explain_terms

    def get_params(self) -> dict[str, object]:
        return {
            "title_weight": self.title_weight,
            "title_boost": self.title_boost,
            "threshold": self.threshold,
            "margin": self.margin,
            "family_margin": self.family_margin,
            "family_mentions": self.family_mentions,
            "family_threshold": self.family_threshold,
            "domain_mentions": self.domain_mentions,
            "domain_penalty": self.domain_penalty,
            "specialty_weight": self.specialty_weight,
            "specialty_terms": self.specialty_terms,
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

    def fit(
        self,
        profiles: Sequence[RoleProfile],
        other_roles: Sequence[OtherRole] | None = None,
        specialties: Mapping[str, Specialty | Sequence[str]] | None = None,
    ) -> RoleMatcher:
        """Fit on the role profiles (and the background jobs and title-word specialties, by default the
        packaged ones; a specialty may be given as its terms alone)."""
        # scikit-learn is imported here, not at the top: scoring does not use it, and importing it is most of
        # a fresh process's start-up (a warm `jobmatch classify` or worker loads a fitted, pickled matcher).
        from sklearn.feature_extraction.text import CountVectorizer

        if not profiles:
            raise ModelError("no role profiles to fit on: is the seeds folder empty?")
        reference_hash = ""
        if other_roles is None:
            other_roles, reference_hash = load_other_roles()
        else:
            reference_hash = hashlib.sha256(repr(list(other_roles)).encode()).hexdigest()
        if specialties is None:
            work, specialties_hash = load_specialties()
        else:
            work = checked_specialties(specialties)
            specialties_hash = hashlib.sha256(repr(sorted(work.items())).encode()).hexdigest()
        reference_hash += specialties_hash
        ordered = sorted(profiles, key=lambda p: p.role)
        self.roles_ = tuple((p.role, p.title, p.seed) for p in ordered)
        self.other_jobs_ = tuple(o.title for o in other_roles)
        # Every job's specialties, by the words of its names: the title words `specialties` lists.
        names_words = [name_words(p.title, p.aliases) for p in ordered]
        other_words = [name_words(o.title, o.aliases) for o in other_roles]
        self.specialties_ = tuple(sorted(w for w in work if any(w in words for words in names_words)))
        self.role_specialties_ = has_terms(names_words, self.specialties_)
        self.other_specialties_ = has_terms(other_words, self.specialties_)

        # Title view: every name of a job (its title and the other names its document uses) is scored
        # on its own and a job keeps its best name, so a long list of aliases does not dilute any of them.
        # A role is also named by the other title words of a specialty that its names put right before their
        # job word: "Inference Engineer" and "GPU Engineer" for an ML Infrastructure Engineer (not for a Backend
        # Engineer in ML Infrastructure). Those names are not the document's: the family is found without them.
        names = [(j, name, True) for j, p in enumerate(ordered) for name in (p.title, *p.aliases)]
        names += [(j, name, False) for j, p in enumerate(ordered) for name in specialty_names(p, work)]
        names += [(len(ordered) + j, name, True) for j, o in enumerate(other_roles) for name in (o.title, *o.aliases)]
        names.sort(key=lambda name: name[0])  # grouped by owner, roles first (the sort is stable)
        titles = CountVectorizer(analyzer=title_analyzer, binary=True, dtype=np.float64)
        title_counts = titles.fit_transform([name for _, name, _ in names]).tocsr()
        self.title_vocabulary_: dict[str, int] = dict(titles.vocabulary_)
        self.title_idf_ = idf(title_counts)
        self.names_ = tfidf(title_counts, self.title_idf_, sublinear=False)
        title_terms = titles.get_feature_names_out().tolist()
        real = [i for i, (_, _, documented) in enumerate(names) if documented]
        self.family_terms_ = family_terms(title_counts[real], title_terms, [names[i][0] for i in real], len(ordered))
        self.family_columns_ = np.array([self.title_vocabulary_[t] for t in self.family_terms_], dtype=np.int64)
        # Every role's domains, by the family terms of its title.
        self.role_domains_ = has_terms([set(job_words(p.title)) for p in ordered], self.family_terms_)
        evidence_terms = {t for w in self.specialties_ for t in work[w].terms}
        evidence_terms |= {t for f in self.family_terms_ for t in domain_terms(f)}

        # Text view. IDF over one document per role and one per background job: words every job
        # posting uses (team, experience, benefits) get little weight, the words of our roles a lot.
        role_texts = [self._weighted_sections(p) for p in ordered]
        other_texts = [f"{o.title}\n{'; '.join(o.aliases)}\n{o.text}" for o in other_roles]
        body = CountVectorizer(analyzer=body_analyzer, dtype=np.float64)
        body.fit([text for sections in role_texts for text, _ in sections] + other_texts)
        body = without_stop_words(body, also=evidence_terms)
        role_counts = sp.vstack([weighted_counts(body, sections) for sections in role_texts]).tocsr()
        other_counts = body.transform(other_texts)
        self.body_vocabulary_: dict[str, int] = dict(body.vocabulary_)
        self.term_counter_ = TermCounter(self.body_vocabulary_)
        self.body_idf_ = idf(sp.vstack([role_counts, other_counts]).tocsr())
        # Terms no document uses are counted (for the evidence) but weigh nothing in the text view.
        self.body_idf_[np.asarray((role_counts.sum(axis=0) + other_counts.sum(axis=0)) == 0).ravel()] = 0.0
        self.role_body_ = tfidf(role_counts, self.body_idf_)
        self.other_body_ = tfidf(other_counts, self.body_idf_)
        # The text terms that speak of each specialty's work and name each family term's domain.
        self.specialty_columns_ = tuple(self._body_columns(work[w].terms) for w in self.specialties_)
        self.specialty_title_columns_ = np.array(
            [self.title_vocabulary_.get(w, -1) for w in self.specialties_], dtype=np.int64
        )
        self.domain_columns_ = tuple(self._body_columns(domain_terms(f)) for f in self.family_terms_)
        owners = np.array([owner for owner, _, _ in names])
        # Names are grouped by owner (roles first, then background jobs): one slice start per owner.
        self.name_starts_ = np.searchsorted(owners, np.arange(len(ordered) + len(other_roles)))
        # The explanation adds up a term's share from both views: one column space for the terms of both.
        body_terms = body.get_feature_names_out().tolist()
        self.terms_ = tuple(sorted(set(body_terms) | set(title_terms)))
        column = {term: i for i, term in enumerate(self.terms_)}
        self.body_columns_ = np.array([column[t] for t in body_terms], dtype=np.int64)
        self.title_columns_ = np.array([column[t] for t in title_terms], dtype=np.int64)
        # Dense copies for the explanation's lookups (a few hundred KB): sparse indexing per posting costs more.
        self.dense_roles_ = self.role_body_.toarray()
        self.dense_names_ = self.names_.toarray()
        # Every job's text vector, roles then background jobs, as one dense terms x jobs matrix (2 MB here):
        # one sparse-times-dense product per chunk costs a third of two sparse-times-sparse ones.
        self.job_texts_ = np.ascontiguousarray(np.vstack([self.dense_roles_, self.other_body_.toarray()]).T)
        self.model_version_ = self._version(ordered, reference_hash)
        return self

    def _body_columns(self, terms: Iterable[str]) -> np.ndarray:
        return np.array(sorted(self.body_vocabulary_[t] for t in terms), dtype=np.int64)

    def _weighted_sections(self, profile: RoleProfile) -> list[tuple[str, float]]:
        sections = [(s.text, self._section_weight(s.path[0])) for s in profile.sections]
        return [(f"{profile.title}\n" + "\n".join(profile.aliases), 1.0), *sections]

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
        scored = self.scores(postings)
        ours, others, outside, evidence = scored.ours, scored.others, scored.outside, scored.evidence
        # Best first; equal scores in role-id order (the roles are sorted by id, and the sort is stable).
        order = np.argsort(-np.round(ours, 12), axis=1, kind="stable")
        top = ours[np.arange(len(postings)), order[:, 0]]
        if others.shape[1]:
            best_other = np.argmax(others, axis=1)
            other_score = others[np.arange(len(postings)), best_other]
        else:
            best_other = np.full(len(postings), -1)
            other_score = np.zeros(len(postings))
        said_in_title = np.any(scored.said_in_title, axis=1)
        family = said_in_title | np.any(scored.mentions >= self.family_mentions, axis=1)
        margin = np.where(family, self.family_margin, self.margin)
        floor = np.where(said_in_title, self.family_threshold, self.threshold)
        # A role whose domain the posting does not name is never the match, however its title words score.
        inside = ~outside[np.arange(len(postings)), order[:, 0]]
        matched = (top >= floor) & (top >= other_score + margin) & inside
        best_name = best_names(scored.by_name, self.name_starts_, order[:, 0])
        explanations = term_shares(
            (
                ViewShares(scored.title, self.title_weight, self.dense_names_, best_name, self.title_columns_),
                ViewShares(scored.body, 1 - self.title_weight, self.dense_roles_, order[:, 0], self.body_columns_),
            ),
            self.terms_,
            self.explain_terms,
        )
        rankings = []
        # Plain lists for the loop: indexing numpy arrays one posting at a time costs more than the loop.
        orders, best_others, tops = order.tolist(), best_other.tolist(), top.tolist()
        other_scores, verdicts = other_score.tolist(), matched.tolist()
        outsides, evidences, role_specialties = outside.tolist(), evidence.tolist(), self.role_specialties_.tolist()
        for i, row in enumerate(ours.tolist()):
            other = best_others[i]
            rankings.append(
                Ranking(
                    roles=tuple(
                        RoleScore(role, name, seed, round(row[j], 6))
                        for j in orders[i]
                        for role, name, seed in (self.roles_[j],)
                    ),
                    matched=verdicts[i],
                    other_job=self.other_jobs_[other] if not verdicts[i] and other_scores[i] > tops[i] else None,
                    other_score=round(other_scores[i], 6),
                    explanation=explanations[i],
                    domain_named=not outsides[i][orders[i][0]],
                    specialties=tuple(
                        (word, round(evidences[i][k], 4), role_specialties[orders[i][0]][k])
                        for k, word in enumerate(self.specialties_)
                    ),
                )
            )
        return rankings

    def scores(self, postings: Sequence[Posting], *, of_people: bool = False) -> Scores:
        """Every job's score for each posting (see `Scores`). With `of_people` the texts are people's own, read
        by `recommend`: no role is held to the domain rule (a person reading our roles' guides is ours whether
        or not they write "ML"), and all of a text is theirs (a CV's "About me" is about their work)."""
        self._check_fitted()
        counts, title_counts = self._text_counts(postings, whole=of_people)
        body = tfidf(counts, self.body_idf_)
        title = tfidf(self._title_counts([p.title for p in postings]), self.title_idf_, sublinear=False)
        by_name = (title @ self.names_.T).toarray()
        by_job = np.maximum.reduceat(by_name, self.name_starts_, axis=1)
        n_roles = len(self.roles_)
        w = self.title_weight
        by_text = body @ self.job_texts_
        similar = np.clip(w * by_job[:, :n_roles] + (1 - w) * by_text[:, :n_roles], 0.0, 1.0)
        in_title, said_in_title, mentions = self._domain_named(title, title_counts, counts)
        # postings x roles: a role whose names carry a family term whose domain the posting does not name.
        named = in_title | (mentions >= self.domain_mentions)
        outside = np.any(self.role_domains_[None, :, :] & ~named[:, None, :], axis=2) & (not of_people)
        similar *= np.where(outside, self.domain_penalty, 1.0)
        # Specialties move every job, ours and the background alike, so they order our roles among themselves
        # and take part in the verdict.
        evidence = self._specialty_evidence(title, counts)
        ours = np.clip(similar + np.where(outside, 0.0, self._shift(evidence, self.role_specialties_)), 0.0, 1.0)
        others = w * by_job[:, n_roles:] + (1 - w) * by_text[:, n_roles:]
        others = np.clip(others + self._shift(evidence, self.other_specialties_), 0.0, 1.0)
        return Scores(ours, others, outside, evidence, said_in_title, mentions, title, body, by_name)

    def _specialty_evidence(self, title: sp.csr_matrix, counts: sp.csr_matrix) -> np.ndarray:
        """postings x specialties, in [0, 1]: 1 when the title says the word, else the share of
        `specialty_terms` distinct terms of that work in the text."""
        evidence = np.zeros((title.shape[0], len(self.specialties_)))
        present = counts > 0
        for k, (column, columns) in enumerate(
            zip(self.specialty_title_columns_.tolist(), self.specialty_columns_, strict=True)
        ):
            distinct = np.asarray(present[:, columns].sum(axis=1)).ravel()
            evidence[:, k] = np.minimum(distinct / self.specialty_terms, 1.0)
            if column >= 0:
                evidence[title[:, column].toarray().ravel() > 0, k] = 1.0
        return evidence

    def _shift(self, evidence: np.ndarray, has: np.ndarray) -> np.ndarray:
        """postings x jobs: how the specialty evidence moves each job, `has` (jobs x specialties) saying which
        specialties its names carry. Evidence of work a job's names do not name counts against it."""
        against = np.maximum(evidence - 0.5, 0.0)
        shift: np.ndarray = self.specialty_weight * ((evidence - 0.5) @ has.T - against @ (~has).T)
        return shift

    def _domain_named(
        self, title: sp.csr_matrix, title_counts: sp.csr_matrix, counts: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """postings x family terms: whether the title names the term (a synonym too: "AI Engineer"), whether
        the title's text terms say its domain in the domain's own words, and how often the whole text names
        the domain (`counts`: the title counted `title_boost` times)."""
        in_title = (title[:, self.family_columns_] > 0).toarray()
        said = np.zeros(in_title.shape, dtype=bool)
        mentions = np.zeros(in_title.shape, dtype=np.int64)
        for f, columns in enumerate(self.domain_columns_):
            mentions[:, f] = np.asarray(counts[:, columns].sum(axis=1)).ravel()
            said[:, f] = np.asarray(title_counts[:, columns].sum(axis=1)).ravel() > 0
        return in_title, said, mentions

    def text_vectors(self, postings: Sequence[Posting]) -> sp.csr_matrix:
        """The postings' unit vectors in the text view (what `scores` compares with the role documents)."""
        self._check_fitted()
        return tfidf(self._body_counts(postings), self.body_idf_)

    def _body_counts(self, postings: Sequence[Posting], *, whole: bool = False) -> sp.csr_matrix:
        """Term counts of each posting's text, its title counted `title_boost` times and its description less
        what it says of the employer and the terms (`work_text`; the whole of it with `whole`): the matrix of the
        body vectorizer's `transform` (phrases not folded across title and description), counted by
        `TermCounter` over the chunk's bytes rather than token by token in Python."""
        texts = [(p.description if whole else work_text(p.description), p.title) for p in postings]
        return self.term_counter_.count(texts, (1, self.title_boost))

    def _text_counts(self, postings: Sequence[Posting], *, whole: bool = False) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """`_body_counts`, and the term counts of each title alone. One pass over title and description together
        costs less than adding up two (measured: 0.82x against 0.80x a bare TfidfVectorizer), so the titles are
        counted twice."""
        return self._body_counts(postings, whole=whole), self.term_counter_.count([(p.title,) for p in postings], (1,))

    def _title_counts(self, titles: Sequence[str]) -> sp.csr_matrix:
        """Which title terms each title holds (1.0), columns sorted: the fitted title CountVectorizer's
        `transform`, without scikit-learn at score time."""
        vocabulary = self.title_vocabulary_
        indices: list[int] = []
        indptr = [0]
        for title in titles:
            indices.extend(sorted({vocabulary[t] for t in title_analyzer(title) if t in vocabulary}))
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64)),
            shape=(len(titles), len(vocabulary)),
        )
