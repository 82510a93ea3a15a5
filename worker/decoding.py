"""Postings as text to JSON values: the one decoder of `batch` (every path), `submit`, the intake stream and
`classify`, so the same text gives the same value, and the same broken text the same error, whichever way it came.

Text arrives decoded from UTF-8 with undecodable bytes kept as lone surrogates (`surrogateescape`), so that the
decoder can say which bytes they were. In the value it returns, every lone surrogate (an undecodable byte, or a
`\\ud800` escape without its pair) is replaced with U+FFFD, as decoding UTF-8 with replacement does, and a
`Repaired` value says what was replaced and where: its results carry that as `warnings`. A result is then valid
Unicode, which JSON parsers in other languages accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import orjson

__all__ = [
    "MAX_WARNINGS",
    "Repaired",
    "Undecodable",
    "binary_reason",
    "decode_line",
    "repair_text",
    "value_of",
    "with_warnings",
]

# Lone surrogates: what undecodable bytes become under surrogateescape (U+DC80-U+DCFF), and unpaired \u escapes.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
MAX_WARNINGS = 10  # per posting; the rest are counted in one more


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
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Undecodable(f"not valid JSON: {_where(exc)}")
    # Only here can a value hold lone surrogates: orjson refuses them, raw or escaped.
    warnings: list[str] = []
    value = _repaired(value, "", _LONE_SURROGATE.search(text) is not None, warnings)
    return Repaired(value, _capped(warnings)) if warnings else value


class Repaired:
    """A decoded value in which lone surrogates were replaced with U+FFFD, and the warnings saying where."""

    __slots__ = ("value", "warnings")

    def __init__(self, value: object, warnings: Sequence[str]) -> None:
        self.value = value
        self.warnings = list(warnings)


def value_of(record: object) -> object:
    """The JSON value of what `decode_line` returned (a `Repaired` value's repaired value)."""
    return record.value if isinstance(record, Repaired) else record


def with_warnings(result: dict[str, Any], warnings: Sequence[str]) -> dict[str, Any]:
    """The result with its `warnings` (after `error`, before a batch's `line`); unchanged when there are none."""
    if not warnings:
        return result
    out = {key: value for key, value in result.items() if key != "line"}
    out["warnings"] = list(warnings)
    if "line" in result:
        out["line"] = result["line"]
    return out


def repair_text(text: str) -> tuple[str, list[str]]:
    """Plain text with its lone surrogates replaced with U+FFFD, and warnings naming each line that had some."""
    if _LONE_SURROGATE.search(text) is None:
        return text, []
    warnings: list[str] = []
    lines = [_replaced(line, f"line {n}", True, warnings) for n, line in enumerate(text.split("\n"), start=1)]
    return "\n".join(lines), _capped(warnings)


# Characters no text posting holds many of: undecodable bytes and control characters other than the line breaks
# and tabs text uses. A Latin-1 posting has a few in a hundred (its accents); random bytes about two in three.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
_MOST_NOT_TEXT = 0.1


def binary_reason(text: str) -> str | None:
    """Why `text` (read with surrogateescape) is binary data rather than a posting, or None when it is text: it
    holds a NUL, or more than a tenth of its characters are undecodable bytes or control characters."""
    if (nul := text.find("\x00")) >= 0:
        return f"a NUL byte at character {nul + 1}"
    odd = len(_NOT_TEXT.findall(text))
    if text and odd > _MOST_NOT_TEXT * len(text):
        return f"{odd} of its {len(text)} characters are undecodable bytes or control characters"
    return None


def _repaired(value: object, path: str, raw: bool, warnings: list[str]) -> object:
    """`value` with every lone surrogate in its strings (keys too) replaced; `raw`: the text held undecodable
    bytes, so surrogates U+DC80-U+DCFF are bytes, not escapes."""
    if isinstance(value, str):
        return _replaced(value, path or "the value", raw, warnings)
    if isinstance(value, list):
        return [_repaired(item, f"{path}[{index}]", raw, warnings) for index, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = _replaced(key, f"{path}.{key}" if path else key, raw, warnings, key=True)
            out[name] = _repaired(item, f"{path}.{name}" if path else name, raw, warnings)
        return out
    return value


def _replaced(text: str, where: str, raw: bool, warnings: list[str], *, key: bool = False) -> str:
    first = _LONE_SURROGATE.search(text)
    if first is None:
        return text
    count = len(_LONE_SURROGATE.findall(text))
    char = first.group()
    if raw and "\udc80" <= char <= "\udcff":
        what = f"byte 0x{ord(char) - 0xDC00:02X} (not UTF-8)"
    else:
        what = f"lone surrogate \\u{ord(char):04x}"
    if key:
        where = f"{_LONE_SURROGATE.sub(_REPLACEMENT, where)} (the key)"
    if count == 1:
        warnings.append(f"{where}: {what} at character {first.start() + 1} replaced with U+FFFD")
    else:
        warnings.append(
            f"{where}: {count} undecodable characters replaced with U+FFFD, the first {what} at character "
            f"{first.start() + 1}"
        )
    return _LONE_SURROGATE.sub(_REPLACEMENT, text)


def _capped(warnings: list[str]) -> list[str]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    return [*warnings[:MAX_WARNINGS], f"... and {len(warnings) - MAX_WARNINGS} more fields with characters replaced"]


def _where(exc: json.JSONDecodeError) -> str:
    """The parser's message and position: "Unterminated string starting at column 29", "Expecting value at line 2
    column 10" (a line is named only for a document over several lines)."""
    position = f"column {exc.colno}" if exc.lineno == 1 else f"line {exc.lineno} column {exc.colno}"
    return f"{exc.msg} {position}" if exc.msg.endswith(" at") else f"{exc.msg} at {position}"
