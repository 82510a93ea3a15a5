"""Pay stated in a posting's description: currency markers, the windows around them, pay context."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .figures import Reading, basis_of, build_pay, choose_currency, code_after, combine, pairs
from .place import local_currencies
from .scan import PERIOD_WORDS, normalise, period_in, scan
from .stated import CODES, UNIT_SIZE, StatedPay

__all__ = ["find_pay_in_text"]

_PAY_WORDS = (
    r"salary|salaries|pay|pays|paying|compensation|cash|wages?|remuneration|rates?|earn(?:s|ings?)?|OTE|base"
    r"|income|gross|package|\w*salaris\w*|\w*loon|beloning|inkomen|bruto"
)
_PAY_WORDS_RE = re.compile(rf"\b(?:{_PAY_WORDS})\b", re.I)
# "Typical Hiring Range: $60,090 - $73,610", "the current range $125,000 - $205,100": a range named as one.
_RANGE_WORD_RE = re.compile(r"\b(?:range|ranges|ranging|bandwidth|scale|schaal)\b", re.I)
# What a money figure is for when it is not pay: perks, company money, other parts of a package, deal sizes.
_NOT_PAY = (
    r"stipends?|allowances?|budgets?|reimburs\w*|credits?|bonus(?:es)?|donat\w*|fund(?:s|ed|ing)?|raised?"
    r"|revenues?|ARR|valu(?:ation|ed)|assets|series\s+[a-f]|capital|invest\w*|grants?|GMV|worth|market\s+cap\w*"
    r"|transactions?|referrals?|relocation|sign(?:ing|-on)|commissions?|fees?|airdrops?|prizes?|awards?|gifts?"
    r"|insurance|benefits?|coverage|cost|price|tuition|wellness|equipment|home\s+office|cap|match(?:ing)?"
    r"|spend(?:ing)?|sav(?:e|es|ing|ings)|deductibles?|deals?|quotas?|loans?|portfolios?|pipeline|ACV"
    r"|pensions?|contribut\w*|projects|\w*vergoeding|\w*budget|vakantiegeld|\w*toeslag|\w*uitkering|\w*bonus|pensioen\w*"
)
_NOT_PAY_RE = re.compile(rf"\b(?:{_NOT_PAY})\b", re.I)
# After a figure, "Benefits" starts a list of perks ("$69,000 - $80,000 Benefits include ..."), "w/benefits"
# adds them; a figure that is a benefit says "in benefits".
_NOT_PAY_AFTER = _NOT_PAY.replace("benefits?", r"benefit|in\s+benefits")
# "a $500 learning stipend", "$5M in projects": what the figure is, in the three words after it (a heading
# such as "Benefits:" starts something else).
_NOT_PAY_AFTER_RE = re.compile(
    rf"[^\w%]*(?:[A-Za-z'-]+[^\w%]+){{0,2}}?(?:{_NOT_PAY_AFTER}|projects?|homes?"
    r"|properties|orders?|in\s+sales|sales\s+volume)\b(?!\s*:)",
    re.I,
)
# "$200/mos Health and Wellness Stipend": a name in capitals after a figure is what it is.
_TITLE_AFTER_RE = re.compile(r"[ \t]*((?:[A-Z][a-z][\w'-]*)(?:[ \t]+(?:[A-Z][a-z][\w'-]*|and|&|of)){0,4})")
_NOT_PAY_AFTER_WORD_RE = re.compile(rf"\b(?:{_NOT_PAY_AFTER})\b", re.I)
# "£55K Basic Salary + Bonus": pay named right after a figure.
_PAY_AFTER_RE = re.compile(rf"[^\w%]*(?:[A-Za-z'-]+[^\w%]+){{0,2}}?(?:{_PAY_WORDS})\b", re.I)
# "Salary & benefits: £45,000", "Base + commission: $60k": a heading that names pay, not a perk.
_PAY_AND_RE = re.compile(rf"\b(?:{_PAY_WORDS})\s*(?:&|and|\+|plus)\s*(?:{_NOT_PAY})\b", re.I)
# A market statement is not this posting's pay: "the industry standard salary for MLOps engineers typically
# ranges from $150,000 to $230,000", "the national average is $95,000".
_MARKET_RE = re.compile(
    r"\b(?:industry[\s-]+(?:standard|average|norm|benchmark)s?|national\s+average|nationally|nationwide|average"
    r"|median|according\s+to|on\s+average|glassdoor|levels\.fyi|typically\s+(?:earn|make)s?"
    r"|bureau\s+of\s+labor|BLS|surveys?|market\s+(?:rate|data|average|value)s?|professionals\s+(?:in|with)"
    r"|(?:salaries|wages)\s+(?:for|of|in)\s+(?:an?\s+)?(?:\w+\s+)?(?:engineers|developers|scientists|analysts))\b",
    re.I,
)
_CONTEXT_BEFORE_MARKER = 400
_CONTEXT_AFTER_MARKER = 300
# Currency markers, found in three cheap passes rather than one regex: an alternation of symbols, codes and
# case-insensitive words is tried at every character of a description and cost more than the rest of
# matching. Symbols are rare characters (str.find); codes are found by str.find too, only those a test in C
# (bytes.translate, split) says stand as a word somewhere; words are searched for only in descriptions where
# `in` on the lowered bytes says one may be there.
_SYMBOL_MARKERS = ("$", "€", "£", "₹", "¥", "₩", "₱", "₦")
# Euros, pounds, rupees, dollars, any case, as whole words, each with the bytes that must be in the lowered
# text for it to be there. A regex per word, started by its first letter (a leading \b would make the engine
# try every character), its word boundary checked just after that letter.
_WORD_MARKERS = (
    (b"euro", re.compile(r"[Ee](?<!\w.)(?i:uros?)\b")),
    (b"pounds", re.compile(r"[Pp](?<!\w.)(?i:ounds)\b")),
    (b"rupees", re.compile(r"[Rr](?<!\w.)(?i:upees)\b")),
    (b"dollar", re.compile(r"[Dd](?<!\w.)(?i:ollars?)\b")),
)
# Capital ASCII letters kept, every other byte a space: a code not inside a word is then a word of its own.
_CAPITALS_ONLY = bytes(c if 65 <= c <= 90 else 32 for c in range(256))
_CODE_WORDS = frozenset(code.encode() for code in CODES)
_CLAUSE_BREAK_RE = re.compile(r"[.!?](?=\s)|[\n*•(;]")
_LABEL_BREAK_RE = re.compile(r"[.!?](?=\s)|[\n*•(;,|]|\s[-/]\s")
# Words run together by a scraper: "per yearBenefits", "DOEGenerous", "2026Salary": the capital that starts a
# word after a lower-case letter, or after a capital or digit when a lower-case letter follows it. Written to
# start with the capital, the look-behinds after it, so the engine skips to capitals (5x faster than
# zero-width joins, which it tried at every character of a window).
_CAMEL_JOIN_RE = re.compile(r"[A-Z](?:(?<=[a-z].)|(?<=[A-Z0-9].)(?=[a-z]))")
# Further ranges this close after the one before are zones of one statement; the top of a description (title,
# place, pay lines of a recruiter's advert) needs no pay word before a range.
_ZONE_REACH = 800
_PLACE_AFTER_RE = re.compile(r"(?:in|for|at|within|outside)\b", re.I)
_PERIOD_BEFORE_RE = re.compile(rf"({PERIOD_WORDS})(?=\s*(?:\w+\s+)?(?:{_PAY_WORDS}|range)\b|\s*:)", re.I)
_FEW_WORDS_RE = re.compile(r"\W*(?:[\w'/.-]+\W*){0,3}")
_HEADER_CHARS = 300
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?=\s|$)|\n")
_SEGMENT_END_RE = re.compile(
    r"[.!?](?=\s|$)|[\n*•(;,+]|\b(?:plus|and|with|along|or|including|depending|based|DOE|en|met)\b|\bw/", re.I
)


def _tail(window: str, breaks: re.Pattern[str]) -> str:
    """The part of `window` after its last break."""
    ends = [m.end() for m in breaks.finditer(window)]
    return window[ends[-1] :] if ends else window


def _head(window: str, breaks: re.Pattern[str]) -> str:
    """The part of `window` before its first break."""
    first = breaks.search(window)
    return window[: first.start()] if first else window


def find_pay_in_text(text: str, *, location: str | None = None) -> StatedPay | None:
    """The pay a description states, conservatively: the first money range (or figure) in pay context.

    A figure needs a currency marker, pay context (pay words near it: "base salary range", "Pay:",
    "compensation"; for a range also a stated period, "range" just before it, or a place at the top of the
    description), and nothing saying it is something else: what it is for ("a $5,000 stipend", "bonus of
    $10,000", funding, revenue, "$10M", "401(k)") or a market statement ("the industry average is $95,000").
    A lone figure also needs a stated period or a yearly size. Further ranges in the same currency, period and
    basis close after the first are zones of one statement (see `combine`). `location` says what "$" and "kr"
    mean (`local_currencies`). Returns None when nothing qualifies.
    """
    local = local_currencies(location)
    readings: list[Reading] = []
    for start, stop in _marker_windows(text):
        if readings and start > readings[-1].position + _ZONE_REACH:
            break
        readings += _readings(text[start:stop], start, local)
    return combine(readings, reach=_ZONE_REACH)


def _marker_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of `text` around its currency markers, merged where they overlap, in order.

    Only these can hold a qualifying figure: one needs a marker on itself or on the figure it pairs with
    (at most 60 characters on), and its context reaches at most 250 characters back and 90 on.
    """
    windows: list[tuple[int, int]] = []
    for start, stop in _currency_markers(text):
        start = max(0, start - _CONTEXT_BEFORE_MARKER)
        stop += _CONTEXT_AFTER_MARKER
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], stop)
        else:
            windows.append((start, stop))
    return windows


