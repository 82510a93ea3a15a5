"""`batch --via-queue` cuts the feed into chunks of bytes and a worker numbers their lines again: they must be the
lines, numbers and text the in-process batch reads from the same file, whatever the bytes hold."""

import io

from hypothesis import given
from hypothesis import strategies as st

from worker.chunks import byte_chunks, numbered_lines

# Pieces that make line breaks and blank lines hard: \r and \r\n (text-mode reading ends a line at both),
# whitespace and separators `str.isspace` counts as blank (form feed, \x1c, U+2028 as UTF-8), invalid UTF-8
# (a lone continuation byte, an encoded surrogate), a two-byte character.
PIECES = [b"\n", b"\r", b"\r\n", b" ", b"\x0c", b"\x1c", b'{"a": 1}', b"x", b"\x80", b"\xed\xb2\x80", b"\xc3\xa9",
          b"\xe2\x80\xa8"]  # fmt: skip


def as_batch_reads(raw: bytes) -> list[tuple[int, str]]:
    """(line number, text) of every non-blank line, as `jobmatch batch` opens and `read_records` reads the feed."""
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape")
    return [(number, line) for number, line in enumerate(stream, start=1) if line and not line.isspace()]


def via_queue_reads(raw: bytes, size: int) -> list[tuple[int, str]]:
    got: list[tuple[int, str]] = []
    expected_first = 1
    for first, last, data in byte_chunks(io.BytesIO(raw), size):
        assert first == expected_first and last >= first  # chunks follow each other, line for line
        lines = numbered_lines(data, first)
        assert all(first <= number <= last for number, _ in lines)
        assert len(lines) <= size or b"\r" in raw  # only universal newlines make a chunk longer
        got.extend(lines)
        expected_first = last + 1
    return got


def test_chunks_hold_the_lines_batch_reads():
    raw = (b'{"a": 1}\n\n  \n{"b": "x\ry"}\r\n{"c": "\xe2\x80\xa8\x0c"}\n\n{"d": "caf\xe9"}\n{"e": 5}\n\n\n{"f": 6}'
           b"\r{\"g\": 7}")  # fmt: skip
    expected = as_batch_reads(raw)
    assert [number for number, _ in expected] == [1, 4, 5, 6, 8, 9, 12, 13]
    assert expected[-2] == (12, '{"f": 6}\n') and expected[-1] == (13, '{"g": 7}')
    assert (8, '{"d": "caf\udce9"}\n') in expected  # an undecodable byte kept as batch keeps it
    for size in (1, 2, 3, 100):
        assert via_queue_reads(raw, size) == expected, size


@given(st.lists(st.sampled_from(PIECES), max_size=60).map(b"".join), st.integers(1, 6))
def test_any_bytes_are_cut_and_numbered_as_batch_reads_them(raw, size):
    assert via_queue_reads(raw, size) == as_batch_reads(raw)


def test_an_empty_feed_has_no_chunks():
    assert list(byte_chunks(io.BytesIO(b""), 3)) == []
