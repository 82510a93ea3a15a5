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
from . import batch, local, market, queue, recommend, service
from .options import Handler, add_config

__all__ = ["build_parser", "main"]

# Every group of commands: its module adds its subcommands' parsers and names their handlers.
_GROUPS = (local, batch, queue, service, recommend, market)
_HANDLERS: dict[str, Handler] = {name: handler for group in _GROUPS for name, handler in group.HANDLERS.items()}


# What `jobmatch --help` says above and below the list of commands.
DESCRIPTION = """\
Which of our roles a job posting is, if any: a ranked list of roles with scores, a verdict (matched or
no_match), the level, the role's salary band for it, and the posting's own pay compared with the band."""
EPILOG = """\
profiles, classify, batch and eval classify here, with no Redis. The service runs Celery workers on Redis:
`worker` and `beat` start it; submit, result, watch, top, sources, status and `batch --via-queue` use it.

settings: --config FILE (before or after the command name; default: JOBMATCH_CONFIG), a TOML file, under
JOBMATCH_* environment variables (JOBMATCH_SEEDS, JOBMATCH_REDIS_URL, JOBMATCH_KEY_PREFIX, ...).
`jobmatch COMMAND --help` shows a command's options; README.md and docs/service.md say the rest."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobmatch",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
