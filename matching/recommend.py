"""Recommendations for a person: the roles that fit their text and preferences, and postings scored for them.

Pure scoring over posting cards (`cards.py`); where the cards come from is the worker's business. The score of
a posting for a person is a weighted mean of parts in [0, 1] (see `WEIGHTS` and docs/recommend.md):

- `fit`: how well the posting's role fits the person (their text's score for it over their best role's);
- `text`: cosine of the person's text and the posting's text (TF-IDF in the matcher's vocabulary and IDF,
  the posting's `TERMS` heaviest terms);
- `match`: the posting's own score for its role;
- `level`: 1 for the person's level, 0.5 one step away or unknown, 0 further;
- `pay`: against the minimum, only in the same currency, annualised: 1 at or above, 0 below, 0.5 not stated
  or in another currency;
- `place`: 1 remote when remote is wanted, or in the wanted place; 0.5 when the posting names no place; 0 else;
- `fresh`: halves every `HALF_LIFE_DAYS` of age.

Parts the person gave nothing for (no text, no minimum pay, no place) are left out of the mean.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from profiles.loader import find_profile
from profiles.models import RoleProfile

from .bands import expected_band
from .cards import CARD_DTYPE, POSTED_KNOWN, REMOTE, ROLE_SLOTS, place_hashes
from .errors import MatchingError
from .model import RoleMatcher
from .pay import PERIOD_FACTORS, PERIODS, annualise
from .posting import Posting
from .seniority import LEVELS, read_seniority

__all__ = [
    "HALF_LIFE_DAYS",
    "ROLE_SHARE",
    "TEXT_FULL",
    "WEIGHTS",
    "MinimumPay",
    "Person",
    "Preferences",
    "PreferencesError",
    "ScoredPosting",
    "candidate_counts",
    "person_from",
    "preferences_from_dict",
    "role_fits",
    "score_postings",
]

WEIGHTS: dict[str, float] = {
    "fit": 0.40,
    "text": 0.35,
    "match": 0.05,
    "level": 0.05,
    "pay": 0.05,
    "place": 0.05,
    "fresh": 0.05,
}
HALF_LIFE_DAYS = 30.0
# The text cosine that counts in full: a person's text and a posting rarely share more.
TEXT_FULL = 0.4
# Roles whose fit is at least this share of the best role's supply candidates (when no roles are wanted).
ROLE_SHARE = 0.5
WHY_TERMS = 5
# The fit part is the best role fit times the posting's share for it, to this power: a near miss counts far less.
FIT_POWER = 2.0
# Level steps: the management and lead tracks sit beside staff.
_STEP = {"intern": 0, "entry": 1, "mid": 2, "senior": 3, "staff": 4, "lead": 4, "manager": 4, "principal": 5}
_HEADLINE = re.compile(r"\S")


class PreferencesError(MatchingError):
    """A preferences file or value that cannot be used; names the file and the key."""


@dataclass(frozen=True)
class MinimumPay:
    """The least pay a person accepts, as they wrote it; compared annualised and only in its currency."""

    amount: float
    currency: str
    period: str = "year"

    @property
    def annual(self) -> float:
        return annualise(self.amount, self.period)


@dataclass(frozen=True)
class Preferences:
    """What a person asks for besides their text (every field optional)."""

    roles: tuple[str, ...] = ()  # role slugs; when given, only these roles' postings are recommended
    level: str | None = None
    location: str | None = None
    remote: bool | None = None
    min_pay: MinimumPay | None = None
    max_age_days: float | None = None  # postings older than this are left out

    @property
    def empty(self) -> bool:
        return self == Preferences()


_KEYS = ("roles", "level", "location", "remote", "min_pay", "max_age_days")


def preferences_from_dict(
    data: Mapping[str, Any], profiles: Sequence[RoleProfile], *, source: str = "preferences"
) -> Preferences:
    """Validate preferences read from TOML or JSON: `roles` (slugs, seed names or prefixes), `level`,
    `location`, `remote`, `min_pay` ({amount, currency, period}, or a number in USD a year), `max_age_days`.

    Raises `PreferencesError` naming `source` and the key.
    """

    def bad(key: str, message: str) -> PreferencesError:
        return PreferencesError(f"{source}: {key}: {message}")

    if not isinstance(data, Mapping):
        raise PreferencesError(f"{source}: expected a table (object) of preferences, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise bad(unknown[0], f"unknown preference (expected one of {', '.join(_KEYS)})")
    raw_roles = data.get("roles", [])
    if isinstance(raw_roles, str):
        raw_roles = [raw_roles]
    if not isinstance(raw_roles, list) or not all(isinstance(r, str) for r in raw_roles):
        raise bad("roles", f"expected a list of role names, got {raw_roles!r}")
    roles = []
    for key in raw_roles:
        try:
            roles.append(find_profile(profiles, key).role)
        except Exception as exc:  # ProfileNotFoundError, worded with the known roles
            raise bad("roles", str(exc)) from None
    level = data.get("level")
    if level is not None and (not isinstance(level, str) or level.lower() not in _STEP):
        raise bad("level", f"expected one of {', '.join(_STEP)}, got {level!r}")
    location = data.get("location")
    if location is not None and not isinstance(location, str):
        raise bad("location", f"expected text, got {location!r}")
    remote = data.get("remote")
    if remote is not None and not isinstance(remote, bool):
        raise bad("remote", f"expected true or false, got {remote!r}")
    max_age = data.get("max_age_days")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int | float) or max_age <= 0):
        raise bad("max_age_days", f"expected a positive number of days, got {max_age!r}")
    return Preferences(
        roles=tuple(dict.fromkeys(roles)),
        level=level.lower() if isinstance(level, str) else None,
        location=location.strip() or None if isinstance(location, str) else None,
        remote=remote,
        min_pay=_min_pay(data.get("min_pay"), bad),
        max_age_days=float(max_age) if max_age is not None else None,
    )


def _min_pay(raw: object, bad: Any) -> MinimumPay | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = {"amount": raw}
    if not isinstance(raw, Mapping):
        raise bad("min_pay", f"expected {{amount, currency, period}} or a number, got {raw!r}")
    amount = raw.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount <= 0:
        raise bad("min_pay.amount", f"expected a positive number, got {amount!r}")
    currency = raw.get("currency", "USD")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise bad("min_pay.currency", f"expected an ISO currency code such as USD, got {currency!r}")
    period = raw.get("period", "year")
    if period not in PERIOD_FACTORS:
        raise bad("min_pay.period", f"expected one of {', '.join(PERIODS)}, got {period!r}")
    extra = sorted(set(raw) - {"amount", "currency", "period"})
    if extra:
        raise bad(f"min_pay.{extra[0]}", "unknown key (expected amount, currency, period)")
    return MinimumPay(float(amount), currency.upper(), str(period))


@dataclass(frozen=True)
class Person:
    """A person as recommendations see them: their role scores, text vector, level and preferences."""

    preferences: Preferences
    role_scores: dict[str, float]  # the text's score for every role (empty without text)
    vector: np.ndarray | None  # unit TF-IDF of the text over the body vocabulary (None without text)
    level: str  # from the preferences, else read from the text, else "unknown"
    level_evidence: tuple[str, ...] = ()
    places: tuple[int, ...] = field(default=())


def person_from(matcher: RoleMatcher, text: str | None, preferences: Preferences) -> Person:
    """Score a person's free text (a CV, a few lines) with the fitted matcher. Its first line counts as a
    title when short, as a CV's headline does ("Senior ML Engineer"); the whole text is the description."""
    if not (text and text.strip()) and preferences.empty:
        raise PreferencesError("nothing to recommend from: give a text about the person, preferences, or both")
    places = place_hashes(preferences.location)
    if not (text and text.strip()):
        return Person(preferences, {}, None, preferences.level or "unknown", (), places)
    lines = [line.strip() for line in text.strip().splitlines() if _HEADLINE.search(line)]
    headline = lines[0] if lines and len(lines[0]) <= 80 else ""
    posting = Posting(id="person", title=headline or "-", description=text)
    scores, vector = _role_scores(matcher, posting)
    seniority = read_seniority(headline, text)
    level = preferences.level or seniority.level
    evidence = () if preferences.level else seniority.evidence
    return Person(preferences, scores, vector, level, tuple(evidence), places)


