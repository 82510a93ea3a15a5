"""What several commands share on the command line: the handler type, `--config` and `--seeds`, argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..settings import Settings, parse_duration

__all__ = ["Handler", "add_config", "add_seeds", "duration", "positive"]

# A command's handler: the parsed arguments and the settings in, the exit status out.
Handler = Callable[[argparse.Namespace, Settings], int]


def add_config(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """`--config FILE`, on the `jobmatch` parser (`top`) and on every command's, so it goes before or after the
    command name as `--seeds` does. A command's parser leaves it unset unless given (SUPPRESS), so its default never
    hides a `--config` given before the command name."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None if top else argparse.SUPPRESS,
        help="TOML settings file (default: JOBMATCH_CONFIG; environment variables JOBMATCH_* override it)",
    )


def add_seeds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", metavar="DIR", help="folder of role documents (default: JOBMATCH_SEEDS or seeds/)")


def positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, got {text!r}") from None