def _currency_markers(text: str) -> list[tuple[int, int]]:
    """(start, end) of every currency symbol, code (not inside a word) and currency word, in order."""
    found: list[tuple[int, int]] = []
    for symbol in _SYMBOL_MARKERS:
        at = text.find(symbol)
        while at >= 0:
            found.append((at, at + 1))
            at = text.find(symbol, at + 1)
    # "zł" by its "ł": a search for a string starting with "z" costs as much as the eight above together, and an
    # ASCII text says at once that it has no "ł".
    at = text.find("ł")
    while at >= 0:
        if at and text[at - 1] == "z":
            found.append((at - 1, at + 1))
        at = text.find("ł", at + 1)
    # The bytes, not the text, for the tests below: most descriptions hold a character beyond Latin-1 (a dash, a
    # quote), and a search in such a text is twice as slow as in its UTF-8 bytes.
    encoded = text.encode("utf-8", "surrogatepass")
    codes = [code.decode() for code in _CODE_WORDS.intersection(encoded.translate(_CAPITALS_ONLY).split())]
    if b"Rs" in encoded:
        codes.append("Rs")
    for code in codes:
        # Every place the code is written, kept where no ASCII letter touches it. Two that overlap touch each
        # other, so finding overlapping ones too (as str.find does) adds none.
        at = text.find(code)
        while at >= 0:
            end = at + len(code)
            if not (at and text[at - 1].isascii() and text[at - 1].isalpha()) and not (
                end < len(text) and text[end].isascii() and text[end].isalpha()
            ):
                found.append((at, end))
            at = text.find(code, at + 1)
    lowered = encoded.lower()  # ASCII letters only
    for word, pattern in _WORD_MARKERS:
        if word in lowered:
            found += [m.span() for m in pattern.finditer(text)]
    return sorted(found)


