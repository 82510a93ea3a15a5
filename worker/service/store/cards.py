"""Posting cards in Redis (written by `publish.lua` with each matched result): fetching the candidates of roles
and one posting's card, for `recommend` and `similar`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import redis

from .keys import Keys
from .results import _script

__all__ = ["CardStore"]


class CardStore:
    """Reads the cards of current postings: one Lua call per question."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self._candidates = client.register_script(_script("candidates.lua"))

    def candidates(
        self, model_version: str, counts: Sequence[tuple[str, int]], card_bytes: int
    ) -> tuple[list[str], bytes]:
        """The ids and cards (concatenated, `card_bytes` each) of the best current postings of roles, `counts`
        giving each role and how many (rankings of `model_version`), in that order then by score; postings whose
        card expired are left out."""
        wanted = [(role, count) for role, count in counts if count > 0]
        if not wanted:
            return [], b""
        args = [self.keys.ranking(model_version, ""), self.keys.card(model_version, ""), str(card_bytes)]
        for role, count in wanted:
            args += [role, str(count)]
        reply = cast(list[bytes], self._candidates(keys=[], args=args))
        return [b.decode("utf-8", "surrogateescape") for b in reply[1:]], reply[0]

    def card(self, model_version: str, posting_id: str) -> bytes | None:
        """One posting's card, or None (not matched, expired, or another model version)."""
        return cast(bytes | None, self.client.get(self.keys.card(model_version, posting_id)))
