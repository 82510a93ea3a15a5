"""Read a posting's seniority level from its title, falling back to its description.

The title decides whenever it names a level; the description is read only when the title
is silent, and only for explicit statements ("this is a senior role", "Title: Sr. Data
Engineer", "we are seeking a Staff Engineer") or, failing those, the years of experience
asked for. Patterns are compiled at import. A description costs one regex pass (for
"year"/"yr") plus a few C-speed substring searches that pick where the statement
patterns are tried; about 40 µs for a 4 kB description, a few µs for a title.

Decisions worth knowing:

- Several cues in one title resolve by precedence, highest first:
  intern > manager > principal > staff > lead > senior > mid > entry.
  So "Senior Staff" is staff, "Staff/Senior" and "Senior/Staff" are staff (a range names
  its top), "Principal Engineer - Technical Lead" is principal, "Senior Lead" is lead,
  "Senior Engineering Manager" is manager and "Marketing Manager Intern" is intern.
- Grade numbers (I-V, 1-5 after a role noun such as "Engineer III", "Analyst 2") and
  L-levels (L3-L8) are read too, but a level word beats a number: "Senior Engineer I"
  is senior. I/1 entry, II/2 mid, III/3 and IV/4 senior, V/5 staff;
  L3 entry, L4 mid, L5 senior, L6-L7 staff, L8 principal.
- "Manager" is a level unless it ends a job name that is not people management
  (product, program, project, account, case, relationship, territory, customer success
  manager): "Senior Product Manager" is senior, "Marketing Manager" is manager.
  Director, head (of), VP, chief, supervisor, team lead(er) and leader are manager;
  lead, tech lead and "Managing <role>" are lead.
- "Associate" is entry only as a leading modifier ("Associate Data Engineer"); as the
  job noun ("Sales Associate", "Associate, IT") it says nothing.
- "Experienced", "confirmé", "intermediate" and "semi-senior" are mid in a title
  ("experienced" in prose is praise and ignored). "Trainee" and "graduate" are entry,
  "apprentice", "co-op" and "working student" intern.
- The description counts only statements about the role itself ("this is a senior
  role", "seeking a Sr. ...", "As a Staff Engineer, you ...", "Job title: ..."); if they
  disagree it falls through to years. "Mentor junior engineers" says nothing.
- Years asked for in the description: 0-2 entry, 3-4 mid, 5+ senior (the first
  requirement stated, lower bound of a range; more than 15 is company history).
  Years never give staff or above: those are scope, not tenure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LEVELS", "Seniority", "read_seniority"]

LEVELS = ("intern", "entry", "mid", "senior", "staff", "principal", "lead", "manager", "unknown")


@dataclass(frozen=True)
class Seniority:
    """A posting's level, the words that decided it and where they were found."""

    level: str  # one of LEVELS
    evidence: tuple[str, ...]  # the deciding words as written: "Sr.", "Staff", "5+ years", "II"
    source: str  # "title", "description" or "none"


_UNKNOWN = Seniority("unknown", (), "none")

# Higher wins when one title carries several cues.
_RANK = {
    "entry": 1,
    "mid": 2,
    "senior": 3,
    "lead": 4,
    "staff": 5,
    "principal": 6,
    "manager": 7,
    "intern": 8,
}
_NUMBER_LEVEL = {"I": "entry", "II": "mid", "III": "senior", "IV": "senior", "V": "staff"}
_NUMBER_LEVEL |= {"1": "entry", "2": "mid", "3": "senior", "4": "senior", "5": "staff"}
_L_LEVEL = {"3": "entry", "4": "mid", "5": "senior", "6": "staff", "7": "staff", "8": "principal"}

