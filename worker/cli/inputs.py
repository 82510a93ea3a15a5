"""Where commands read and write: files or standard input and output, errors naming the file; postings to submit."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from typing import IO, AnyStr

from ..errors import InputError

__all__ = ["count_lines", "open_input", "open_input_bytes", "open_output", "read_postings"]


def _opened(path: str, opener: Callable[[], IO[AnyStr]]) -> IO[AnyStr]:
    """`opener()`, its OSError an InputError naming the file."""
    try:
        return opener()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc


def open_input(path: str) -> IO[str]:
    """A file (or `-`: standard input) as UTF-8 text; undecodable bytes are kept (surrogateescape) for the decoder
    to replace and name (`worker.decoding`)."""
    if path == "-":
        if not hasattr(sys.stdin, "buffer"):  # replaced by a text stream (tests, embedding): read as it is
            return sys.stdin
        # Standard input decodes as the locale says, strictly; a file's bytes and these must read the same.
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape")
    return _opened(path, lambda: open(path, encoding="utf-8", errors="surrogateescape"))


def open_output(path: str) -> IO[str]:
    if path == "-":
        return sys.stdout
    return _opened(path, lambda: open(path, "w", encoding="utf-8"))


def open_input_bytes(path: str) -> IO[bytes]:
    """The feed as bytes (`batch --via-queue`: the workers decode it, as `open_input` would)."""
    if path == "-":
        return sys.stdin.buffer
    return _opened(path, lambda: open(path, "rb"))


def count_lines(path: str) -> int | None:
    """How many lines a file has (for a progress bar's total), or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None


def read_postings(path: str) -> Iterator[tuple[int | None, str]]:
    """(line, JSON text) of every posting in a file: one JSON object (any layout), or JSON lines."""
    with open_input(path) as stream:
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
    # Lines end at "\n" only, as `batch` reads them: str.splitlines() also splits at form feeds, "\x1c"-"\x1e",
    # "\x85" and U+2028/2029, which may sit inside a JSON string, and would cut and number lines differently.
    for number, line in enumerate(io.StringIO(text), start=1):
        if line.strip():
            yield number, line.removesuffix("\n")