def _role_scores(matcher: RoleMatcher, posting: Posting) -> tuple[dict[str, float], np.ndarray]:
    """A person's score for every role, and their text's unit TF-IDF vector: the matcher's scores for a posting,
    without the domain rule. A posting that never names the roles' domain (ML) is rarely one of ours; a person
    reading our roles' guides is, and often writes "GPU clusters" or "feature store" without "machine learning"."""
    scored = matcher.scores([posting], of_people=True)
    scores = scored.ours[0]
    return {role: round(float(scores[j]), 6) for j, (role, _, _) in enumerate(matcher.roles_)}, scored.body.toarray()[0]


def role_fits(person: Person, profiles: Mapping[str, RoleProfile]) -> list[dict[str, Any]]:
    """The roles for the person, best first: `role`, `title`, `score` (the text's score; 1.0 for a wanted role
    without text), `fit` (over the best role's) and `band` (the role's band for the person's level and place)."""
    wanted = person.preferences.roles
    if person.role_scores:
        scores = {r: s for r, s in person.role_scores.items() if not wanted or r in wanted}
    else:
        scores = {r: 1.0 for r in (wanted or sorted(profiles))}
    best = max(scores.values(), default=0.0) or 1.0
    ranked = sorted(scores.items(), key=lambda item: (-round(item[1], 12), item[0]))
    out = []
    for role, score in ranked:
        band = expected_band(profiles[role], person.level, person.preferences.location)
        out.append(
            {
                "role": role,
                "title": profiles[role].title,
                "score": round(score, 4),
                "fit": round(score / best, 4),
                "band": band.to_dict() if band is not None else None,
            }
        )
    return out