_SENIOR = r"s[eé]nior"
# "Staff Accountant", "Staff Nurse": a job name, not the staff level.
_STAFF_JOBS = r"\s+(?:accountant|auditor|nurse|pharmacist|attorney|writer|physician|augmentation)s?\b"
# Alternatives are tried left to right at each position, so the false friends in `skip`
# come first and consume their words ("Lead Gen", "Product Manager", "Senior Living").
_CUE_GROUPS = {
    "skip": [
        r"lead[\s-]?gen(?:eration)?\b",
        r"lead\s+(?:qualification|development\s+rep)",
        _SENIOR + r"\s+(?:care|living|citizens?|housing|homes?|cent(?:er|re)s?)\b",
        r"junior\s+(?:high|college)\b",
        r"staff" + _STAFF_JOBS,
        r"(?:product|program(?:me)?|project|account|case|relationship|territory|customer\s+success)"
        r"s?\s+manager\b",
        r"graduate\s+(?:admissions?|school|studies)\b",
        r"intern(?:ship)?s?\s+(?:program\s+)?(?:coordinator|recruit\w*|manager)\b",
        r"mid[\s-]?(?:atlantic|west(?:ern)?|market|sized?|cap|south|north|east|america|town|day|night"
        r"|shift|year|term|point|range|tier)\b",
        r"head[\s-](?:mounted|set|count|hunter)",
    ],
    "intern": [
        r"intern(?:ship)?s?\b",
        r"co[\s-]op\b",
        r"apprenti(?:e|ce|ceship)?\b",
        r"stagiaire\b",
        r"alternan(?:ce|te|t)\b",
        r"praktikant(?:in)?\b|praktikum\b",
        r"werkstudent(?:in)?\b|working\s+student\b",
        r"pasante\b|becario\b",
        r"summer\s+(?:analyst|associate)\b",
    ],
    "manager": [
        r"chief\s+of\s+staff\b",
        r"team\s+lead(?:er)?\b",
        r"managing\s+(?:director|partner)s?\b",
        r"managers?\b(?!\s+trainee)",
        r"director(?:s|a)?\b|directeur\b|directrice\b",
        r"head\s+of\b|head\b(?!-)",
        r"vice[\s-]president\b|[sea]?vp\b|president\b",
        r"chief\b|c[teifomp]o\b",
        r"supervisor\b|superintendent\b",
        r"responsable\b|leiter(?:in)?\b|leitung\b|gerente\b|jefe\b",
        r"leader\b",  # "Tech Leader" is taken by `lead` first
    ],
    "lead": [
        r"tech(?:nical)?\s+lead(?:er)?\b",
        r"lead\b",
        r"managing\b(?=\s+\w)",
    ],
    "principal": [
        r"principal\b",
        r"distinguished\b",
        r"(?:technical|engineering|senior)\s+fellow\b",
    ],
    "staff": [
        rf"(?:{_SENIOR}|sr\.?)\s+staff\b(?!{_STAFF_JOBS})",
        r"staff\b",
    ],
    "mid": [
        r"semi[\s-]?" + _SENIOR + r"\b|ssr\b",
        r"intermediate\b",
        r"mid(?:[\s-]?level)?\b",
    ],
    # Mid in a title ("Experienced Software Engineer"), mere praise in prose.
    "experienced": [r"experienced\b|exp[ée]riment[ée]e?\b|confirm[ée]e?\b"],
    "senior": [
        _SENIOR + r"\b",
        r"sr\b\.?|snr\b",
    ],
    "entry": [
        r"junior\b|jr\b\.?|jnr\b",
        r"entry[\s-]?level\b",
        r"new[\s-]?grad(?:uate)?s?\b",
        r"(?:recent|college|university|campus)\s+(?:grad(?:uate)?s?|hires?)\b",
        r"graduates?\b",
        r"early[\s-]career\b",
        r"trainee\b|fresher\b|d[ée]butant\b",
    ],
    # Conditional cues, checked against their context in `_from_title`.
    "associate": [r"associate\b(?=\s+\w)"],
    "number": [
        r"(?:iii|ii|iv|v|i)\b(?![\w'’])",  # upper case in the title, checked in `_from_title`
        r"[1-5]\b(?!\s*(?:\+|years?\b|yrs?\b|%|[.,]\d|/|d\b|k\b|x\b))",
    ],
    "llevel": [r"(?<!/)l[3-8]\b(?!\s*(?:/|support|tier|network|noc)\b)"],
}
# Matched against the lowered title, so every pattern above is written in lower case.
_CUES = re.compile(
    r"\b(?:" + "|".join(f"(?P<{name}>{'|'.join(patterns)})" for name, patterns in _CUE_GROUPS.items()) + ")"
)

# Nouns after which a bare grade number is a level: "Engineer III", "Analyst 2", "Engineer in Test III".
_ROLE_NOUNS = (
    "engineer|developer|scientist|analyst|programmer|architect|designer|technician|specialist"
    "|consultant|administrator|admin|associate|accountant|representative|rep|coordinator|researcher"
    "|modeler|modeller|sdet|sde|swe|test|tester|writer|auditor|officer|estimator|attorney|investigator"
    "|nurse|advisor|adviser|agent|clerk|operator|mechanic|electrician|planner|buyer|recruiter"
    "|instructor|assistant|strategist|economist|statistician|chemist|biologist|physicist|editor"
    "|producer|artist|teacher|professional|generalist|librarian|counselor|paralegal|machinist"
)
_ROLE_BEFORE = re.compile(rf"\b(?:{_ROLE_NOUNS})s?[\s,(\[:–—-]*$")
_LEADING = re.compile(r"(?:^|[-–—(\[|,:/])\s*$")

