"""Money figures in text, each scanned with what is attached to it: currency, multiplier, "+", period."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .stated import CODES, SYMBOLS

__all__ = ["PERIOD_WORDS", "Figure", "last_period_in", "normalise", "period_in", "scan"]

_MULTIPLIERS: dict[str, int] = {"k": 1_000, "thousand": 1_000, "l": 100_000, "lpa": 100_000, "lakh": 100_000,
                                "lakhs": 100_000, "lac": 100_000, "lacs": 100_000, "cr": 10**7,
                                "crore": 10**7, "crores": 10**7}  # fmt: skip
_CODE_ALT = "|".join(sorted(CODES))

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
    r"(?P<sym>(?:(?<![A-Za-z])(?:US\s?|AU|A|CA|C|NZ|SG|S|HK|R|MX))?\$|[€£₹¥₩₱₦]|(?<![A-Za-z])(?:Rs\.?|RM))?\s*\Z"
)
_MULT_RE = re.compile(
    r"\s?(?P<word>thousand|lakhs?|lacs?|crores?|LPA|(?P<bigword>million|mn|billion|bn|trillion))\b"
    r"|(?P<abbr>[kK]|L|Cr|(?P<big>MM|mm|[mMbBtT]))(?![A-Za-z])"
)
_SUFFIX_CURRENCY_RE = re.compile(
    rf"\s?(?:(?P<code>{_CODE_ALT})\b|(?P<sym>[€£₹]|zł|(?i:euros?|pounds|rupees)\b)|(?P<dollar>(?i:dollars?)\b)"
    r")"
)
_KRONE_RE = re.compile(r"\s?kr\.?(?![A-Za-z])")  # "982.000 kr.", "802 000 kr"
_PERCENT_RE = re.compile(r"\s?%")
_PLUS_RE = re.compile(r"\+")  # only right after the figure: "$265,000+", not "$250,000 + bonus"
# English and Dutch ("per maand", "uurloon"): the Netherlands is one of the markets postings come from.
_PERIOD_ALTS = {
    "hour": r"/\s*(?:hours?|hrs?|h|hourly|uur)\b|\bper\s+(?:hour|hr|uur)\b|\ban\s+hour\b|\bhourly\b|\bp/h\b"
    r"|\buurloon\b",
    "day": r"/\s*(?:day|d|daily|dag)\b|\bp/d\b|\bper\s+(?:day|dag)\b|\ba\s+day\b|\bdaily\b|\bday\s+rate\b",
    "week": r"/\s*(?:week|wk|w|weekly)\b|\bp/w\b|\bper\s+week\b|\ba\s+week\b|\bweekly\b",
    "month": r"/\s*(?:month|mon|mos?|mth|m|monthly|maand|mnd)\b|\bp/m\b|\bper\s+(?:month|maand|mnd)\b"
    r"|\ba\s+month\b|\bmonthly\b|\bpcm\b|\b(?:bruto)?maand(?:salaris|inkomen|loon)\b",
    "year": r"/\s*(?:year|yr|yrs|y|annum|a|yearly|annually|jaar)\b|\bp/[ya]\b|\bper\s+(?:year|yr|annum|jaar)\b"
    r"|\ba\s+year\b|\byearly\b|\bannual(?:ly|i[sz]ed)?\b|\bp\.a\.|\bLPA\b|\b(?:bruto)?jaar(?:salaris|inkomen)\b",
}
# Every period above starts with "/" or, at the start of a word, one of these letters. A look-ahead for them
# first lets the engine pass over every other character at once instead of trying each alternative there (5x
# faster). Keep it in step with the words.
_PERIOD_START = r"(?=/|\b[pahudwmybjl])"
_PERIOD_RE = re.compile(
    _PERIOD_START + "(?:" + "|".join(f"(?P<{p}>{alts})" for p, alts in _PERIOD_ALTS.items()) + ")", re.I
)
PERIOD_WORDS = _PERIOD_START + "(?:" + "|".join(f"(?:{alts})" for alts in _PERIOD_ALTS.values()) + ")"  # no groups
# Attached to a figure, two more short forms are safe: "$52hr", "£45,000 pa".
_ATTACHED_PERIOD_RE = re.compile(
    r"\s*(?:" + _PERIOD_RE.pattern + r"|(?P<hour_>hrs?\b)|(?P<year_>p\.?a\.?(?![A-Za-z])))", re.I
)
# Benefit plans, not money: blanked out so "401k" never reads as 401,000. Not after a currency symbol or a word
# character; written to start with the "4", the look-behind after it, so the engine skips to fours.
_PLAN_RE = re.compile(r"4(?<![$€£\w]4)(?:01|03|57)\s?\(?[kKbB]\)?")


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
    krone: bool  # "kr": Swedish, Norwegian or Danish, by the posting's place or a code nearby
    plus: bool
    period: str | None
    big: bool  # millions and up: never pay

    @property
    def value(self) -> Decimal:
        return self.mantissa * self.multiplier

    @property
    def marked(self) -> bool:
        return self.code is not None or self.dollar or self.krone


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
        # Markdown escapes, one or more backslashes ("$68,764\\.00 \\- $78,860\\.00"): the escaped character
        # moves onto the backslashes and spaces follow, so "68,764\\.00" reads as "68,764.00  ".
        text = _ESCAPED_DECIMALS_RE.sub(lambda m: f".{m.group(2)}{' ' * len(m.group(1))}", text)
        text = _ESCAPE_RE.sub(lambda m: m.group(2) + " " * len(m.group(1)), text)
    if "**" in text:
        text = _BOLD_RE.sub(lambda m: " " * len(m.group()), text)  # Markdown bold: no meaning for pay
    if ",-" in text or ".-" in text:
        text = _NO_CENTS_RE.sub("  ", text)  # Dutch "€ 3100,-": whole euros
    if "401" in text or "403" in text or "457" in text:
        text = _PLAN_RE.sub(lambda m: " " * len(m.group()), text)
    return text


_ESCAPED_DECIMALS_RE = re.compile(r"(?<=\d)(\\+)\.(\d{1,2})(?!\d)")
_ESCAPE_RE = re.compile(r"(\\+)([-$~*_.+#()\[\]!&|`>])")
_BOLD_RE = re.compile(r"\*{2,}")
_NO_CENTS_RE = re.compile(r"(?<=\d)[.,]-(?![\d-])")


_DECIMALS_RE = re.compile(r"[.,](\d{1,2})$")
_NOT_DIGIT_RE = re.compile(r"\D")


def _to_decimal(raw: str) -> Decimal:
    if raw.isdecimal():
        return Decimal(raw)  # "150000": no separators, no cents (most figures)
    decimals = _DECIMALS_RE.search(raw)
    whole = raw[: decimals.start()] if decimals else raw
    digits = _NOT_DIGIT_RE.sub("", whole)
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


def _may_carry_more(text: str, pos: int) -> bool:
    """Whether what follows `pos` may be a "+", currency or period on the figure before it: each starts, after any
    spaces, with a letter, "+", "/" or "€£₹". Most figures are followed by none ("$120,000 - ", "2024.") and skip
    the four matches for them."""
    after = text[pos : pos + 16].lstrip()  # empty after 16 spaces (or at the end): say maybe
    return not after or after[0].isalpha() or after[0] in "+/€£₹"


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
        krone = False
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
        for _ in range(4 if _may_carry_more(text, pos) else 0):
            # "+", a currency, "kr" and a period, in any order: "$265,000+ USD per year"
            if not plus and (m := _PLUS_RE.match(text, pos)):
                plus, pos = True, m.end()
            elif not krone and (m := _KRONE_RE.match(text, pos)):
                krone, pos = True, m.end()
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
                   code, dollar, krone, plus, period, big)
        )  # fmt: skip
    return figures


def period_in(text: str) -> str | None:
    """The first period `text` names anywhere ("per hour", "/yr", "annually"), or None."""
    match = _PERIOD_RE.search(text)
    return match.lastgroup if match else None


def last_period_in(text: str) -> str | None:
    """The last period `text` names ("a gross monthly salary between": month), or None."""
    periods = [m.lastgroup for m in _PERIOD_RE.finditer(text)]
    return periods[-1] if periods else None