def _readings(window: str, base: int, local: Mapping[str, str]) -> list[Reading]:
    """Every qualifying figure or range in `window`, the stretch of a description that starts at `base`."""
    raw = _CAMEL_JOIN_RE.sub(_space_before, window)  # "per yearBenefits:", "base salaryAnnual bonus"
    norm = normalise(raw)
    readings = []
    for first, second in pairs(norm, scan(norm)):
        both = (first,) if second is None else (first, second)
        if first.big or not any(f.marked for f in both):
            continue
        start, end = first.start, both[-1].end
        after = _head(norm[end : end + 60], _SEGMENT_END_RE)
        few = _FEW_WORDS_RE.match(after)  # "€ 6582 gross per month", not "salary, hybrid, 1 day per week"
        stated = next((f.period for f in both if f.period), None) or period_in(few.group() if few else "")
        # Pay context first, its cheap tests before its searches: it needs only the figures and the words after
        # them, and every test below costs more.
        reach = 250 if second is not None else 80
        in_context = (
            (second is not None and (stated is not None or base + start < _HEADER_CHARS))
            or _PAY_WORDS_RE.search(after) is not None
            or _PAY_WORDS_RE.search(norm[max(0, start - reach) : start]) is not None
            or (second is not None and _RANGE_WORD_RE.search(norm[max(0, start - 40) : start]) is not None)
        )
        if not in_context:
            continue
        # The clause and the sentence before the figure, each found once in the 120 characters before it: the
        # last 80 characters of the part after the last break are what the same search finds in the last 80.
        before = norm[max(0, start - 120) : start]
        wider = _tail(before, _CLAUSE_BREAK_RE)
        clause = wider[-80:]
        names_pay = _PAY_AFTER_RE.match(after) is not None
        if (not names_pay and _for_something_else(clause)) or _is_named_perk(norm, end, after):
            continue
        if _MARKET_RE.search(wider):
            continue
        sentence = _tail(before, _SENTENCE_BREAK_RE)
        later = _head(norm[end : end + 40], _SENTENCE_BREAK_RE)
        period = stated or _period_before(sentence[-80:]) or period_in(later)
        currency = choose_currency(both, code_after(norm, end) or after, None, local)
        lead = sentence.lstrip()
        source = " ".join(norm[start - len(lead) : end].split())
        basis = basis_of(clause, _head(norm[end : end + 80], _SENTENCE_BREAK_RE))
        pay = build_pay(norm, first, second, currency=currency, period=period, source=source, basis=basis)
        if second is None and period is None and pay.period != "year":
            continue  # "$500" with no period is more likely a perk than a month's pay
        if _plausible(pay):
            readings.append(Reading(pay, _zone_label(norm, start, end), base + start))
    return readings