def candidate_counts(fits: Sequence[Mapping[str, Any]], person: Person, ranking_size: int) -> list[tuple[str, int]]:
    """Which roles' postings are candidates, and how many of each role's best: every wanted role's `ranking_size`;
    else `ranking_size` of each role whose fit is at least `ROLE_SHARE`, and of the others a share of it equal to
    their fit (a posting matched to a neighbouring role can fit the person's best role nearly as well)."""
    if person.preferences.roles or not person.role_scores:
        return [(str(f["role"]), ranking_size) for f in fits]
    return [
        (str(f["role"]), ranking_size if f["fit"] >= ROLE_SHARE else math.ceil(ranking_size * float(f["fit"])))
        for f in fits
    ]


@dataclass(frozen=True)
class ScoredPosting:
    """A posting scored for a person: the score, its parts and the reasons."""

    id: str
    role: str
    score: float
    parts: dict[str, float]
    why: dict[str, Any]


def score_postings(
    person: Person,
    ids: Sequence[str],
    cards: np.ndarray,
    fits: Mapping[str, float],
    matcher: RoleMatcher,
    *,
    now: float,
    n: int,
    like: np.ndarray | None = None,
) -> list[ScoredPosting]:
    """The `n` best postings for the person, best first (ties by id): `ids[i]` is the posting of `cards[i]`
    (decoded cards, `CARD_DTYPE`), `fits` the fit of each role. `like` (a unit vector) replaces the person's
    text vector (`similar`). Postings older than the preferences' `max_age_days` are left out."""
    if cards.dtype != CARD_DTYPE:
        raise ValueError("cards must be decoded with cards.decode_cards")
    prefs = person.preferences
    roles = [role for role, _, _ in matcher.roles_]
    slots = min(len(roles), ROLE_SLOTS)
    role_fit = np.array([fits.get(role, 0.0) for role in roles[:slots]])
    parts: dict[str, np.ndarray] = {}
    # The posting's best role for this person: its score for each role over its best, times the role's fit.
    parts["fit"] = np.power((cards["roles"][:, :slots] / 255.0 * role_fit[None, :]).max(axis=1), FIT_POWER)
    weights = cards["weights"].astype(np.float64)
    norms = np.sqrt(np.square(weights).sum(axis=1))
    norms[norms == 0] = 1.0
    vector = like if like is not None else person.vector
    terms = cards["terms"].astype(np.int64)
    if vector is not None:
        shares = vector[terms] * weights / norms[:, None]
        # A posting's text against another's (`like`) is a plain cosine; a person's short text counts in full
        # at TEXT_FULL.
        parts["text"] = np.clip(shares.sum(axis=1) / (1.0 if like is not None else TEXT_FULL), 0.0, 1.0)
    parts["match"] = cards["score"] / 65535.0
    steps = np.array([_STEP.get(level, -1) for level in LEVELS])[cards["level"].clip(0, len(LEVELS) - 1)]
    mine = _STEP.get(person.level, -1)
    distance = np.abs(steps - mine)
    parts["level"] = np.where(
        (steps < 0) | (mine < 0), 0.5, np.where(distance == 0, 1.0, np.where(distance == 1, 0.5, 0.0))
    )
    pay_top = np.maximum(cards["annual_high"], cards["annual_low"]).astype(np.float64)
    if prefs.min_pay is not None:
        same = (cards["currency"] == prefs.min_pay.currency.encode()) & (pay_top > 0)
        parts["pay"] = np.where(same, (pay_top >= prefs.min_pay.annual).astype(np.float64), 0.5)
    remote = (cards["flags"] & REMOTE) > 0
    has_place = cards["places"][:, 0] > 0
    if prefs.remote or person.places:
        here = (
            np.isin(cards["places"], np.array(person.places, dtype=np.uint32)).any(axis=1) if person.places else False
        )
        good = (remote & bool(prefs.remote)) | here
        parts["place"] = np.where(good, 1.0, np.where(has_place | remote, 0.0, 0.5))
    age_days = np.maximum(0.0, now - cards["posted"].astype(np.float64)) / 86400.0
    known = (cards["flags"] & POSTED_KNOWN) > 0
    parts["fresh"] = 0.5 ** (age_days / HALF_LIFE_DAYS)
    total = sum(WEIGHTS[name] for name in parts)
    score: np.ndarray = np.zeros(len(cards))
    for name, part in parts.items():
        score += WEIGHTS[name] * part / total
    keep = np.ones(len(cards), dtype=bool)
    if prefs.max_age_days is not None:
        keep &= age_days <= prefs.max_age_days
    if prefs.roles:
        keep &= np.isin(cards["role"], [roles.index(r) for r in prefs.roles if r in roles])
    kept = np.flatnonzero(keep)
    rounded = np.round(score[kept], 9)
    if len(kept) > n:  # only the n best (and those tied with the n-th) need sorting
        nth = np.partition(rounded, len(kept) - n)[len(kept) - n]
        kept, rounded = kept[rounded >= nth], rounded[rounded >= nth]
    best = sorted(zip(kept.tolist(), rounded.tolist(), strict=True), key=lambda pair: (-pair[1], ids[pair[0]]))
    order = [i for i, _ in best[:n]]
    out = []
    for i in order:
        values = {name: round(float(part[i]), 4) for name, part in parts.items()}
        out.append(
            ScoredPosting(
                id=ids[i],
                role=roles[cards["role"][i]] if cards["role"][i] < len(roles) else "",
                score=round(float(score[i]), 4),
                parts=values,
                why=_why(person, cards[i], vector, matcher, values, now, known=bool(known[i]), like=like is not None),
            )
        )
    return out


