"""The role's title, its level and its aliases, read from the document's own prose."""

from __future__ import annotations

import re
from collections.abc import Sequence

from profiles.errors import SeedFormatError
from profiles.models import LEVELS
from profiles.roles import FUNCTION_WORDS, NOUN_PATTERN, RoleName, is_alias, level_of, parse_role_name
from profiles.sections import DocLine, is_related_heading

__all__ = ["TITLE_SOURCES", "find_aliases", "find_title", "title_from_file_name", "title_level"]

# Where a role's title was read, in the order they are tried.
TITLE_SOURCES = ("title line", "overview", "file name")

_CAP_WORD = r"[A-Z][A-Za-z0-9+#&./-]*"
_SPECIALTY = r"(?:\s+(?:specializing|specialising|focused|focusing)\s+(?:in|on)(?:\s+[^\s,.;:()]+){1,6}?)?"
_TITLE = rf"(?P<title>(?:{_CAP_WORD}\s+){{0,6}}{NOUN_PATTERN}{_SPECIALTY})"
# The sentences an Overview names its role with; the earliest match in the Overview wins.
_TITLE_SENTENCES = (
    # "The role of a Staff Machine Learning Engineer specializing in infrastructure is ..."
    re.compile(
        rf"\b[Tt]he role of (?:a|an|the)\s+{_TITLE}"
        r"(?=\s+(?:is|are|involves|requires|encompasses|combines)\b|,)"
    ),
    # "As a Backend Engineer specializing in ML Infrastructure, you'll ..."
    re.compile(rf"\b[Aa]s (?:a|an)\s+{_TITLE}(?=,)"),
    # "A Machine Learning Platform Engineer is a specialized professional ...", "A Streaming Data Engineer
    # designs and operates ..." (a verb in the third person)
    re.compile(
        rf"(?:^|(?<=[.!?:] )|(?<=- ))(?:A|An)\s+{_TITLE}(?=\s+(?:is\s+(?:a|an|the|one)\b|[a-z]{{3,}}s\b))", re.M
    ),
    # "Streaming Data Engineers build and run ..." (the title in the plural, then a verb)
    re.compile(
        rf"(?:^|(?<=[.!?:] )|(?<=- ))(?P<title>(?:{_CAP_WORD}\s+){{0,6}}{NOUN_PATTERN})s"
        r"(?=\s+(?!are\b|is\b)[a-z]{3,}\b)",
        re.M,
    ),
)
# An explicit title line in the Overview: "Title: Streaming Data Engineer".
_TITLE_LINE = re.compile(r"(?i)^title\s*:\s*(?P<title>\S.*?)\s*$")
# A seed file name's leading number and trailing hex id: "005_streaming_data_engineer_1f2e3d4c5b6a7980.txt".
_FILE_NUMBER = re.compile(r"^\d+(?:[_\s-]+|$)")
_FILE_ID = re.compile(r"(?:^|[_\s-]+)[0-9a-f]{8,}$")
_LOWER_WORDS = frozenset("a an and for in of on the to with".split())
# What may follow a complete title phrase; "in ML infrastructure" must not yield "in ML".
_PHRASE_END = r"(?=\s*[,.;:!?]|\s*$|\s+(?:can|will|is|are|play|plays|must|should|may|to|and|or|with|who|you)\b)"
_ALIAS_RUN = re.compile(
    rf"(?<![\w-])(?:{_CAP_WORD}\s+){{0,5}}{NOUN_PATTERN}s?\b"
    # an optional capitalised specialty that ends the phrase: "... Engineer in ML Infrastructure,"
    rf"(?:\s+(?:specializing in|specialising in|focused on|in)(?:\s+{_CAP_WORD}){{1,4}}{_PHRASE_END})?"
)


