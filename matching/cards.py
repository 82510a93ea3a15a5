"""Posting cards: the compact, fixed-size record of a matched posting that recommendations score.

A card holds what `recommend` and `similar` need to rank a posting without its full result: its role, its
score for that role, its level, its stated pay annualised with the currency, where it is (remote, and up to
`PLACES` hashed place names), when it was posted, and its `TERMS` heaviest text terms (ids in the matcher's body
vocabulary, weights quantised to a byte). Every card is `CARD_BYTES` long, so a few thousand of them decode in
one `numpy.frombuffer`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .location import us_state
from .model import RoleMatcher
from .posting import Posting
from .seniority import LEVELS

__all__ = [
    "CARD_BYTES",
    "CARD_DTYPE",
    "CARD_VERSION",
    "PLACES",
    "ROLE_SLOTS",
    "TERMS",
    "PostingCard",
    "card_of",
    "decode_cards",
    "is_remote",
    "make_cards",
    "place_hashes",
    "posted_seconds",
]

CARD_VERSION = 1
TERMS = 48  # the heaviest text terms kept: most of a posting vector's weight, 144 bytes
ROLE_SLOTS = 8  # roles whose scores a card keeps (the matcher's first 8; the seeds hold 5)
PLACES = 4  # place names kept per posting (its location's comma-separated parts and US state)

# Flags byte.
REMOTE = 1
POSTED_KNOWN = 2  # `posted` is the posting's own date, not when it was first published

CARD_DTYPE = np.dtype(
    [
        ("version", "u1"),
        ("role", "u1"),  # index in the matcher's roles_
        ("level", "u1"),  # index in seniority.LEVELS
        ("flags", "u1"),
        ("score", "<u2"),  # the posting's score for its role, times 65535
        ("roles", "u1", (ROLE_SLOTS,)),  # its score for every role (matcher order) over its best, times 255
        ("currency", "S3"),  # ISO code of the stated pay, or empty
        ("annual_low", "<u4"),  # whole units a year; 0: not stated
        ("annual_high", "<u4"),
        ("posted", "<u4"),  # unix seconds
        ("places", "<u4", (PLACES,)),  # crc32 of place names; 0: none
        ("terms", "<u2", (TERMS,)),  # body vocabulary ids
        ("weights", "u1", (TERMS,)),  # weight / the heaviest weight x 255; 0 pads
    ]
)
CARD_BYTES = CARD_DTYPE.itemsize

_REMOTE_TEXT = re.compile(
    r"\b(?:fully[- ]remote|100% remote|remote[- ]first|remote[- ]friendly|work from home|wfh|"
    r"(?:this|the) (?:is an? )?(?:fully )?remote (?:role|position|job|opportunity))\b",
    re.IGNORECASE,
)
_REMOTE_WORD = re.compile(r"\b(?:remote|anywhere)\b", re.IGNORECASE)
_PLACE_SPLIT = re.compile(r"\s*(?:[,;/|()]|\s[-–—]\s)\s*")
_U4 = 2**32 - 1


@dataclass(frozen=True)
class PostingCard:
    """One decoded card (tests and `similar` use it; scoring works on the decoded array)."""

    role: int
    score: float
    roles: tuple[float, ...]  # score for each role over the best one, matcher order
    level: str
    remote: bool
    posted_known: bool
    currency: str | None
    annual_low: float | None
    annual_high: float | None
    posted: int
    places: tuple[int, ...]
    terms: dict[int, int]  # vocabulary id -> quantised weight


def is_remote(posting: Posting) -> bool:
    """Whether the posting is remote: its location or title says so, or its text says it plainly."""
    for text in (posting.location, posting.title):
        if text and _REMOTE_WORD.search(text):
            return True
    text = posting.description[:20_000]
    lowered = text.lower()
    if "remote" not in lowered and "home" not in lowered and "wfh" not in lowered:
        return False  # the regular expression costs more than the whole card: most postings never say it
    return bool(_REMOTE_TEXT.search(text))


def place_hashes(location: str | None) -> tuple[int, ...]:
    """crc32s of a location's names: its comma-separated parts, lowercased, and its US state's code, at most
    `PLACES` of them ("Austin, TX" -> "austin", "tx"; "New York" -> "new york", "ny")."""
    if not location:
        return ()
    names: list[str] = []
    for part in _PLACE_SPLIT.split(location.lower()):
        part = " ".join(part.split())
        if part and part not in ("remote", "anywhere", "hybrid", "onsite", "on-site") and part not in names:
            names.append(part)
    state = us_state(location)
    if state is not None and state.lower() not in names:
        names.append(state.lower())
    return tuple(zlib.crc32(name.encode("utf-8", "replace")) or 1 for name in names[:PLACES])


def posted_seconds(posted_at: str | None) -> int | None:
    """Unix seconds of a posting's `posted_at` (ISO 8601 date or date-time, or unix seconds), or None."""
    if not posted_at:
        return None
    text = posted_at.strip()
    if text.isdigit():
        value = int(text)
        return value // 1000 if value > 10**11 else value  # milliseconds from some feeds
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int(when.timestamp()))