def _space_before(join: re.Match[str]) -> str:
    return " " + join.group()


def _period_before(text: str) -> str | None:
    """The period the words before a figure give it: one that names the pay ("a gross monthly salary between",
    "Hourly rate:", "Hourly:"), not one about something else ("1 day a week in-office. Salary:")."""
    found = [m.group(1).lower() for m in _PERIOD_BEFORE_RE.finditer(text)]
    return period_in(found[-1]) if found else None


def _zone_label(norm: str, start: int, end: int) -> str:
    """What a range is for, in a few words: "in California and New York" after it, or "Zone B", "For Bay
    Area-based hires" before it (the words before a colon), else the words before it on its line."""
    after = " ".join(_head(norm[end : end + 60], _LABEL_BREAK_RE).split()).rstrip(" .:-")
    if _PLACE_AFTER_RE.match(after):
        return after
    before = " ".join(_tail(norm[max(0, start - 80) : start], _LABEL_BREAK_RE).split()).strip(" :-")
    if ":" in before:
        before = before.rsplit(":", 1)[0].strip(" :-") or before
    return before[-60:].strip()


def _is_named_perk(norm: str, end: int, after: str) -> bool:
    """Whether the words right after a figure say what it is, and that is not pay ("a $500 learning stipend",
    "$200/mos Health and Wellness Stipend"); "Benefits: ..." after it starts a list instead."""
    if _NOT_PAY_AFTER_RE.match(after):
        return True
    title = _TITLE_AFTER_RE.match(norm, end, min(len(norm), end + 60))
    return title is not None and bool(_NOT_PAY_AFTER_WORD_RE.search(title.group(1)))


def _for_something_else(clause: str) -> bool:
    """Whether the words before a figure say it is not pay: a perk or company money named after the last pay
    word ("salary competitive; relocation bonus of $10,000"), not a heading such as "Salary & benefits"."""
    lowered = clause.lower()
    if "&" in clause or "+" in clause or "and" in lowered or "plu" in lowered:
        # only where the joiner is: the heading search tries every pay word at every word of the clause
        clause = _PAY_AND_RE.sub("salary", clause)
    perks = [m.end() for m in _NOT_PAY_RE.finditer(clause)]
    if not perks:
        return False
    pay = [m.end() for m in _PAY_WORDS_RE.finditer(clause)]
    return not pay or pay[-1] < perks[-1]


def _plausible(pay: StatedPay) -> bool:
    """Yearly figures a salary could be: 2,000 to 5,000,000 US-dollar-sized units."""
    size = UNIT_SIZE.get(pay.currency or "", 1)
    figures = [f for f in (pay.annual_low, pay.annual_high) if f is not None]
    return bool(figures) and all(2_000 * size <= f <= 5_000_000 * size for f in figures)