def find_title(lines: Sequence[DocLine], source: str) -> tuple[str, int, str]:
    """The role title, its line (0 for the file name) and where it was read (one of `TITLE_SOURCES`).

    In order: a "Title: ..." line in the first section (the Overview); the earliest sentence of the
    Overview that names the role ("The role of a <Title> is", "As a <Title>,", "A <Title> is a" or
    "A <Title> designs", "<Title>s build"); the file name without its leading number and trailing hex id.

    Raises SeedFormatError naming the Overview's first line and everything tried when none gives a title.
    """
    first = next((line.path[:1] for line in lines if line.path), ())
    overview = [line for line in lines if first and line.path[:1] == first and not line.is_heading]
    for line in overview:
        match = _TITLE_LINE.match(line.text)
        if match:
            return " ".join(match.group("title").split()), line.number, "title line"
    best: tuple[int, int, str] | None = None  # line, offset, title
    for line in overview:
        for pattern in _TITLE_SENTENCES:
            match = pattern.search(line.text)
            if match and (best is None or (line.number, match.start()) < best[:2]):
                best = (line.number, match.start(), " ".join(match.group("title").split()))
        if best is not None:
            return best[2], best[0], "overview"
    from_name = title_from_file_name(source)
    if from_name is not None:
        return from_name, 0, "file name"
    where = next((line.number for line in overview if line.text), 1)
    raise SeedFormatError(
        source,
        where,
        "no role title: no 'Title: <Title>' line in the Overview, no sentence there like 'The role of a <Title> "
        "is ...', 'As a <Title>, you ...', 'A <Title> is a ...' or 'A <Title> designs ...' (<Title> ending in a "
        f"job noun such as Engineer), and no words in the file name {source!r} once its leading number and "
        "trailing id are stripped (ending in a job noun: 005_streaming_data_engineer.txt)",
    )


def title_from_file_name(source: str) -> str | None:
    """A title from a seed file name: "005_streaming_data_engineer.txt" -> "Streaming Data Engineer"; None when
    what is left once the leading number and trailing hex id are stripped names no job (no job noun)."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _FILE_ID.sub("", _FILE_NUMBER.sub("", stem.strip()))
    words = [word for word in re.split(r"[_\s-]+", stem) if word]
    title = " ".join(_title_word(word, first=i == 0) for i, word in enumerate(words))
    return title if parse_role_name(title) is not None else None


def _title_word(word: str, *, first: bool) -> str:
    if not word.islower():
        return word  # as written: "MLOps", "iOS"
    if word in _LOWER_WORDS and not first:
        return word
    return word.upper() if len(word) <= 2 else word.capitalize()  # "ml" -> "ML", "ai" -> "AI"


def title_level(title: RoleName | None) -> str | None:
    """The most senior level the title names ("Staff ..." -> "staff"), or None."""
    if title is None or not title.levels:
        return None
    return max(title.levels, key=LEVELS.index)


def _singular(phrase: str) -> str:
    return re.sub(rf"\b({NOUN_PATTERN})s\b", r"\1", phrase, count=1)


def find_aliases(lines: Sequence[DocLine], title: str) -> tuple[str, ...]:
    """Other job titles the document uses for its own role, singular, in order of first use.

    Candidates are capitalised phrases ending in a job noun, outside "Related Roles" sections;
    `roles.is_alias` keeps those naming this role as specifically as the title does.
    """
    title_name = parse_role_name(title)
    if title_name is None:
        return ()
    seen = {title.lower()}
    aliases: list[str] = []
    for line in lines:
        if any(is_related_heading(heading) for heading in line.path):
            continue
        for match in _ALIAS_RUN.finditer(line.text):
            words = match.group(0).split()
            while len(words) > 1 and words[0].lower() in FUNCTION_WORDS and not level_of(words[0]):
                words.pop(0)
            phrase = _singular(" ".join(words))
            name = parse_role_name(phrase)
            if name is None or phrase.lower() in seen or not is_alias(name, title_name):
                continue
            seen.add(phrase.lower())
            aliases.append(phrase)
    return tuple(aliases)