def _why(
    person: Person,
    card: np.void,
    vector: np.ndarray | None,
    matcher: RoleMatcher,
    parts: Mapping[str, float],
    now: float,
    *,
    known: bool,
    like: bool = False,
) -> dict[str, Any]:
    """The reasons, in words: shared terms, the level, the pay, the place, the age."""
    prefs = person.preferences
    why: dict[str, Any] = {}
    if vector is not None:
        shares = vector[card["terms"].astype(np.int64)] * card["weights"]
        top = [int(j) for j in np.argsort(-shares, kind="stable")[:WHY_TERMS] if shares[j] > 0]
        vocabulary = _terms(matcher)
        why["terms"] = [vocabulary[int(card["terms"][j])] for j in top]
    level = LEVELS[int(card["level"])] if int(card["level"]) < len(LEVELS) else "unknown"
    whose = "this posting's" if like else "your"  # `similar`: the "person" is the posting asked about
    if parts["level"] == 1.0:
        why["level"] = f"{level}, {whose} level"
    elif person.level == "unknown" or level == "unknown":
        why["level"] = f"{level} ({'this posting' if like else 'yours'}: {person.level})"
    else:
        why["level"] = f"{level}, {'near' if parts['level'] else 'not'} {whose} level ({person.level})"
    currency = bytes(card["currency"]).decode("ascii", "replace")
    low, high = int(card["annual_low"]), int(card["annual_high"])
    stated = f"{currency} {_span(low, high)} a year" if currency else None
    if prefs.min_pay is None:
        why["pay"] = stated or "no stated pay"
    elif stated is None:
        why["pay"] = "no stated pay"
    elif currency != prefs.min_pay.currency:
        why["pay"] = f"{stated}: another currency than your minimum, not compared"
    else:
        side = "at or above" if parts.get("pay") == 1.0 else "below"
        why["pay"] = f"{stated}, {side} your minimum of {currency} {prefs.min_pay.annual:,.0f} a year"
    if "place" in parts:
        remote = bool(int(card["flags"]) & REMOTE)
        if parts["place"] == 1.0:
            why["place"] = "remote" if remote and prefs.remote else "in the place you asked for"
        elif parts["place"] == 0.5:
            why["place"] = "no place stated"
        else:
            why["place"] = "elsewhere, not remote" if not remote else "remote, not where you asked"
    days = max(0.0, now - int(card["posted"])) / 86400
    why["posted"] = f"{days:.0f} days ago" if known else f"first seen {days:.0f} days ago"
    return why


def _span(low: int, high: int) -> str:
    if low and high and low != high:
        return f"{low:,}-{high:,}"
    return f"{(high or low):,}"


_VOCABULARIES: dict[int, list[str]] = {}


def _terms(matcher: RoleMatcher) -> list[str]:
    """The body vocabulary by id (built once per matcher)."""
    key = id(matcher)
    if key not in _VOCABULARIES:
        terms = [""] * len(matcher.body_vocabulary_)
        for term, index in matcher.body_vocabulary_.items():
            terms[index] = term
        _VOCABULARIES[key] = terms
    return _VOCABULARIES[key]
