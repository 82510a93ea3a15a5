"""Postings as text to JSON values: the one decoder of `batch` (every path), `submit`, the intake stream and
`classify`, so the same text gives the same value, and the same broken text the same error, whichever way it came.

Text arrives decoded from UTF-8 with undecodable bytes kept as lone surrogates (`surrogateescape`), so that the
decoder can say which bytes they were.
"""

from __future__ import annotations

import json

import orjson

__all__ = ["Undecodable", "decode_line"]


class Undecodable:
    """Text that is not JSON; the classifier turns it into a `rejected` result with this reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def decode_line(text: str) -> object:
    """One posting's JSON value (a JSONL line, with or without its line break, or a whole JSON document), or
    `Undecodable` with the error, worded the same for every path (`not valid JSON: Expecting value at column 1`)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # orjson refuses what is not UTF-8 too: the standard parser decides, and words the error
    # The line break is not part of the line: left in, it turns "unterminated string" into "invalid control
    # character" for a line cut short, and a line read from a file has one where the same line submitted has none.
    text = text.removesuffix("\n").removesuffix("\r")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return Undecodable(f"not valid JSON: {_where(exc)}")


def _where(exc: json.JSONDecodeError) -> str:
    """The parser's message and position: "Unterminated string starting at column 29", "Expecting value at line 2
    column 10" (a line is named only for a document over several lines)."""
    position = f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno} column {exc.colno}"
    return f"{exc.msg} {position}" if exc.msg.endswith(" at") else f"{exc.msg} at {position}"
