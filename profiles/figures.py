"""Pay figures grouped the way a document lays them out: a figure's line, label, group and band."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from profiles.money import Amount, find_amounts
from profiles.sections import DocLine, is_title_case

__all__ = ["PARENTHESES", "FigurePart", "clusters", "figure_parts", "siblings"]

# "- Range: $90,000 - $130,000": a labelled figure, the shape of a line under a group bullet.
_LABELLED_FIGURE = re.compile(r"^[^:$]{1,80}:\s*~?\s*(?:\$|US\$|USD)")
_GENERIC_RANGE = re.compile(r"(?i)^(?:(?:salary|pay|compensation)\s+)?range$")
_MAX_LABEL_WORDS = 8
_MAX_LEAD_IN_WORDS = 12
PARENTHESES = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class FigurePart:
    """One figure or range of a line, with the words that frame it."""

    line: DocLine
    amount: Amount
    lead: str  # words before the line's colon when figures follow it ("Base salary")
    group: DocLine | None  # a bullet naming the figure lines below it ("- Qualcomm", "- Entry-Level:")
    alone: bool  # the only figure of its line

    @property
    def own(self) -> str:
        """The words of the figure's own clause (the whole line start for a line's first figure)."""
        return f"{self.amount.before} {self.amount.after}"

    @property
    def group_text(self) -> str:
        return self.group.body.rstrip(":") if self.group else ""

    @property
    def group_label(self) -> str:
        """The group bullet when it is a name ("Qualcomm"), not a lead-in sentence."""
        name = self.group_text.strip()
        return name if name and is_title_case(PARENTHESES.sub("", name).split()) else ""

    @property
    def mergeable(self) -> bool:
        """A lone "Median: $X", "Average ...: $X" or "Range: $X - $Y" line, part of a larger band."""
        amount = self.amount
        return self.alone and (
            amount.stat is not None or (amount.is_range and bool(_GENERIC_RANGE.match(amount.label)))
        )


def _lead(body: str, first: Amount) -> str:
    colon = body.find(":")
    if 0 < colon < first.start and len(body[:colon].split()) <= _MAX_LABEL_WORDS:
        return body[:colon].strip()
    return ""


def _is_group_header(line: DocLine, following: DocLine) -> bool:
    """A bullet naming the labelled figure lines below it.

    Either a Title Case label ("- Qualcomm", "- Tesla (P3 level, ...)", "- Entry-Level (0-2 years):")
    or a lead-in ending in a lower-case word and a colon ("- Including bonuses ..., total
    compensation can reach:"). A bullet ending in a glued Title Case heading ("... toolchains
    Compensation and Benefits:") is neither.
    """
    name = line.body.rstrip(":").strip()
    words = PARENTHESES.sub("", name).split()
    if not words or ":" in name or not following.is_bullet or not _LABELLED_FIGURE.match(following.body):
        return False
    if is_title_case(words):
        return len(words) <= _MAX_LABEL_WORDS
    return line.body.endswith(":") and len(words) <= _MAX_LEAD_IN_WORDS and words[-1].islower()


def _groups(lines: Sequence[DocLine], figures: dict[int, list[Amount]]) -> dict[int, DocLine]:
    """Figure line -> the figure-less bullet above it that names it ("- Qualcomm")."""
    owner: dict[int, DocLine] = {}
    header: DocLine | None = None
    for index, line in enumerate(lines):
        if line.is_heading or not line.is_bullet:
            header = None
        elif figures.get(line.number):
            if header is not None:
                owner[line.number] = header
        else:
            following = lines[index + 1] if index + 1 < len(lines) else None
            header = line if following is not None and _is_group_header(line, following) else None
    return owner


def figure_parts(lines: Sequence[DocLine], *, source: str) -> list[FigurePart]:
    """Every pay figure of the document, in order, with its label and group.

    Raises SeedFormatError (from `money.find_amounts`) for a "$" with no amount or an inverted range.
    """
    figures = {
        line.number: find_amounts(line.body, source=source, line=line.number)
        for line in lines
        if "$" in line.text or "USD" in line.text
    }
    groups = _groups(lines, figures)
    return [
        FigurePart(line, amount, _lead(line.body, amounts[0]), groups.get(line.number), len(amounts) == 1)
        for line in lines
        for amounts in [figures.get(line.number, [])]
        for amount in amounts
    ]


def clusters(parts: Sequence[FigurePart]) -> list[list[FigurePart]]:
    """Parts that make one band: a range line next to its median/average lines, same group."""
    bands: list[list[FigurePart]] = []
    for part in parts:
        last = bands[-1] if bands else None
        if (
            last is not None
            and part.mergeable
            and all(other.mergeable for other in last)
            and part.line.number == last[-1].line.number + 1
            and part.line.path == last[-1].line.path
            and part.group == last[-1].group
            and not (part.amount.is_range and any(other.amount.is_range for other in last))
            and (part.amount.stat is None or all(other.amount.stat != part.amount.stat for other in last))
        ):
            last.append(part)
        else:
            bands.append([part])
    return bands


def siblings(part: FigurePart, parts: Sequence[FigurePart]) -> list[FigurePart]:
    """The other figures of the part's line or group (a breakdown's other components)."""
    return [
        other
        for other in parts
        if other is not part and (other.line == part.line or (part.group is not None and other.group == part.group))
    ]
