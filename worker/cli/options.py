"""What several commands share on the command line: the handler type, `--seeds`, and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..settings import Settings, parse_duration

__all__ = ["Handler", "add_seeds", "duration", "positive"]

# A command's handler: the parsed arguments and the settings in, the exit status out.
Handler = Callable[[argparse.Namespace, Settings], int]


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
