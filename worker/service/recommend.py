"""Recommendations from the live results: the cards written at publish, scored for a person (`recommend`) or
for a posting (`similar`) with `matching.recommend`, and the best ones' stored results.

The worker writes the cards (`card_maker`, set on its `ResultStore`); the client reads them (`Recommender`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from matching import Classifier, MatchingError, posting_from_dict
from matching.cards import CARD_BYTES, CARD_DTYPE, CARD_VERSION, card_of, make_cards
from matching.posting import Posting
from matching.recommend import (
    Person,
    Preferences,
    ScoredPosting,
    candidate_counts,
    person_from,
    preferences_from_dict,
    role_fits,
    score_postings,
)

from ..errors import QueueError
from ..lines import decode_line
from .store.cards import CardStore
from .store.results import Outcome, ResultStore

__all__ = ["Recommender", "card_maker"]


def card_maker(classifier: Callable[[], Classifier]) -> Callable[[Sequence[Outcome]], list[bytes | None]]:
    """The `ResultStore.cards` hook of a worker: each matched outcome's card, from its payload (parsed again:
    the classifier keeps no text) and its result. `classifier` returns the process's classifier."""

    def cards(outcomes: Sequence[Outcome]) -> list[bytes | None]:
        out: list[bytes | None] = [None] * len(outcomes)
        chosen: list[int] = []
        postings: list[Posting] = []
        for i, outcome in enumerate(outcomes):
            if outcome.result.get("status") != "matched" or not outcome.replace:
                continue
            try:
                posting = posting_from_dict(decode_line(outcome.payload))
            except MatchingError:
                continue  # cannot happen for a matched result; no card is no recommendation, not an error
            chosen.append(i)
            postings.append(posting)
        if chosen:
            results = [dict(outcomes[i].result) for i in chosen]
            for i, card in zip(
                chosen, make_cards(classifier().matcher, postings, results, now=time.time()), strict=True
            ):
                out[i] = card
        return out

    return cards


class Recommender:
    """Scores current postings for a person or a posting; one per client, around its classifier."""

    def __init__(self, store: ResultStore, classifier: Classifier) -> None:
        self.store = store
        self.cards = CardStore(store.client, store.keys)
        self.classifier = classifier
        self.matcher = classifier.matcher
        self.model_version = classifier.model_version

    def preferences(self, data: Preferences | Mapping[str, Any] | None, *, source: str = "preferences") -> Preferences:
        """Preferences as given, or validated from a mapping (TOML or JSON); raises `PreferencesError`."""
        if data is None:
            return Preferences()
        if isinstance(data, Preferences):
            return data
        return preferences_from_dict(data, list(self.classifier.profiles.values()), source=source)

    def recommend(
        self, text: str | None, preferences: Preferences | Mapping[str, Any] | None = None, n: int = 10
    ) -> dict[str, Any]:
        """`roles`: the roles that fit, best first, with their bands; `postings`: the `n` best current postings
        for the person, best first, each with `why`. Raises `PreferencesError` when given neither text nor
        preferences."""
        prefs = self.preferences(preferences)
        person = person_from(self.matcher, text, prefs)
        fits = role_fits(person, self.classifier.profiles)
        counts = candidate_counts(fits, person, self.store.settings.ranking_size)
        ids, cards = self._candidates(counts)
        scored = self._score(person, ids, cards, {str(f["role"]): float(f["fit"]) for f in fits}, n)
        return {
            "roles": [{"role": f["role"], "score": f["score"], "band": f["band"]} for f in fits],
            "postings": self._postings(scored),
            "level": person.level,
            "model_version": self.model_version,
        }

    def similar(self, posting_id: str, n: int = 10) -> dict[str, Any] | None:
        """The `n` current postings most like `posting_id` (its role's first, then by text similarity), or None
        when it has no card (not a matched posting, expired, or classified by another model version)."""
        blob = self.cards.card(self.model_version, posting_id)
        if blob is None:
            return None
        card = card_of(blob)
        roles = [role for role, _, _ in self.matcher.roles_]
        own = roles[card.role] if card.role < len(roles) else None
        vector = np.zeros(len(self.matcher.body_vocabulary_))
        for term, weight in card.terms.items():
            vector[term] = weight
        norm = float(np.linalg.norm(vector)) or 1.0
        vector /= norm
        order = ([own] if own else []) + [r for r in roles if r != own]
        ids, cards = self._candidates([(role, self.store.settings.ranking_size) for role in order])
        keep = [i for i, other in enumerate(ids) if other != posting_id]
        person = Person(Preferences(), {}, vector, card.level)
        fits = {role: (1.0 if role == own else 0.0) for role in roles}
        scored = self._score(person, [ids[i] for i in keep], cards[keep], fits, len(keep), like=vector)
        # Same role first; within it, and after it, by how alike the texts are.
        scored.sort(key=lambda s: (s.role != own, -s.parts.get("text", 0.0), s.id))
        similar = [_like(s) for s in scored[:n]]
        return {"id": posting_id, "role": own, "postings": self._postings(similar)}

    def check_version(self, live: str | None) -> None:
        """Raise `QueueError` when the workers publish another model version than this one (cards hold term ids
        of one vocabulary)."""
        if live is not None and live != self.model_version:
            raise QueueError(
                f"the workers run model {live}, this machine {self.model_version}: recommendations need the same "
                "seeds and code here as on the workers"
            )

    def _candidates(self, counts: Sequence[tuple[str, int]]) -> tuple[list[str], np.ndarray]:
        """The ids and decoded cards of the roles' best current postings, (role, how many) each."""
        ids, blob = self.cards.candidates(self.model_version, counts, CARD_BYTES)
        cards = np.frombuffer(blob, dtype=CARD_DTYPE)
        if len(cards) != len(ids):  # cannot happen: the script keeps only cards of this size
            raise QueueError(f"recommendations: {len(ids)} candidate ids but {len(cards)} cards")
        current = cards["version"] == CARD_VERSION  # a card written by another version of jobmatch is not read
        return [i for i, ok in zip(ids, current.tolist(), strict=True) if ok], cards[current]

    def _score(
        self,
        person: Person,
        ids: list[str],
        cards: np.ndarray,
        fits: Mapping[str, float],
        n: int,
        like: np.ndarray | None = None,
    ) -> list[ScoredPosting]:
        return score_postings(person, ids, cards, fits, self.matcher, now=time.time(), n=n, like=like)

    def _postings(self, scored: Sequence[ScoredPosting]) -> list[dict[str, Any]]:
        results = self.store.get_results([s.id for s in scored])
        bands = self.store.market.bands(results)  # one round trip for every shown posting's market band
        out = []
        for item, result, market_band in zip(scored, results, bands, strict=True):
            result = result or {}
            out.append(
                {
                    "id": item.id,
                    "role": item.role,
                    "score": item.score,
                    "why": item.why,
                    "parts": item.parts,
                    "title": result.get("title"),
                    "level": result.get("level"),
                    "band": result.get("salary_band"),
                    "stated_salary": result.get("stated_salary"),
                    "market_band": market_band,
                }
            )
        return out


def _like(scored: ScoredPosting) -> ScoredPosting:
    """A `similar` answer scores by text similarity alone."""
    return ScoredPosting(scored.id, scored.role, scored.parts.get("text", 0.0), scored.parts, scored.why)
