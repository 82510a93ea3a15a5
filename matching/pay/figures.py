"""Money figures in text: scanned with what is attached to them, joined into ranges, built into pay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .stated import CODES, SYMBOLS, StatedPay, infer_period

__all__ = ["Figure", "build_pay", "choose_currency", "normalise", "pairs", "parse_pay_text", "period_in", "scan"]

# --- scanning money figures ---------------------------------------------------------------------------

_MULTIPLIERS: dict[str, int] = {"k": 1_000, "thousand": 1_000, "l": 100_000, "lpa": 100_000, "lakh": 100_000,
                                "lakhs": 100_000, "lac": 100_000, "lacs": 100_000, "cr": 10**7,
                                "crore": 10**7, "crores": 10**7}  # fmt: skip
_CODE_ALT = "|".join(sorted(CODES))
# Codes that are also words or acronyms ("PHP developer", "SAR") count only when written on a figure.
_LONE_CODE_ALT = "|".join(sorted(CODES - {"PHP", "SAR", "COP", "PEN", "TRY", "ARS", "ILS"}))

# Written to start with a digit, with no look-behind, so the engine skips to digits instead of trying every
# character (5x faster); `_numbers` drops matches that continue a number: "5" in "1.5".
_NUMBER_RE = re.compile(
    r"""\d(?: \d?(?:,\d{2})+,\d{3}(?:\.\d{1,2})?                          # Indian grouping: 12,50,000
         | \d{0,2}(?P<sep>[,.' ])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d{1,2})?   # 164,200  60.000  120'000
         | \d*(?:[.,]\d{1,2})? )                                         # 150000  11.50
    (?!\d)""",
    re.X,
)
# The last character of any currency prefix: a code, a symbol, "Rs" or "Rs.". A figure with none of these
# before it (the usual case) skips the prefix search.
_PREFIX_ENDS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ$€£₹¥₩₱₦s.")
_PREFIX_RE = re.compile(
    rf"(?:(?<![A-Za-z])(?P<code>{_CODE_ALT})\s*)?"
    r"(?P<sym>(?:(?<![A-Za-z])(?:US\s?|AU|A|CA|C|NZ|SG|S|HK|R|MX))?\$|[€£₹¥₩₱₦]|(?<![A-Za-z])Rs\.?)?\s*\Z"
)
_MULT_RE = re.compile(
    r"\s?(?P<word>thousand|lakhs?|lacs?|crores?|LPA|(?P<bigword>million|mn|billion|bn|trillion))\b"
    r"|(?P<abbr>[kK]|L|Cr|(?P<big>MM|mm|[mMbBtT]))(?![A-Za-z])"
)
_SUFFIX_CURRENCY_RE = re.compile(
    rf"\s?(?:(?P<code>{_CODE_ALT})\b|(?P<sym>[€£₹]|zł|(?i:euros?|pounds|rupees)\b)|(?P<dollar>(?i:dollars?)\b))"
)
_PERCENT_RE = re.compile(r"\s?%")
_PLUS_RE = re.compile(r"\+")  # only right after the figure: "$265,000+", not "$250,000 + bonus"
_PERIOD_ALTS = {
    "hour": r"/\s*(?:hours?|hrs?|h)\b|\bper\s+(?:hour|hr)\b|\ban\s+hour\b|\bhourly\b|\bp/h\b",
    "day": r"/\s*(?:day|d)\b|\bp/d\b|\bper\s+day\b|\ba\s+day\b|\bdaily\b|\bday\s+rate\b",
    "week": r"/\s*(?:week|wk|w)\b|\bp/w\b|\bper\s+week\b|\ba\s+week\b|\bweekly\b",
    "month": r"/\s*(?:month|mon|mos?|mth|m)\b|\bp/m\b|\bper\s+month\b|\ba\s+month\b|\bmonthly\b|\bpcm\b",
    "year": r"/\s*(?:year|yr|yrs|y|annum|a)\b|\bp/[ya]\b|\bper\s+(?:year|yr|annum)\b|\ba\s+year\b|\byearly\b"
    r"|\bannual(?:ly|i[sz]ed)?\b|\bp\.a\.|\bLPA\b",
}
_PERIOD_RE = re.compile("|".join(f"(?P<{p}>{alts})" for p, alts in _PERIOD_ALTS.items()), re.I)
# Attached to a figure, two more short forms are safe: "$52hr", "£45,000 pa".
_ATTACHED_PERIOD_RE = re.compile(
    r"\s*(?:" + _PERIOD_RE.pattern + r"|(?P<hour_>hrs?\b)|(?P<year_>p\.?a\.?(?![A-Za-z])))", re.I
)
# Benefit plans, not money: blanked out so "401k" never reads as 401,000.
_PLAN_RE = re.compile(r"(?<![$€£])\b(?:401|403|457)\s?\(?[kKbB]\)?")


@dataclass(frozen=True)
class Figure:
    """One money figure in the text, with what is attached to it."""

    start: int  # including a currency prefix
    end: int  # including multiplier, currency suffix, "+" and period
    mantissa: Decimal  # the number as written
    multiplier: int  # 1 when written in full
    grouped: bool  # written with thousands separators
    code: str | None  # currency named on the figure itself (code or specific symbol)
    dollar: bool  # a bare "$" or "dollars"
    plus: bool
    period: str | None
    big: bool  # millions and up: never pay

    @property
    def value(self) -> Decimal:
        return self.mantissa * self.multiplier

    @property
    def marked(self) -> bool:
        return self.code is not None or self.dollar


_SAME_LENGTH = (*((dash, "-") for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
                *((space, " ") for space in "\u00a0\u2007\u2009\u202f"))  # fmt: skip


def normalise(text: str) -> str:
    """Same-length rewrite (offsets stay valid): dashes to "-", odd spaces to " ", Markdown escapes and
    benefit plans blanked."""
    # A test and a replace per character, not str.translate: translate looks up every character of a
    # non-ASCII text in a dict, 100x slower here, and most of these characters are absent.
    if not text.isascii():
        for odd, plain in _SAME_LENGTH:
            if odd in text:
                text = text.replace(odd, plain)
    if "\\" in text:
        text = re.sub(r"\\(?=[-$~*_.+])", " ", text)
    if "401" in text or "403" in text or "457" in text:
        text = _PLAN_RE.sub(lambda m: " " * len(m.group()), text)
    return text


def _to_decimal(raw: str) -> Decimal:
    decimals = re.search(r"[.,](\d{1,2})$", raw)
    whole = raw[: decimals.start()] if decimals else raw
    digits = re.sub(r"\D", "", whole)
    return Decimal(f"{digits}.{decimals.group(1)}" if decimals else digits)


def _numbers(text: str) -> Iterator[re.Match[str]]:
    """`_NUMBER_RE` matches that do not continue a number: none right after a digit, or after a ".", "," or
    "'" that follows a digit ("5" in "1.5"; but "Rs.12,00,000" is a number after an abbreviation)."""
    pos = 0
    while (number := _NUMBER_RE.search(text, pos)) is not None:
        start = number.start()
        before = text[max(0, start - 2) : start]
        if before[-1:].isdecimal() or (before[-1:] in (".", ",", "'") and before[:1].isdecimal()):
            pos = start + 1  # try again from the next character, as a look-behind would
            continue
        yield number
        pos = number.end()


def scan(text: str) -> list[Figure]:
    """Every number in `text` that could be money (percentages excluded), in order."""
    figures = []
    for number in _numbers(text):
        pos = number.end()
        if _PERCENT_RE.match(text, pos):
            continue
        start = number.start()
        prefix = None
        if text[max(0, start - 12) : start].rstrip()[-1:] in _PREFIX_ENDS:
            prefix = _PREFIX_RE.search(text, max(0, start - 12), start)
        code = sym = None
        if prefix and (prefix.group("code") or prefix.group("sym")):
            code, sym, start = prefix.group("code"), prefix.group("sym"), prefix.start()
        elif number.start() and (text[number.start() - 1].isalnum() or text[number.start() - 1] == "_"):
            continue  # part of a word or id: "H1B", "IC7"
        symbol = (sym or "").replace(" ", "").upper()
        dollar = symbol == "$"
        if symbol and not dollar:
            code = code or SYMBOLS[symbol]
        multiplier, big = 1, False
        if mult := _MULT_RE.match(text, pos):
            big = bool(mult.group("bigword") or mult.group("big"))
            word = (mult.group("word") or mult.group("abbr")).lower()
            multiplier = _MULTIPLIERS.get(word, 1)
            pos = mult.end()
        mantissa = _to_decimal(number.group())
        if multiplier == 1_000 and mantissa >= 1_000:
            multiplier = 1  # "$94,000k": already in thousands
        plus, period = False, "year" if (mult and (mult.group("word") or "") == "LPA") else None
        for _ in range(3):  # "+", a currency and a period, in any order: "$265,000+ USD per year"
            if not plus and (m := _PLUS_RE.match(text, pos)):
                plus, pos = True, m.end()
            elif code is None and (m := _SUFFIX_CURRENCY_RE.match(text, pos)):  # "$2,800 USD"
                dollar = dollar or bool(m.group("dollar"))
                code = m.group("code") or (SYMBOLS[m.group("sym").upper()] if m.group("sym") else None)
                pos = m.end()
            elif period is None and (m := _ATTACHED_PERIOD_RE.match(text, pos)):
                period, pos = (m.lastgroup or "").rstrip("_"), m.end()
            else:
                break
        figures.append(
            Figure(start, pos, mantissa, multiplier, bool(number.group("sep")) or "," in number.group(),
                   code, dollar, plus, period, big)
        )  # fmt: skip
    return figures


# --- from figures to pay -------------------------------------------------------------------------------

_RANGE_GAP_RE = re.compile(r"\s*(?:-{1,2}|~|to|until|through|and)\s*", re.I)
# "ranges from $115,000/year in our lowest market up to $223,600/year"
_LOOSE_GAP_RE = re.compile(r"[^$€£₹\d.;:!?\n]{0,60}?\b(?:up\s+)?to\s*", re.I)
_UP_TO_RE = re.compile(r"\b(?:up\s?to|max(?:imum)?|not\s+to\s+exceed|no\s+more\s+than|as\s+much\s+as)\W*\Z", re.I)
_FROM_RE = re.compile(
    r"\b(?:from|starting\s+(?:at|from)|starts?\s+at|min(?:imum)?|at\s+least|over|more\s+than|in\s+excess\s+of)\W*\Z",
    re.I,
)
_OPEN_AFTER_RE = re.compile(r"\s*(?:or\s+more|and\s+(?:up|above)|or\s+higher)\b", re.I)


def pairs(text: str, figures: list[Figure]) -> Iterator[tuple[Figure, Figure | None]]:
    """Figures in order, each joined to the next when the text between them makes a range."""
    i = 0
    while i < len(figures):
        first = figures[i]
        second = figures[i + 1] if i + 1 < len(figures) else None
        if first.big or (second is not None and (second.big or not _joined(text, first, second))):
            second = None
        yield first, second
        i += 2 if second is not None else 1


def _joined(text: str, first: Figure, second: Figure) -> bool:
    if first.code and second.code and first.code != second.code:
        return False  # "$137,871 - $152,000 USD / $172,339 CAD": two ranges, not one
    gap = text[first.end : second.start]
    before = text[max(0, first.start - 40) : first.start]
    if m := _RANGE_GAP_RE.fullmatch(gap):
        return "and" not in m.group().lower() or bool(re.search(r"\bbetween\W*\Z", before, re.I))
    return bool(_LOOSE_GAP_RE.fullmatch(gap)) and bool(re.search(r"\bfrom\W*\Z", before, re.I))


def _currency_in(text: str) -> str | None:
    match = re.search(rf"(?<![A-Za-z])({_LONE_CODE_ALT})(?![A-Za-z])", text)
    return match.group(1) if match else None


def choose_currency(figures: tuple[Figure, ...], context: str, default: str | None) -> str | None:
    """The currency of a figure or range: on a figure, then a code in `context`, "$", lakhs, `default`."""
    for figure in figures:
        if figure.code:
            return figure.code
    if named := _currency_in(context):
        return named
    if any(f.dollar for f in figures):
        return "USD"
    if any(f.multiplier >= 100_000 for f in figures):
        return "INR"  # lakhs and crores
    return default


def _range_values(first: Figure, second: Figure | None) -> tuple[Decimal, Decimal | None]:
    if second is None:
        return first.value, None
    low = first.value
    if first.multiplier == 1 and not first.grouped and first.mantissa < second.mantissa:
        low = first.mantissa * second.multiplier  # "120-150k"
    return low, second.value


def build_pay(
    text: str,
    first: Figure,
    second: Figure | None,
    *,
    currency: str | None,
    period: str | None,
    source: str,
) -> StatedPay:
    """The pay a figure or range states, open-ended where the words say so ("up to", "from", "+")."""
    low_d, high_d = _range_values(first, second)
    low: float | None = float(low_d)
    high: float | None = float(high_d) if high_d is not None else low
    if second is None:
        before = text[max(0, first.start - 30) : first.start]
        if _UP_TO_RE.search(before):
            low = None
        elif first.plus or _FROM_RE.search(before) or _OPEN_AFTER_RE.match(text, first.end):
            high = None
    elif low is not None and high is not None and low > high:
        low, high = high, low
    if period is None:
        period = infer_period(max(f for f in (low, high) if f is not None), currency)
    return StatedPay(low=low, high=high, currency=currency, period=period, text=source)


def _is_yearish(figure: Figure) -> bool:
    return not figure.grouped and figure.multiplier == 1 and 1900 <= figure.mantissa <= 2100


def parse_pay_text(text: str, *, default_currency: str | None = None) -> StatedPay | None:
    """Read a job board's pay tag ("USD $164,200~$229,900", "$60/hr", "120k-150k", "£45,000 per annum").

    Returns None when the tag holds no amount ("Competitive compensation", "$"). `default_currency` is used
    only when the tag names no currency at all.
    """
    norm = normalise(text)
    any_code = _currency_in(norm) is not None
    for first, second in pairs(norm, scan(norm)):
        if first.big:
            continue
        both = (first,) if second is None else (first, second)
        marked = any_code or any(f.marked for f in both)
        # A bare number is pay only when it looks like it: "150000-180000", "25-30/hr", "120k"; not "2024".
        bare = not marked and not any(f.multiplier > 1 or f.period for f in both)
        if bare and (any(_is_yearish(f) for f in both) or max(f.value for f in both) < 1_000):
            continue
        attached = next((f.period for f in both if f.period), None)
        period = attached or period_in(norm[first.start :]) or period_in(norm)
        currency = choose_currency(both, norm, default_currency)
        return build_pay(norm, first, second, currency=currency, period=period, source=text.strip())
    return None


def period_in(text: str) -> str | None:
    """The first period `text` names anywhere ("per hour", "/yr", "annually"), or None."""
    match = _PERIOD_RE.search(text)
    return match.lastgroup if match else None