# Description. Python's re walks every position of a 4 kB text at ~100 ns each, so the
# description is lowered once and cheap find/literal scans pick the few places worth a
# full regex match: statements about the role and "years" mentions. It is read as UTF-8
# bytes: encoding and lowering bytes costs a quarter of str.lower() on non-ASCII text.


def _bytes_re(pattern: str) -> re.Pattern[bytes]:
    return re.compile(pattern.encode())


_LEVEL_WORD = (
    r"(?:senior|sr\.?|junior|jr\.?|staff|principal|lead|entry[\s-]level|mid[\s-]level"
    r"|intern(?:ship)?|new\s+grad(?:uate)?)"
)
_ROLE_PHRASE = rf"(?:[\w./+&-]+,?\s+){{0,4}}?(?:{_ROLE_NOUNS}|manager|director|lead|intern)s?\b"
# "This is a senior role", "this entry-level position", "this role is junior", "This is an internship".
_THIS = _bytes_re(
    rf"this\s+(?:is\s+)?(?:an?\s+)?(?P<a>{_LEVEL_WORD}(?:[\s-]level)?)"
    r"(?:\s+individual\s+contributor|\s+ic)?\s+(?:role|position|job|opportunity|opening|program)\b"
    rf"|this\s+(?:role|position)\s+is\s+(?:an?\s+)?(?P<b>{_LEVEL_WORD})\b"
    r"|this\s+is\s+an?\s+(?:[\w-]+\s+){0,3}?(?P<c>internship)\b",
)
# "seeking an experienced Sr Backend Engineer", "looking for a Staff Engineer", "hiring a Lead".
_SOUGHT = _bytes_re(rf"(?:seeking|looking\s+for|hiring)\s+an?\s+(?P<a>{_ROLE_PHRASE})")
# "As a Principal Software Engineer, you will" (checked to open a sentence or follow "join us").
_AS = _bytes_re(rf"as\s+an?\s+(?P<a>{_ROLE_PHRASE})")
# "Job title: Sr. Data Engineer", "Position: Staff Engineer", "Experience level: Mid-level".
_FIELD = _bytes_re(r"(?:title|position|level)\s*(?::|：)\s*(?P<a>[^\n|;]{2,80})")
_STATEMENT_ANCHORS = (
    (b"this", _THIS),
    (b"seeking", _SOUGHT),
    (b"looking for", _SOUGHT),
    (b"hiring", _SOUGHT),
    (b"as a", _AS),
    (b"title", _FIELD),
    (b"position", _FIELD),
    (b"level", _FIELD),
)
_SENTENCE_END = tuple(c.encode() for c in ".!?:>*#•-–\n")

# "5+ years of experience", "3-5 years", "at least 2 years", "eight (8) years of relevant experience":
# the number is read backwards from each "year"/"yr" found in the lowered text.
_YEAR_WORD = _bytes_re(r"y(?:ea)?rs?\b")
_YEARS_NUMBER = _bytes_re(
    r"(?<![\d.,$])\(?\+?(?P<n>\d{1,2})\)?\s*(?P<plus>\+)?\s*"
    r"(?:(?:-|–|to)\s*(?P<m>\d{1,2})\s*\+?\s*|or\s+more\s+)?$",
)
_YEARS_QUALIFIER = _bytes_re(r"(?:minimum|min\.?|at\s+least)(?:\s+of)?\s+$")
_YEARS_HEAD = _bytes_re(r"\bexp(?:erience)?\b[^.\n\d]{0,25}?(?::|-|–)[\s*]*$")
_YEARS_TAIL = _bytes_re(
    r"y(?:ea)?rs?\b\+?[^.;\n]{0,50}?\b(?:experience|exp\b|expertise|professional|industry|relevant"
    r"|hands-on|working\b|in\s+(?:a|the)\s+\w+\s+role|post|building|developing|programming"
    r"|coding|designing|doing|of\s+software|with\s+an?\s+\w+'?s?\s+degree)",
)
_MAX_YEARS = 15  # larger numbers are company history ("for over 30 years"), not requirements


