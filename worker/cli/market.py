"""`jobmatch market [ROLE] [--json]`: the pay postings state per role and level, beside the document's band; and
the same table for the feed `jobmatch batch` classified (`market_report`, `render_market`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..settings import Settings
from .options import Handler, add_seeds

if TYPE_CHECKING:
    from matching.market import MarketTable
    from profiles.models import RoleProfile

__all__ = ["HANDLERS", "add_parsers", "batch_market", "market_report", "render_market"]

_QUANTILES = ("p10", "p25", "p50", "p75", "p90")


def add_parsers(commands: Any) -> None:
    """Add `market` to the subcommands."""
    market = commands.add_parser(
        "market", help="stated pay per role and level over the window (market_window_days) beside the bands"
    )
    market.add_argument("role", nargs="?", help="one role (slug, seed file or prefix); default: every role")
    market.add_argument("--json", action="store_true", help="a JSON list, one object per role")
    add_seeds(market)


def market_report(
    table: MarketTable,
    profiles: Sequence[RoleProfile],
    *,
    window_days: int | None,
    min_count: int,
    observed_only: bool = False,
) -> list[dict[str, Any]]:
    """One object per role (those of `profiles` with a band or observed pay): `role`, `title`, `window_days` (None
    for a feed), `min_count`, and `levels`, each with the document's `band` (or None) and the observed `market`
    rows (one per currency: `count`, `p10` ... `p90`, `trusted`: the count reaches `min_count`). With
    `observed_only`, only roles and levels with observed pay."""
    # Here, not at the top: `jobmatch --help` and the other commands start without loading the profiles' code.
    from profiles.level_bands import UNKNOWN, level_bands
    from profiles.models import LEVELS

    rows_by_role: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows():
        rows_by_role.setdefault(row["role"], []).append(row)
    order = {level: n for n, level in enumerate((*LEVELS, UNKNOWN))}
    report = []
    for profile in profiles:
        bands = {band.level: band for band in level_bands(profile)}
        rows = rows_by_role.get(profile.role, [])
        shown = {row["level"] for row in rows} | (set() if observed_only else set(bands))
        levels = sorted(shown, key=lambda lv: (order.get(lv, len(order)), lv))
        if not levels:
            continue
        report.append(
            {
                "role": profile.role,
                "title": profile.title,
                "window_days": window_days,
                "min_count": min_count,
                "levels": [
                    {
                        "level": level,
                        "band": _band(bands[level]) if level in bands else None,
                        "market": [
                            {key: row[key] for key in ("currency", "count", *_QUANTILES)}
                            | {"trusted": row["count"] >= min_count}
                            for row in rows
                            if row["level"] == level
                        ],
                    }
                    for level in levels
                ],
            }
        )
    return report


def _band(band: Any) -> dict[str, Any]:
    return {
        "low": band.low,
        "high": band.high,
        "open_ended": band.open_ended,
        "basis": band.basis,
        "currency": "USD",
        "fallback": band.fallback,
    }


def _money(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:,.0f}k" if value < 10_000_000 else f"{value / 1_000_000:,.1f}M"


def render_market(report: Sequence[dict[str, Any]], *, heading: str) -> str:
    """The report as text: per role, a line per level and currency (count, quantiles of annual pay, and the
    document's band); rows below the minimum count are marked `(few)`."""
    lines = [heading]
    if not any(level["market"] for role in report for level in role["levels"]):
        lines.append("  (no matched posting with stated base pay yet)")
    for role in report:
        lines.append(f"{role['role']}  ({role['title']})")
        lines.append(f"  {'level':<10} {'cur':<4} {'count':>6}  " + "  ".join(f"{q:>6}" for q in _QUANTILES)
                     + "  document band")  # fmt: skip
        for level in role["levels"]:
            band = level["band"]
            band_text = "-"
            if band is not None:
                high = _money(band["high"]) + ("+" if band["open_ended"] else "")
                band_text = f"USD {_money(band['low'])}-{high} {band['basis']}"
                if band["fallback"]:
                    band_text += f" ({band['fallback']})"
            rows = level["market"] or [None]
            for row in rows:
                if row is None:
                    lines.append(f"  {level['level']:<10} {'':<4} {0:>6}  " + "  ".join(f"{'-':>6}" for _ in _QUANTILES)
                                 + f"  {band_text}")  # fmt: skip
                    continue
                figures = "  ".join(f"{_money(row[q]):>6}" for q in _QUANTILES)
                few = "" if row["trusted"] else " (few)"
                head = f"  {level['level']:<10} {row['currency']:<4} {row['count']:>6}"
                lines.append(f"{head}  {figures}  {band_text}{few}")
    return "\n".join(lines) + "\n"


def batch_market(
    table: MarketTable | None, profiles: Sequence[RoleProfile], *, settings: Settings, market_out: str | None
) -> None:
    """The end of `jobmatch batch`'s summary: the feed's table of stated pay per role and level on standard error
    (when any matched posting states base pay), and the same as JSON in `market_out` (always, when given)."""
    # Here: only a run that classified postings gets this far, with matching and profiles loaded already.
    from matching.market import MarketTable

    report = market_report(
        table or MarketTable(), profiles, window_days=None, min_count=settings.market_min_count, observed_only=True
    )
    if report:
        heading = (
            "\nstated annual base pay in this feed, per role and level (quantiles within 3%; '(few)': fewer than "
            f"{settings.market_min_count} postings)"
        )
        sys.stderr.write(render_market(report, heading=heading))
    if market_out is not None:
        try:
            with open(market_out, "w", encoding="utf-8") as handle:
                json.dump(report, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
        except OSError as exc:
            raise InputError(f"--market-out {market_out}: {exc.strerror or exc}") from None


def _cmd_market(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from profiles import find_profile, load_profiles

    from ..service.client import Client

    profiles = load_profiles(settings.seeds)
    if args.role:
        profiles = [find_profile(profiles, args.role)]
    client = Client(settings)
    client.check()
    role = profiles[0].role if args.role else None
    table = client.market(role)
    report = market_report(
        table, profiles, window_days=settings.market_window_days, min_count=settings.market_min_count
    )
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    heading = (
        f"observed annual base pay, postings with stated pay in the last {settings.market_window_days} days "
        f"(quantiles within 3%; '(few)': fewer than {settings.market_min_count} postings)"
    )
    sys.stdout.write(render_market(report, heading=heading))
    return 0


HANDLERS: dict[str, Handler] = {"market": _cmd_market}
