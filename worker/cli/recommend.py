"""The recommendation commands: `recommend` (roles and postings for a person) and `similar` (postings like one).

Redis and the scoring are imported inside the handlers, so loading this module costs the other commands nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..settings import Settings
from .options import Handler, add_seeds, positive

__all__ = ["HANDLERS", "add_parsers", "read_preferences"]


def add_parsers(commands: Any) -> None:
    """Add recommend and similar to the subcommands."""
    recommend = commands.add_parser("recommend", help="the roles and current postings that fit a person")
    recommend.add_argument("text", nargs="?", help="a file of the person's own words (a CV, a few lines), or -")
    recommend.add_argument(
        "--prefs",
        metavar="FILE",
        help="preferences (TOML or JSON): roles, level, location, remote, min_pay, max_age_days",
    )
    recommend.add_argument("-n", type=positive, default=10, help="how many postings (default 10)")
    recommend.add_argument("--json", action="store_true", help="print one JSON object: roles and postings")
    add_seeds(recommend)

    similar = commands.add_parser("similar", help="the current postings most like a given one (same role first)")
    similar.add_argument("id", help="posting id")
    similar.add_argument("-n", type=positive, default=10, help="how many postings (default 10)")
    similar.add_argument("--json", action="store_true", help="print one JSON object: the postings")
    add_seeds(similar)


def read_preferences(path: str) -> dict[str, Any]:
    """A preferences file as a mapping: TOML (`.toml`) or JSON (`.json`; other names: JSON, else TOML).
    Raises `InputError` naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read preferences: {exc.strerror or exc}") from None
    parsers: list[tuple[str, Callable[[str], Any]]] = (
        [("TOML", tomllib.loads)] if path.endswith(".toml") else [("JSON", json.loads)]
    )
    if not path.endswith((".toml", ".json")):
        parsers.append(("TOML", tomllib.loads))
    errors = []
    for name, parse in parsers:
        try:
            data = parse(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"not {name}: {exc}")
            continue
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected a table (object) of preferences, got {type(data).__name__}")
        return data
    raise InputError(f"{path}: {'; '.join(errors)}")


def _read_text(path: str | None) -> str | None:
    if path is None:
        return None
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _cmd_recommend(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client

    if args.text is None and args.prefs is None:
        print("jobmatch recommend: error: give a text file (or -), --prefs FILE, or both", file=sys.stderr)
        return 2
    text = _read_text(args.text)
    prefs = read_preferences(args.prefs) if args.prefs else None
    client = Client(settings)
    client.check()
    answer = client.recommend(text, prefs, args.n)
    if args.json:
        print(json.dumps({"roles": answer["roles"], "postings": answer["postings"]}, indent=2, ensure_ascii=False))
        return 0
    print(f"roles that fit (level: {answer['level']}):")
    for rank, role in enumerate(answer["roles"], start=1):
        print(f"{rank:>3}  {role['score']:.3f}  {role['role']}  {_band(role['band'])}")
    _print_postings(answer["postings"])
    return 0


def _cmd_similar(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client

    client = Client(settings)
    client.check()
    answer = client.similar(args.id, args.n)
    if answer is None:
        print(f"jobmatch similar: posting {args.id!r} has no current match to a role (not matched, not "
              "classified yet, or expired)", file=sys.stderr)  # fmt: skip
        return 1
    if args.json:
        print(json.dumps({"postings": answer["postings"]}, indent=2, ensure_ascii=False))
        return 0
    print(f"like {args.id} ({answer['role']}):")
    _print_postings(answer["postings"])
    return 0


def _print_postings(postings: list[dict[str, Any]]) -> None:
    if not postings:
        print("no current postings to recommend")
        return
    print("postings:")
    for rank, item in enumerate(postings, start=1):
        title = item["title"] or "(result expired)"
        print(f"{rank:>3}  {item['score']:.3f}  {item['id']}  {title}  [{item['level'] or '-'}]  {item['role']}")
        why = item["why"]
        reasons = [f"terms: {', '.join(why['terms'])}"] if why.get("terms") else []
        reasons += [f"{key}: {why[key]}" for key in ("level", "pay", "place", "posted") if why.get(key)]
        print(f"{'':>12}{'; '.join(reasons)}")


def _band(band: dict[str, Any] | None) -> str:
    if not band:
        return "no band"
    low, high = band.get("low"), band.get("high")
    figures = f"${low:,.0f}-${high:,.0f}" if low is not None and high is not None else f"${(low or high or 0):,.0f}"
    return f"band {figures}{'+' if band.get('open_ended') else ''} ({band.get('level') or 'all levels'})"


HANDLERS: dict[str, Handler] = {"recommend": _cmd_recommend, "similar": _cmd_similar}