def make_cards(
    matcher: RoleMatcher, postings: Sequence[Posting], results: Sequence[dict[str, Any]], *, now: float
) -> list[bytes | None]:
    """The card of each matched posting (None for the others), from the posting and its result; `now` (unix
    seconds) stands for the posted time of a posting that gives none. One vectorised pass over the chunk."""
    cards: list[bytes | None] = [None] * len(postings)
    chosen = [i for i, result in enumerate(results) if result.get("status") == "matched"]
    if not chosen:
        return cards
    roles = {role: i for i, (role, _, _) in enumerate(matcher.roles_)}
    body = matcher.text_vectors([postings[i] for i in chosen])
    out = np.zeros(len(chosen), dtype=CARD_DTYPE)
    levels = {level: i for i, level in enumerate(LEVELS)}
    for row, i in enumerate(chosen):
        posting, result = postings[i], results[i]
        card = out[row]
        card["version"] = CARD_VERSION
        card["role"] = roles.get(str(result.get("role")), 255)
        card["level"] = levels.get(str(result.get("level")), levels["unknown"])
        card["score"] = round(min(max(float(result.get("score") or 0.0), 0.0), 1.0) * 65535)
        scores = {str(r.get("role")): float(r.get("score") or 0.0) for r in result.get("roles") or ()}
        top = max(scores.values(), default=0.0) or 1.0
        for slot, (role, _, _) in enumerate(matcher.roles_[:ROLE_SLOTS]):
            card["roles"][slot] = round(min(max(scores.get(role, 0.0) / top, 0.0), 1.0) * 255)
        pay = result.get("stated_salary") or {}
        currency = pay.get("currency")
        if currency and (pay.get("annual_low") is not None or pay.get("annual_high") is not None):
            card["currency"] = str(currency).encode("ascii", "replace")[:3]
            card["annual_low"] = min(_U4, round(pay.get("annual_low") or 0))
            card["annual_high"] = min(_U4, round(pay.get("annual_high") or 0))
        posted = posted_seconds(posting.posted_at)
        card["flags"] = (REMOTE if is_remote(posting) else 0) | (POSTED_KNOWN if posted is not None else 0)
        card["posted"] = min(_U4, posted if posted is not None else int(now))
        places = place_hashes(posting.location)
        card["places"][: len(places)] = places
        start, end = body.indptr[row], body.indptr[row + 1]
        weights, ids = body.data[start:end], body.indices[start:end]
        keep = np.argsort(-weights, kind="stable")[:TERMS]
        if len(keep):
            top = weights[keep]
            card["terms"][: len(keep)] = ids[keep]
            card["weights"][: len(keep)] = np.maximum(1, np.round(top / top[0] * 255))
    for row, i in enumerate(chosen):
        cards[i] = out[row].tobytes()
    return cards


def decode_cards(blobs: Sequence[bytes]) -> np.ndarray:
    """Cards as one structured array (`CARD_DTYPE`); blobs of another length or version are left out."""
    good = [blob for blob in blobs if len(blob) == CARD_BYTES and blob[0] == CARD_VERSION]
    return np.frombuffer(b"".join(good), dtype=CARD_DTYPE) if good else np.zeros(0, dtype=CARD_DTYPE)


def card_of(blob: bytes) -> PostingCard:
    """One card, decoded field by field."""
    card = np.frombuffer(blob, dtype=CARD_DTYPE)[0]
    flags = int(card["flags"])
    currency = bytes(card["currency"]).decode("ascii", "replace") or None
    return PostingCard(
        role=int(card["role"]),
        score=int(card["score"]) / 65535,
        roles=tuple(int(v) / 255 for v in card["roles"]),
        level=LEVELS[int(card["level"])] if int(card["level"]) < len(LEVELS) else "unknown",
        remote=bool(flags & REMOTE),
        posted_known=bool(flags & POSTED_KNOWN),
        currency=currency,
        annual_low=float(card["annual_low"]) or None if currency else None,
        annual_high=float(card["annual_high"]) or None if currency else None,
        posted=int(card["posted"]),
        places=tuple(int(p) for p in card["places"] if p),
        terms={int(t): int(w) for t, w in zip(card["terms"], card["weights"], strict=True) if w},
    )
