"""The commands that start the service's Celery processes: `worker` and `beat` (extra options go to Celery)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..settings import Settings
from .options import Handler

__all__ = ["HANDLERS", "PASS_THROUGH", "add_parsers"]

# Commands whose unknown options are handed to Celery.
PASS_THROUGH = frozenset({"worker", "beat"})


def add_parsers(commands: Any) -> None:
    """Add `worker` and `beat` to the subcommands."""
    commands.add_parser("worker", help="start a Celery worker (extra options go to `celery worker`)")
    commands.add_parser("beat", help="start Celery beat, polling every enabled source (extra options go to beat)")


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load Celery.
    from ..service.app import create_app

    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # Mingle and gossip only help revokes and clock sync across workers; without them a worker starts faster.
    argv = ["worker", "--without-mingle", "--without-gossip", "--loglevel", "INFO", *args.extra]
    return int(create_app(settings).start(argv) or 0)


def _cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load Celery.
    from ..service.app import create_app
    from ..service.polling import configured_sources

    enabled = [c.name for c in configured_sources(settings) if c.enabled]
    if not enabled:
        print("jobmatch beat: no enabled [[sources]] in the config file: nothing to schedule", file=sys.stderr)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return int(create_app(settings).start(["beat", "--loglevel", "INFO", *args.extra]) or 0)


HANDLERS: dict[str, Handler] = {"worker": _cmd_worker, "beat": _cmd_beat}
