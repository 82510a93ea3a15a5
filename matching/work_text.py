"""The part of a posting's text that describes the job: what it says about the employer, its benefits, pay and
legal notices left out, so that what any employer may write ("an AI company", "cutting-edge AI") does not decide
which job a posting is."""

from __future__ import annotations

import re

__all__ = ["work_text"]

# A heading that opens a section about the employer or the terms, not the work. "About Acme" does, "About the
# role", "About you" and "About the ML Platform team" do not.
_NOT_THE_WORK = re.compile(
    r"about\b(?!.*\b(?:you|yourself|role|job|team|position|opportunity|work|project|responsibilities)\b)"
    r"|who we are|our (?:company|mission|story|values|culture|benefits|perks)|company (?:overview|description|profile)"
    r"|why (?:join|work|us)|life at|working at|what we offer|what.s in it for you|what you.ll get"
    r"|benefits|perks|compensation|salary|pay\b|total rewards"
    r"|equal (?:employment )?opportunit|eeo\b|diversity|inclusion|accommodation|privacy|disclaimer"
    r"|how to apply|application process|locations?\b",
    re.IGNORECASE,
)
_LIST_MARKS = ("* ", "- ", "+ ", "•", "·")
_MAX_HEADING_CHARS = 60
_MAX_HEADING_WORDS = 8
# Below this share of the text left, the headings were likely misread: the whole text is kept.
_MIN_KEPT = 1 / 3


def _heading(line: str) -> str | None:
    """The words of a line that reads as a section heading ("**Benefits:**", "## About us", "What we offer"),
    else None. A field ("Location: Remote"), a sentence or a list item ("* Dental") is not one."""
    if line.lstrip().startswith(_LIST_MARKS):
        return None
    words = line.strip(" \t#*_:")
    if not words or ":" in words or words[-1] in ".,;!" or words.count(" ") >= _MAX_HEADING_WORDS:
        return None
    return words


def work_text(description: str) -> str:
    """`description` without its sections about the employer and the terms: from a heading such as "About us",
    "Benefits" or "Equal opportunity" to the next heading. A text without such headings is returned as it is."""
    lines = description.split("\n")
    # (line number, opens a section to leave out) of every heading. Most lines are long: the length test comes
    # first, as this runs on every posting a matcher scores.
    headings = [
        (i, _NOT_THE_WORK.match(words) is not None)
        for i, line in enumerate(lines)
        if 0 < len(line) <= _MAX_HEADING_CHARS and (words := _heading(line)) is not None
    ]
    if not any(left_out for _, left_out in headings):
        return description
    kept: list[str] = []
    start, skipping = 0, False
    for i, left_out in headings:
        if not skipping:
            kept.extend(lines[start:i])
        start, skipping = i + left_out, left_out
    if not skipping:
        kept.extend(lines[start:])
    text = "\n".join(kept)
    return text if len(text) >= _MIN_KEPT * len(description) else description
