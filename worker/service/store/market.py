"""The observed market in Redis: stated pay counted at publish into daily histograms, merged on read into the
window's distribution per role, level and currency (`MarketStore`, `attach_market_band`).

Each (role, level, currency) has one string a day, `{prefix}market:{role}:{level}:{currency}:{day}` (day = UTC
days since 1970), holding the day's histogram (`matching.market.PayHistogram.to_bytes`: the span of its 312 bins
in use, a u16 count each); it expires when its day leaves the window (`market_window_days`, 90). Reading
merges the window's days (one MGET). A posting counts once per window: `market.lua` counts it only when it can SET
`{prefix}market:seen:{digest}` (digest of the posting id and content hash) with the window's expiry, so a posting
published again (a redelivered task, a re-poll, a new model version) is not counted twice. The seen keys are exact
(no false positives) and cost one small key per posting with stated pay in the window; `docs/market.md` has the
figures. `{prefix}market:index` lists the (role, level, currency) that have buckets, for `jobmatch market`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING, Any, cast

import redis

from ...settings import Settings
from .keys import Keys

if TYPE_CHECKING:
    from matching.market import MarketTable, PayHistogram

__all__ = ["MARKET_GROUP", "MarketStore", "attach_market_band", "today"]

log = logging.getLogger(__name__)

DAY_SECONDS = 86_400
MARKET_GROUP = 100  # postings per call of market.lua (as many as one call of publish.lua)


def today(now: float | None = None) -> int:
    """The UTC day number (days since 1970-01-01) of `now` (default: the clock)."""
    return int((time.time() if now is None else now) // DAY_SECONDS)


def _seen_digest(posting: str) -> str:
    return hashlib.sha256(posting.encode("utf-8", "surrogatepass")).hexdigest()[:20]


class MarketStore:
    """Counts published pay into the market and reads it back; one per `ResultStore` (one redis-py client)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)
        script = files(__name__.rpartition(".")[0]).joinpath("market.lua").read_text(encoding="utf-8")
        self._count = client.register_script(script)

    # -- counting (at publish) ----------------------------------------------------------------------------

    def queue(
        self, pipe: redis.client.Pipeline, results: Iterable[Mapping[str, Any]], *, now: float | None = None
    ) -> int:
        """Queue on `pipe` the counting of every result that states pay (matched, base pay, yearly figure):
        each counts once per window. Returns how many were queued (each script call replies 0)."""
        # Here, as in every method that needs it: importing matching takes ~0.2 s, which the client's commands
        # that never touch the market (submit, watch, status) should not pay. Workers have it loaded already.
        from matching.market import bin_index, observation

        day = today(now)
        window = self.settings.market_window_days
        expire_at_ms = str((day + window + 1) * DAY_SECONDS * 1000)  # the day's bucket leaves the window
        seen_ms = str(window * DAY_SECONDS * 1000)
        keys: list[str] = [self.keys.market_index]
        args: list[str] = [seen_ms, str(day)]
        queued = 0
        for result in results:
            item = observation(result)
            if item is None:
                continue
            keys += [
                self.keys.market_seen(_seen_digest(item.posting)),
                self.keys.market(item.role, item.level, item.currency, day),
            ]
            args += [
                str(bin_index(item.value, item.currency)),
                expire_at_ms,
                f"{item.role}\t{item.level}\t{item.currency}",
            ]
            queued += 1
            if queued % MARKET_GROUP == 0:
                self._count(keys=keys, args=args, client=pipe)
                keys, args = keys[:1], args[:2]
        if len(keys) > 1:
            self._count(keys=keys, args=args, client=pipe)
        return queued

    def count(self, results: Iterable[Mapping[str, Any]], *, now: float | None = None) -> int:
        """Count results into the market in one round trip (publishing does it in its own pipeline)."""
        pipe = self.client.pipeline(transaction=False)
        queued = self.queue(pipe, results, now=now)
        if queued:
            pipe.execute()
        return queued

    # -- reading ------------------------------------------------------------------------------------------

    def _days(self, role: str, level: str, currency: str, day: int) -> list[str]:
        window = self.settings.market_window_days
        return [self.keys.market(role, level, currency, d) for d in range(day - window + 1, day + 1)]

    def histogram(self, role: str, level: str, currency: str, *, now: float | None = None) -> PayHistogram:
        """The window's histogram of a role, level and currency: its daily buckets merged."""
        return self._histograms([(role, level, currency)], now=now)[0]

    def _histograms(self, combos: Sequence[tuple[str, str, str]], *, now: float | None = None) -> list[PayHistogram]:
        from matching.market import PayHistogram  # here: see `queue`

        day = today(now)
        pipe = self.client.pipeline(transaction=False)
        for role, level, currency in combos:
            pipe.mget(self._days(role, level, currency, day))
        out = []
        for (role, level, currency), buckets in zip(combos, pipe.execute(), strict=True):
            merged = PayHistogram(currency)
            for days_ago, data in enumerate(reversed(cast(list[bytes | None], buckets))):
                if not data:
                    continue
                try:
                    merged.merge(PayHistogram.from_bytes(currency, data))
                except ValueError as exc:  # a damaged bucket costs its day, never the result being read
                    key = self.keys.market(role, level, currency, day - days_ago)
                    log.warning("market: skipping %s: %s", key, exc)
            out.append(merged)
        return out

    def table(self, role: str | None = None, *, now: float | None = None) -> MarketTable:
        """Every (role, level, currency) with postings in the window (or only `role`'s), as a `MarketTable`."""
        from matching.market import MarketTable  # here: see `queue`

        day = today(now)
        window = self.settings.market_window_days
        index = cast(dict[bytes, bytes], self.client.hgetall(self.keys.market_index))
        combos: list[tuple[str, str, str]] = []
        stale: list[bytes] = []
        for field, last in index.items():
            parts = field.decode().split("\t")
            if len(parts) != 3:
                continue
            if int(last) <= day - window:
                stale.append(field)  # every bucket of it has expired
            elif role is None or parts[0] == role:
                combos.append((parts[0], parts[1], parts[2]))
        if stale:
            self.client.hdel(self.keys.market_index, *stale)
        table = MarketTable()
        for combo, histogram in zip(combos, self._histograms(combos, now=now), strict=True):
            if histogram.count:
                table.histograms[combo] = histogram
        return table

    def bands(
        self, results: Sequence[Mapping[str, Any] | None], *, now: float | None = None
    ) -> list[dict[str, Any] | None]:
        """The current market band of each result (None for a result that is not `matched`), in one round trip."""
        from matching.market import market_band  # here: see `queue`

        wanted = [_combo(r) if r is not None else None for r in results]
        distinct = sorted({c for c in wanted if c is not None})
        histograms = dict(zip(distinct, self._histograms(distinct, now=now), strict=True))
        settings = self.settings
        out: list[dict[str, Any] | None] = []
        for result, combo in zip(results, wanted, strict=True):
            if result is None or combo is None:
                out.append(None)
                continue
            role, level, currency = combo
            out.append(
                market_band(
                    histograms[combo],
                    role=role,
                    level=level,
                    currency=currency,
                    min_count=settings.market_min_count,
                    window_days=settings.market_window_days,
                    stated=result.get("stated_salary"),
                )
            )
        return out


def _combo(result: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The (role, level, currency) whose band a result is shown: the stated pay's currency, else the document
    band's (USD)."""
    if result.get("status") != "matched" or not result.get("role"):
        return None
    stated = result.get("stated_salary") or {}
    band = result.get("salary_band") or {}
    currency = stated.get("currency") or band.get("currency") or "USD"
    return str(result["role"]), str(result.get("level") or "unknown"), str(currency)


def attach_market_band(result: Mapping[str, Any], market: MarketStore) -> dict[str, Any]:
    """The result with its current `market_band` (None unless matched): the result as read, plus the observed
    p25-p75 of its role and level in the window, its count, and the stated pay compared with it. The stored result
    is not changed."""
    (band,) = market.bands([result])
    return {**result, "market_band": band}
