"""The `jobmatch` command. Commands that need no queue (profiles, classify, batch, eval) never import
Celery or redis, so they start fast and run anywhere."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from matching.errors import MatchingError
from profiles.errors import ProfileError

from ..errors import WorkerError
from ..settings import load_settings
from . import batch, local, queue, service
from .options import Handler, add_config

__all__ = ["build_parser", "main"]

# Every group of commands: its module adds its subcommands' parsers and names their handlers.
_GROUPS = (local, batch, queue, service)
_HANDLERS: dict[str, Handler] = {name: handler for group in _GROUPS for name, handler in group.HANDLERS.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobmatch", description=__doc__.split(".")[0] if __doc__ else None)
    add_config(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in _GROUPS:
        group.add_parsers(commands)
    for command in commands.choices.values():
        add_config(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in service.PASS_THROUGH:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        settings = load_settings(config_file=args.config).with_seeds(getattr(args, "seeds", None))
        handler = _HANDLERS[args.command]
        return handler(args, settings)
    except (WorkerError, MatchingError, ProfileError) as exc:
        print(f"jobmatch {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
