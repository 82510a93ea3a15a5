"""Dollar figures and pay adjustments in one line of text, with the words around each figure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from profiles.errors import SeedFormatError

__all__ = ["Adjustment", "Amount", "find_adjustment", "find_amounts"]

_FIGURE = re.compile(
    r"(?:\$|US\$|USD\s?)\s?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<scale>\s?(?:[kK]|million|billion|trillion|bn|[MB])\b)?(?P<plus>\+)?"
)
_NO_AMOUNT = re.compile(r"\$(?!\s?\d)")
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|to)\s*")
# Market sizes ("$410.22 billion by 2029") are not pay; neither is anything in millions.
_NOT_PAY = frozenset({"million", "billion", "trillion", "bn", "m", "b"})
# Where one figure's clause ends and the next one's begins ("$184,000 and additional pay of $92,000").
_CLAUSE_BREAK = re.compile(r",|;|\.\s|\.$|\s+(?<!\bup )to\s+|\s+and\s+|\s+with\s+|\s+while\s+|\s+but\s+|\s+whereas\s+")
# "Base salary: $175,800 ..." -> "Base salary" labels the first figure.
_LEAD = re.compile(r"^\s*([^:$]{1,80}):\s*~?\s*$")
_FROM = re.compile(r"\b(?:from|starting at|starting from)\s*~?\s*$", re.I)
_UP_TO = re.compile(r"\b(?:up to|as much as|at most)\s*~?\s*$", re.I)
_AT_LEAST = re.compile(r"\b(?:over|more than|above|exceeding|at least|upwards of|north of)\s*~?\s*$", re.I)
_STAT = re.compile(r"\b(median|average|mean)\b", re.I)
_ADJUSTMENT = re.compile(
    r"(?P<low>\d+(?:\.\d+)?)\s*%?\s*(?:(?:-|–|—|to)\s*(?P<high>\d+(?:\.\d+)?)\s*)?%\s+"
    r"(?:(?P<comparative>higher|lower|more|less)\s+than\b|(?P<side>above|below)\s+(?:the\s+)?\w*\s*average)",
    re.I,
)


@dataclass(frozen=True)
class Amount:
    """One dollar figure or range in a line, with the words that qualify it."""

    low: float | None
    high: float | None
    open_ended: bool
    is_range: bool  # two figures ("$90,000 - $130,000"), not one
    stat: str | None  # "median" or "average" when the figure is one (then low and high are None)
    value: float | None  # the figure of a median/average
    start: int
    end: int
    before: str  # the line before the figure (all of it for the first figure, else its own clause)
    label: str  # the clause just before the figure: "Average salary of", "base salary of"
    after: str  # the clause just after it: "stock options", "for senior roles"


@dataclass(frozen=True)
class Adjustment:
    """A pay difference in percent: "10-30% higher than the national average" -> (10, 30)."""

    low: float
    high: float


def _clause(text: str, *, last: bool) -> str:
    """The last (or first) clause of `text`, ignoring breaks inside parentheses."""
    masked = re.sub(r"\([^)]*\)", lambda found: "(" + "_" * (len(found.group(0)) - 2) + ")", text)
    breaks = list(_CLAUSE_BREAK.finditer(masked))
    if not breaks:
        return text.strip(" :-–~")
    return (text[breaks[-1].end() :] if last else text[: breaks[0].start()]).strip(" :-–~")


def _value(match: re.Match[str]) -> float:
    number = float(match.group("number").replace(",", ""))
    scale = (match.group("scale") or "").strip().lower()
    return number * 1000 if scale == "k" else number


def _is_pay(match: re.Match[str]) -> bool:
    return (match.group("scale") or "").strip().lower() not in _NOT_PAY


def find_amounts(text: str, *, source: str, line: int) -> list[Amount]:
    """Every pay figure in `text`: ranges joined ("$90,000 - $130,000"), market sizes skipped.

    Raises SeedFormatError for a "$" with no amount after it, and for a range whose low end is
    above its high end.
    """
    if _NO_AMOUNT.search(text):
        raise SeedFormatError(source, line, "salary line has no amount after '$' (expected e.g. '$120,000')")
    figures = [match for match in _FIGURE.finditer(text) if _is_pay(match)]
    spans: list[tuple[re.Match[str], re.Match[str] | None]] = []
    index = 0
    while index < len(figures):
        first = figures[index]
        second = figures[index + 1] if index + 1 < len(figures) else None
        between = text[first.end() : second.start()] if second else ""
        joined = second is not None and (
            _RANGE_JOIN.fullmatch(between)
            or (between.strip() == "and" and text[: first.start()].rstrip().endswith("between"))
        )
        spans.append((first, second if joined else None))
        index += 2 if joined else 1
    amounts = []
    for position, (first, second) in enumerate(spans):
        start, end = first.start(), (second or first).end()
        previous_end = (spans[position - 1][1] or spans[position - 1][0]).end() if position else 0
        next_start = spans[position + 1][0].start() if position + 1 < len(spans) else len(text)
        lead = _LEAD.match(text[:start]) if not position else None
        label = lead.group(1).strip() if lead else _clause(text[previous_end:start], last=True)
        after = _clause(text[end:next_start], last=False)
        low, high, open_ended, stat = _bounds(text, first, second, label, source=source, line=line)
        amounts.append(
            Amount(
                low=None if stat else low,
                high=None if stat else high,
                open_ended=open_ended,
                is_range=second is not None,
                stat=stat,
                value=low if stat else None,
                start=start,
                end=end,
                before=text[:start] if not position else label,
                label=label,
                after=after,
            )
        )
    return amounts


def _bounds(
    text: str, first: re.Match[str], second: re.Match[str] | None, label: str, *, source: str, line: int
) -> tuple[float | None, float | None, bool, str | None]:
    """(low, high, open_ended, stat) of one figure or range, as the words around it say."""
    low, high = _value(first), _value(second or first)
    plus = bool((second or first).group("plus"))
    if second is not None:
        if low > high:
            raise SeedFormatError(
                source,
                line,
                f"salary range {first.group(0)} to {second.group(0)} has its low end above its high end",
            )
        return low, high, plus, None
    if _UP_TO.search(text[: first.start()]):
        return None, high, False, None
    if plus or _AT_LEAST.search(text[: first.start()]):
        return low, None, True, None
    if _FROM.search(text[: first.start()]):  # "from $70,000 for entry-level positions to ..."
        return low, None, False, None
    found = _STAT.search(label)
    return low, high, False, found.group(1).lower().replace("mean", "average") if found else None


def find_adjustment(text: str) -> Adjustment | None:
    """A regional pay adjustment in percent; "below"/"lower" ones are negative."""
    match = _ADJUSTMENT.search(text)
    if match is None:
        return None
    low = float(match.group("low"))
    high = float(match.group("high") or low)
    direction = (match.group("comparative") or match.group("side")).lower()
    if direction in ("lower", "less", "below"):
        low, high = -high, -low
    return Adjustment(low, high)
