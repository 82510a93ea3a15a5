"""The `jobmatch` commands that use the queue: submit, result, watch, top, worker, beat, sources, status.

Kept apart from `cli.py` so the queue-free commands never import Celery or redis: everything that needs
them is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator

from .errors import InputError
from .settings import Settings

__all__ = ["PASS_THROUGH", "QUEUE_HANDLERS"]

# Commands whose unknown options are handed to Celery.
PASS_THROUGH = frozenset({"worker", "beat"})


def _postings(path: str) -> Iterator[tuple[int | None, str]]:
    """(line, JSON text) of every posting in a file: one JSON object (any layout), or JSON lines."""
    from .cli import _open_input

    with _open_input(path) as stream:
        text = stream.read()
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{path}: no postings (the input is empty)")
    if stripped.startswith("{") and "\n" in stripped:
        try:
            json.loads(stripped)
        except json.JSONDecodeError:
            pass  # not one object: JSON lines
        else:
            yield None, stripped
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    from .client import Client

    client = Client(settings)
    client.check()
    sent = 0
    try:
        for line, posting_id in client.submit_iter(_postings(args.file)):
            sent += 1
            if posting_id is None:
                where = f"{args.file}:{line}" if line is not None else args.file
                print(f"jobmatch submit: {where}: no usable id (not a valid posting): it will be rejected to the "
                      "dead-letter stream", file=sys.stderr)  # fmt: skip
                print("-")
            else:
                print(posting_id)
            sys.stdout.flush()
    except InputError:
        raise
    except Exception:
        print(f"jobmatch submit: {sent} postings were sent before the failure", file=sys.stderr)
        raise
    print(f"jobmatch submit: {sent} postings sent", file=sys.stderr)
    return 0


def _cmd_result(args: argparse.Namespace, settings: Settings) -> int:
    from .client import Client

    client = Client(settings)
    client.check()
    result = client.get_result(args.id)
    if result is None:
        print(f"jobmatch result: no result for posting {args.id!r} (not classified yet, or expired)", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from .client import CLAIM_IDLE_MS, Client

    client = Client(settings)
    client.check()
    block_ms = int(args.idle_exit * 1000) if args.idle_exit is not None else 5000
    shown = 0
    # Results a dead member of the group left unacknowledged are taken over once idle for --claim-idle.
    results = client.iter_results(
        args.group,
        args.consumer,
        new_only=args.new,
        block_ms=block_ms,
        claim_idle_ms=CLAIM_IDLE_MS if args.claim_idle is None else int(args.claim_idle * 1000),
        idle_exit=args.idle_exit is not None,
    )
    try:
        for item in results:
            sys.stdout.write(json.dumps(item.result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            shown += 1
            if args.count is not None and shown >= args.count:
                client.ack(args.group, item.entry)  # printed: done with it (the loop will not ask for more)
                break
    except KeyboardInterrupt:
        pass
    finally:
        results.close()  # acknowledges the entries already printed
    return 0


def _cmd_top(args: argparse.Namespace, settings: Settings) -> int:
    from profiles import find_profile, load_profiles

    from .client import Client

    role = find_profile(load_profiles(settings.seeds), args.role).role
    client = Client(settings)
    client.check()
    best = client.top(role, args.n)
    if args.json:
        print(json.dumps(best, indent=2, ensure_ascii=False))
        return 0
    if not best:
        print(f"no current postings ranked for {role}", file=sys.stderr)
        return 0
    for rank, entry in enumerate(best, start=1):
        result = entry["result"] or {}
        title = result.get("title") or "(result expired)"
        level = result.get("level") or "-"
        print(f"{rank:>3}  {entry['score']:.3f}  {entry['id']}  {title}  [{level}]")
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from .app import create_app

    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # Mingle and gossip only help revokes and clock sync across workers; without them a worker starts faster.
    argv = ["worker", "--without-mingle", "--without-gossip", "--loglevel", "INFO", *args.extra]
    return int(create_app(settings).start(argv) or 0)


def _cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    from .app import create_app
    from .polling import configured_sources

    enabled = [c.name for c in configured_sources(settings) if c.enabled]
    if not enabled:
        print("jobmatch beat: no enabled [[sources]] in the config file: nothing to schedule", file=sys.stderr)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return int(create_app(settings).start(["beat", "--loglevel", "INFO", *args.extra]) or 0)


def _cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from .client import Client
    from .polling import configured_sources, source_states

    configs = configured_sources(settings)
    client = Client(settings)
    client.check()
    states = client._guard(lambda: source_states(client.redis, client.keys, [c.name for c in configs]))
    rows = [
        {
            "name": c.name,
            "kind": c.kind,
            "interval_seconds": c.interval_seconds,
            "enabled": c.enabled,
            "last_polled": states[c.name].get("last_polled") or None,
            "last_ok": states[c.name].get("last_ok") or None,
            "last_error": states[c.name].get("last_error") or None,
            "fetched": int(states[c.name].get("fetched", 0) or 0),
            "classified": int(states[c.name].get("classified", 0) or 0),
        }
        for c in configs
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no sources configured ([[sources]] tables in the config file)")
    for row in rows:
        state = "enabled" if row["enabled"] else "disabled"
        print(f"{row['name']}  {row['kind']}  every {row['interval_seconds']:g} s  {state}")
        print(f"    last polled: {row['last_polled'] or 'never'}   last ok: {row['last_ok'] or 'never'}")
        if row["last_error"]:
            print(f"    last error:  {row['last_error']}")
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from .client import Client

    status = Client(settings).status()
    alive = [w for w in status["workers"] if w["alive"]]
    if args.json:
        print(json.dumps(status, indent=2))
        return 0 if alive else 1
    redis_info = status["redis"]
    appendonly = "on" if redis_info["appendonly"] else "off"
    print(f"redis:       {redis_info['url']} reachable (Redis {redis_info['version']}, {redis_info['used_memory']} "
          f"used, appendonly {appendonly}), key prefix {redis_info['key_prefix']!r}")  # fmt: skip
    print(f"workers:     {len(alive)} alive")
    for w in status["workers"]:
        state = "alive" if w["alive"] else "gone"
        print(f"    {w['hostname']}  model {w['model_version']}  concurrency {w['concurrency']}  {state}, "
              f"seen {w['seen_seconds_ago']:g} s ago")  # fmt: skip
    queue = status["queue"]
    print(f"queue:       {queue['waiting']} waiting, {queue['unacknowledged']} delivered and not yet acknowledged")
    for name in ("intake", "results"):
        part = status[name]
        groups = ", ".join(f"{g['name']} (pending {g['pending']}, lag {g['lag']})" for g in part["groups"]) or "none"
        print(f"{name + ':':<12} {part['length']} entries; groups: {groups}")
    print(f"dead letter: {status['dead_letter']['length']} entries")
    return 0 if alive else 1


QUEUE_HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "submit": _cmd_submit,
    "result": _cmd_result,
    "watch": _cmd_watch,
    "top": _cmd_top,
    "worker": _cmd_worker,
    "beat": _cmd_beat,
    "sources": _cmd_sources,
    "status": _cmd_status,
}