def read_seniority(title: str, description: str = "") -> Seniority:
    """Read the seniority level of a posting.

    The title decides when it names a level (see the module docstring for precedence).
    Otherwise the description is read for an explicit statement about the role and then
    for the years of experience it asks for. Returns level "unknown" with source "none"
    when neither says anything. Pure; never raises on odd text; empty strings are fine.
    """
    found = _from_title(title)
    if found is not None:
        return Seniority(found[0], found[1], "title")
    if description:
        raw = description.encode("utf-8", "surrogatepass")
        lowered = raw.lower()
        found = _from_statements(raw, lowered) or _from_years(raw, lowered)
        if found is not None:
            return Seniority(found[0], found[1], "description")
    return _UNKNOWN


def _lower(text: str) -> str:
    """Lower case with every character kept at its index, so spans index the original text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # "İ" grows when lowered


def _from_title(text: str, *, in_description: bool = False) -> tuple[str, tuple[str, ...]] | None:
    """The level a title (or a title-like phrase) names, with its deciding words."""
    lowered = _lower(text)
    words: list[tuple[str, str]] = []
    numbers: list[tuple[str, str]] = []
    for match in _CUES.finditer(lowered):
        kind = match.lastgroup
        cue = text[match.start() : match.end()]
        if kind is None or kind == "skip":
            continue
        if kind == "number":
            if (cue.isdigit() or cue.isupper()) and _ROLE_BEFORE.search(lowered, 0, match.start()):
                numbers.append((_NUMBER_LEVEL[cue.upper()], cue))
        elif kind == "llevel":
            words.append((_L_LEVEL[cue[1]], cue))
        elif kind == "associate":
            if _LEADING.search(lowered, 0, match.start()):
                words.append(("entry", cue))
        elif kind == "experienced":
            if not in_description:
                words.append(("mid", cue))
        else:
            words.append((kind, cue))
    cues = words or numbers  # a level word outranks a grade number: "Senior Engineer I" is senior
    if not cues:
        return None
    level = max((lvl for lvl, _ in cues), key=_RANK.__getitem__)
    return level, tuple(cue for lvl, cue in (*words, *numbers) if lvl == level)


def _from_statements(raw: bytes, lowered: bytes) -> tuple[str, tuple[str, ...]] | None:
    """A level the description states about the role itself, if it states exactly one."""
    levels: dict[str, list[str]] = {}
    for anchor, pattern in _STATEMENT_ANCHORS:
        start = lowered.find(anchor)
        while start != -1:
            if not lowered[start - 1 : start].isalnum() and (pattern is not _AS or _opens_sentence(lowered, start)):
                match = pattern.match(lowered, start)
                if match is not None:
                    begin, end = match.span(match.lastgroup or 0)
                    found = _from_title(raw[begin:end].decode("utf-8", "ignore"), in_description=True)
                    if found is not None:
                        levels.setdefault(found[0], []).extend(found[1])
            start = lowered.find(anchor, start + 1)
    if len(levels) != 1:
        return None
    ((level, evidence),) = levels.items()
    return level, tuple(dict.fromkeys(evidence))


def _opens_sentence(lowered: bytes, start: int) -> bool:
    before = lowered[max(0, start - 20) : start].rstrip(b" \t")
    return not before or before.endswith(_SENTENCE_END) or before.endswith((b"join us", b"join our team"))


def _from_years(raw: bytes, lowered: bytes) -> tuple[str, tuple[str, ...]] | None:
    """The level implied by the first experience requirement in the description."""
    for word in _YEAR_WORD.finditer(lowered):
        end = word.start()
        if lowered[end - 1 : end].isalpha():
            continue
        number = _YEARS_NUMBER.search(lowered, max(0, end - 24), end)
        if number is None:
            continue
        start = number.start()
        qualifier = _YEARS_QUALIFIER.search(lowered, max(0, start - 16), start)
        # "5+ years", "3-5 years", "at least 2 years" are requirements even without "experience".
        bounded = number.group("plus") or number.group("m") or qualifier
        stated = _YEARS_TAIL.match(lowered, end) or _YEARS_HEAD.search(lowered, max(0, start - 40), start)
        years = int(number.group("n"))
        if not (bounded or stated) or years > _MAX_YEARS:
            continue
        level = "entry" if years <= 2 else "mid" if years <= 4 else "senior"
        first = qualifier.start() if qualifier else start
        return level, (raw[first : word.end()].decode("utf-8", "ignore"),)
    return None
