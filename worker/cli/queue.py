"""The commands that read and write the service's Redis: submit, result, watch, top, sources, status.

Everything that needs redis or Celery is imported inside the handlers, so loading this module (as `jobmatch`
does for every command) costs the queue-free commands nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import Any

from ..errors import InputError
from ..settings import Settings
from .inputs import read_postings
from .options import Handler, add_seeds, duration, positive

__all__ = ["HANDLERS", "add_parsers"]


def add_parsers(commands: Any) -> None:
    """Add submit, result, watch, top, sources and status to the subcommands."""
    submit = commands.add_parser("submit", help="send postings (one JSON object, or JSONL) to the workers")
    submit.add_argument("file", help="posting file (JSON object or JSONL), or - for standard input")
    submit.add_argument(
        "--require-worker",
        action="store_true",
        help="refuse (exit 2, nothing sent) unless a worker is alive to process the postings",
    )
    submit.add_argument("--wait", type=duration, default=10.0, metavar="SECONDS",
                        help="with --require-worker: how long to wait for a live worker (default 10)")  # fmt: skip

    result = commands.add_parser("result", help="print a posting's stored result as JSON")
    result.add_argument("id", help="posting id")

    watch = commands.add_parser("watch", help="follow the results stream as JSON lines (consumer group)")
    watch.add_argument("--group", default="watch", help="consumer group name (default: watch)")
    watch.add_argument("--consumer", help="consumer name within the group (default: this host's name)")
    watch.add_argument("--new", action="store_true", help="a new group starts at new results, not the oldest kept")
    watch.add_argument("--count", type=positive, metavar="N", help="stop after N results")
    watch.add_argument("--idle-exit", type=float, metavar="SECONDS", help="stop when nothing arrives for SECONDS")
    watch.add_argument("--claim-idle", type=duration, metavar="DURATION",
                       help="take over results another consumer of the group left unacknowledged this long "
                            "(e.g. 30, 90s, 5m; default 60 s)")  # fmt: skip

    top = commands.add_parser("top", help="the best current postings for a role")
    top.add_argument("role", help="role slug, seed file name or prefix")
    top.add_argument("-n", type=positive, default=10, help="how many (default 10)")
    top.add_argument("--json", action="store_true", help="print id, score and result as a JSON list")
    add_seeds(top)

    sources = commands.add_parser("sources", help="the configured sources, when each was last polled, its error")
    sources.add_argument("--json", action="store_true", help="print them as a JSON list")

    status = commands.add_parser("status", help="Redis, workers and their model version, queue and backlogs")
    status.add_argument("--json", action="store_true", help="print the status as JSON")


def _cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client

    client = Client(settings)
    client.check()
    alive = bool(client.workers())
    if not alive and args.require_worker:
        client.wait_for_workers(args.wait)  # raises NoWorkers: nothing sent
        alive = True
    if not alive:
        print(f"jobmatch submit: warning: {_NO_WORKER}", file=sys.stderr)
    sent = 0
    ids = _IdPrinter(sys.stdout)
    try:
        # `sent` counts what `submit_iter` yielded: postings whose task is sent, printed or not.
        for line, posting_id in client.submit_iter(read_postings(args.file)):
            sent += 1
            if posting_id is None:
                where = f"{args.file}:{line}" if line is not None else args.file
                print(f"jobmatch submit: {where}: no usable id (not a valid posting): it will be rejected to the "
                      "dead-letter stream", file=sys.stderr)  # fmt: skip
            ids.print(posting_id or "-")
    except InputError:
        raise
    except Exception:
        print(f"jobmatch submit: {sent} postings were sent before the failure", file=sys.stderr)
        raise
    notes = [f"standard output closed after {ids.printed} ids; sending went on"] if ids.closed else []
    if not alive and not client.workers():
        notes.append("no worker alive: they wait in the queue")
    print(f"jobmatch submit: {sent} postings sent" + "".join(f" ({note})" for note in notes), file=sys.stderr)
    return 0


_NO_WORKER = (
    "no live worker: the postings are queued, and nothing processes them until one starts (`jobmatch worker`; "
    "--require-worker makes this an error)"
)


class _IdPrinter:
    """Prints ids one a line until whoever reads them goes away (`submit FILE | head`): then the rest are
    dropped, and sending goes on. The ids are a courtesy to the reader; the postings are the work."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.printed = 0
        self.closed = False

    def print(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.out.write(text + "\n")
            self.out.flush()
            self.printed += 1
        except BrokenPipeError:
            self.closed = True
            # What is still buffered would fail again when the interpreter flushes stdout at exit.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.out.fileno())
                os.close(devnull)


def _cmd_result(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client

    client = Client(settings)
    client.check()
    result = client.get_result(args.id)
    if result is None:
        print(f"jobmatch result: no result for posting {args.id!r} (not classified yet, or expired)", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import CLAIM_IDLE_MS, Client

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
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from profiles import find_profile, load_profiles

    from ..service.client import Client

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


def _cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client
    from ..service.polling import configured_sources, source_states

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
    # Imported here: every command loads this module, and the queue-free ones must not load redis or Celery.
    from ..service.client import Client

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
    for i in status["instances"]:
        age = "no lease" if i["lease_age"] is None else f"lease renewed {i['lease_age']:.1f} s ago"
        due = ""
        if i["restore_in"] is not None:
            due = f"; restored by a live worker in {i['restore_in']:.0f} s" if i["restore_in"] else "; being restored"
        print(f"    instance {i['instance']} ({i['node'] or 'no heartbeat'}): {age}, holds {i['holds']} "
              f"deliveries, {i['inflight']} in flight{due}")  # fmt: skip
    queue = status["queue"]
    print(f"queue:       {queue['waiting']} waiting, {queue['unacknowledged']} delivered and not yet acknowledged")
    unowned = queue["unowned"]
    if unowned["count"]:
        print(f"    {unowned['count']} delivered with no owner on record: restored by the visibility timeout in "
              f"{unowned['restore_in']:.0f} s")  # fmt: skip
    for name in ("intake", "results"):
        part = status[name]
        groups = ", ".join(f"{g['name']} (pending {g['pending']}, lag {g['lag']})" for g in part["groups"]) or "none"
        print(f"{name + ':':<12} {part['length']} entries; groups: {groups}")
    print(f"dead letter: {status['dead_letter']['length']} entries")
    return 0 if alive else 1


HANDLERS: dict[str, Handler] = {
    "submit": _cmd_submit,
    "result": _cmd_result,
    "watch": _cmd_watch,
    "top": _cmd_top,
    "sources": _cmd_sources,
    "status": _cmd_status,
}
