"""Stated pay in job postings: pay tags, structured salary fields and pay sentences, parsed and annualised.

Pure functions, no I/O. Errors::

    PayError(ValueError)  # structured pay of the wrong type or value, an unknown period

How a pay tag is read (`parse_pay_text`):

- The first money figure, joined to the next by "-", "~", "to" ("between ... and ...") is a range.
  A multiplier on the high applies to a bare low: "120-150k" is 120,000-150,000. A "k" on a figure
  already in thousands is a typo and ignored ("$94,000k"). Millions, billions and trillions are never pay.
- "$X+", "from $X", "at least $X" leave `high` None; "up to $X" leaves `low` None; otherwise a single
  figure gives low == high. A "+" on the high of a range is dropped ("$185k - $265k+").
- Currency: an ISO code on a figure ("CAD $153,000", "$2,800 USD") beats a specific symbol
  ("A$", "C$", "€", "£", "₹"), which beats a code elsewhere in the tag, which beats a bare "$" (USD).
  A tag with no marker at all gets `default_currency` (None unless the caller knows the feed).
- Period: words attached to a figure ("/yr", "per hour", "hourly", "p.a.") or found in the tag. With none,
  the largest figure decides, in US-dollar terms (scaled by a rough size of the currency unit, so
  ₹50,000 reads as a month and ₹2,000,000 as a year): under 300 an hour, under 1,000 a day,
  under 20,000 a month, else a year. Weeks are never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "PERIODS",
    "PERIOD_FACTORS",
    "PayError",
    "StatedPay",
    "annualise",
    "compare_to_band",
    "find_pay_in_text",
    "parse_pay_text",
    "parse_structured_pay",
]

PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
# Full-time units in a year: 40 h x 52 weeks, 5 days x 52 weeks.
PERIOD_FACTORS: dict[str, int] = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}

# Magnitude rule for untagged figures, in US-dollar-sized units (see the module docstring).
HOURLY_BELOW = 300
DAILY_BELOW = 1_000
MONTHLY_BELOW = 20_000

# Rough units per US dollar, for the magnitude rule only (never to convert): an order of magnitude is enough.
_UNIT_SIZE: dict[str, float] = {
    "INR": 80, "PKR": 280, "LKR": 300, "BDT": 110, "JPY": 150, "KRW": 1300, "CNY": 7, "HKD": 8, "TWD": 30,
    "PHP": 55, "IDR": 15_000, "VND": 24_000, "THB": 35, "MYR": 4.5, "SEK": 10, "NOK": 10, "DKK": 7,
    "PLN": 4, "CZK": 23, "HUF": 360, "RON": 4.5, "TRY": 30, "ZAR": 18, "NGN": 1_000, "KES": 130, "EGP": 48,
    "BRL": 5, "MXN": 17, "ARS": 900, "CLP": 900, "COP": 4_000, "UAH": 40, "ILS": 3.7, "AED": 3.7,
}  # fmt: skip

_CODES = frozenset(
    ("USD", "CAD", "EUR", "GBP", "INR", "AUD", "NZD", "SGD", "HKD", "CHF", "JPY", "CNY", "SEK", "NOK", "DKK",
     "PLN", "CZK", "HUF", "RON", "TRY", "ILS", "AED", "SAR", "ZAR", "NGN", "KES", "EGP", "BRL", "MXN", "ARS",
     "CLP", "COP", "PEN", "PHP", "IDR", "MYR", "THB", "VND", "KRW", "TWD", "PKR", "BDT", "LKR", "UAH")
)  # fmt: skip
_SYMBOLS: dict[str, str] = {
    "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "S$": "SGD",
    "SG$": "SGD", "HK$": "HKD", "R$": "BRL", "MX$": "MXN", "€": "EUR", "£": "GBP", "₹": "INR", "RS": "INR",
    "RS.": "INR", "¥": "JPY", "₩": "KRW", "₱": "PHP", "₦": "NGN", "ZŁ": "PLN", "EURO": "EUR", "EUROS": "EUR",
    "POUNDS": "GBP", "RUPEES": "INR",
}  # fmt: skip
_MULTIPLIERS: dict[str, int] = {"k": 1_000, "thousand": 1_000, "l": 100_000, "lpa": 100_000, "lakh": 100_000,
                                "lakhs": 100_000, "lac": 100_000, "lacs": 100_000, "cr": 10**7,
                                "crore": 10**7, "crores": 10**7}  # fmt: skip
_CODE_ALT = "|".join(sorted(_CODES))
# Codes that are also words or acronyms ("PHP developer", "SAR") count only when written on a figure.
_LONE_CODE_ALT = "|".join(sorted(_CODES - {"PHP", "SAR", "COP", "PEN", "TRY", "ARS", "ILS"}))


class PayError(ValueError):
    """Pay data that cannot be read; the message names the posting (when known) and the field."""


@dataclass(frozen=True)
class StatedPay:
    """Pay as a posting states it: figures as written (not annualised), plus derived yearly figures."""

    low: float | None  # None for "up to $X"
    high: float | None  # None for "$X+" and "from $X"
    currency: str | None  # ISO 4217 code
    period: str | None  # one of PERIODS, as written or inferred
    text: str  # the words it came from

    def __post_init__(self) -> None:
        if self.period is not None and self.period not in PERIOD_FACTORS:
            raise PayError(f"period: expected one of {', '.join(PERIODS)}, got {self.period!r}")
        for name, value in (("low", self.low), ("high", self.high)):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise PayError(f"{name}: expected a non-negative number, got {value!r}")

    @property
    def annual_low(self) -> float | None:
        return None if self.low is None or self.period is None else annualise(self.low, self.period)

    @property
    def annual_high(self) -> float | None:
        return None if self.high is None or self.period is None else annualise(self.high, self.period)

    def to_dict(self) -> dict[str, object]:
        return {
            "low": self.low,
            "high": self.high,
            "period": self.period,
            "currency": self.currency,
            "annual_low": self.annual_low,
            "annual_high": self.annual_high,
            "text": self.text,
        }


def annualise(amount: float, period: str) -> float:
    """Amount per year for an amount per `period` (full-time: 2080 hours, 260 days, 52 weeks, 12 months)."""
    try:
        factor = PERIOD_FACTORS[period]
    except KeyError:
        raise PayError(f"period: expected one of {', '.join(PERIODS)}, got {period!r}") from None
    return round(amount * factor, 2)


def compare_to_band(
    pay: StatedPay, band_low: float | None, band_high: float | None, *, band_currency: str = "USD"
) -> str | None:
    """Say "below", "within" or "above" for the pay's annual midpoint against [band_low, band_high].

    None when there is no band, the pay is not in `band_currency`, or the pay has no yearly figure.
    A missing `band_high` means no upper limit (and a missing `band_low` no lower one).
    """
    if band_low is None and band_high is None:
        return None
    if pay.currency != band_currency:
        return None
    figures = [f for f in (pay.annual_low, pay.annual_high) if f is not None]
    if not figures:
        return None
    midpoint = sum(figures) / len(figures)
    if band_low is not None and midpoint < band_low:
        return "below"
    if band_high is not None and midpoint > band_high:
        return "above"
    return "within"


# --- scanning money figures ---------------------------------------------------------------------------

_NUMBER_RE = re.compile(
    r"""(?<![\d.,'])
    (?: \d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?                          # Indian grouping: 12,50,000
      | \d{1,3}(?P<sep>[,.' ])\d{3}(?:(?P=sep)\d{3})*(?:[.,]\d{1,2})?   # 164,200  60.000  120'000
      | \d+(?:[.,]\d{1,2})? )                                           # 150000  11.50
    (?!\d)""",
    re.X,
)
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
class _Figure:
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


_SAME_LENGTH = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
                               **dict.fromkeys("\u00a0\u2007\u2009\u202f", " ")})  # fmt: skip


def _normalise(text: str) -> str:
    """Same-length rewrite (offsets stay valid): dashes to "-", odd spaces to " ", Markdown escapes and
    benefit plans blanked."""
    text = text.translate(_SAME_LENGTH)
    text = re.sub(r"\\(?=[-$~*_.+])", " ", text)
    return _PLAN_RE.sub(lambda m: " " * len(m.group()), text)


def _to_decimal(raw: str) -> Decimal:
    decimals = re.search(r"[.,](\d{1,2})$", raw)
    whole = raw[: decimals.start()] if decimals else raw
    digits = re.sub(r"\D", "", whole)
    return Decimal(f"{digits}.{decimals.group(1)}" if decimals else digits)


def _scan(text: str) -> list[_Figure]:
    """Every number in `text` that could be money (percentages excluded), in order."""
    figures = []
    for number in _NUMBER_RE.finditer(text):
        pos = number.end()
        if _PERCENT_RE.match(text, pos):
            continue
        prefix = _PREFIX_RE.search(text, max(0, number.start() - 12), number.start())
        code = sym = None
        start = number.start()
        if prefix and (prefix.group("code") or prefix.group("sym")):
            code, sym, start = prefix.group("code"), prefix.group("sym"), prefix.start()
        elif number.start() and (text[number.start() - 1].isalnum() or text[number.start() - 1] == "_"):
            continue  # part of a word or id: "H1B", "IC7"
        symbol = (sym or "").replace(" ", "").upper()
        dollar = symbol == "$"
        if symbol and not dollar:
            code = code or _SYMBOLS[symbol]
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
                code = m.group("code") or (_SYMBOLS[m.group("sym").upper()] if m.group("sym") else None)
                pos = m.end()
            elif period is None and (m := _ATTACHED_PERIOD_RE.match(text, pos)):
                period, pos = (m.lastgroup or "").rstrip("_"), m.end()
            else:
                break
        figures.append(
            _Figure(start, pos, mantissa, multiplier, bool(number.group("sep")) or "," in number.group(),
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


def _pairs(text: str, figures: list[_Figure]) -> Iterator[tuple[_Figure, _Figure | None]]:
    """Figures in order, each joined to the next when the text between them makes a range."""
    i = 0
    while i < len(figures):
        first = figures[i]
        second = figures[i + 1] if i + 1 < len(figures) else None
        if first.big or (second is not None and (second.big or not _joined(text, first, second))):
            second = None
        yield first, second
        i += 2 if second is not None else 1


def _joined(text: str, first: _Figure, second: _Figure) -> bool:
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


def _currency(figures: tuple[_Figure, ...], context: str, default: str | None) -> str | None:
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


def _infer_period(amount: float, currency: str | None) -> str:
    size = amount / _UNIT_SIZE.get(currency or "", 1)
    if size < HOURLY_BELOW:
        return "hour"
    if size < DAILY_BELOW:
        return "day"
    return "month" if size < MONTHLY_BELOW else "year"


def _range_values(first: _Figure, second: _Figure | None) -> tuple[Decimal, Decimal | None]:
    if second is None:
        return first.value, None
    low = first.value
    if first.multiplier == 1 and not first.grouped and first.mantissa < second.mantissa:
        low = first.mantissa * second.multiplier  # "120-150k"
    return low, second.value


def _build(
    text: str,
    first: _Figure,
    second: _Figure | None,
    *,
    currency: str | None,
    period: str | None,
    source: str,
) -> StatedPay:
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
        period = _infer_period(max(f for f in (low, high) if f is not None), currency)
    return StatedPay(low=low, high=high, currency=currency, period=period, text=source)


def _is_yearish(figure: _Figure) -> bool:
    return not figure.grouped and figure.multiplier == 1 and 1900 <= figure.mantissa <= 2100


def parse_pay_text(text: str, *, default_currency: str | None = None) -> StatedPay | None:
    """Read a job board's pay tag ("USD $164,200~$229,900", "$60/hr", "120k-150k", "£45,000 per annum").

    Returns None when the tag holds no amount ("Competitive compensation", "$"). `default_currency` is used
    only when the tag names no currency at all.
    """
    norm = _normalise(text)
    any_code = _currency_in(norm) is not None
    for first, second in _pairs(norm, _scan(norm)):
        if first.big:
            continue
        both = (first,) if second is None else (first, second)
        marked = any_code or any(f.marked for f in both)
        # A bare number is pay only when it looks like it: "150000-180000", "25-30/hr", "120k"; not "2024".
        bare = not marked and not any(f.multiplier > 1 or f.period for f in both)
        if bare and (any(_is_yearish(f) for f in both) or max(f.value for f in both) < 1_000):
            continue
        attached = next((f.period for f in both if f.period), None)
        period = attached or _period_in(norm[first.start :]) or _period_in(norm)
        currency = _currency(both, norm, default_currency)
        return _build(norm, first, second, currency=currency, period=period, source=text.strip())
    return None


def _period_in(text: str) -> str | None:
    match = _PERIOD_RE.search(text)
    return match.lastgroup if match else None


# --- pay inside a description ----------------------------------------------------------------------------

_PAY_WORDS_RE = re.compile(
    r"\b(?:salary|salaries|pay|compensation|cash|wages?|remuneration|rates?|earn(?:ings)?|OTE|base)\b", re.I
)
# What a money figure is for when it is not pay: perks, company money, other parts of a package.
_NOT_PAY_RE = re.compile(
    r"\b(?:stipends?|allowances?|budgets?|reimburs\w*|credits?|bonus(?:es)?|donat\w*|fund(?:s|ed|ing)?|raised?"
    r"|revenues?|ARR|valu(?:ation|ed)|assets|series\s+[a-f]|capital|invest\w*|grants?|GMV|worth|market\s+cap\w*|"
    r"transactions?|referrals?|relocation|sign(?:ing|-on)|commissions?|fees?|airdrops?|prizes?|awards?|gifts?|"
    r"insurance|benefit|coverage|cost|price|tuition|wellness|equipment|home\s+office|"
    r"cap|match(?:ing)?|spend(?:ing)?|savings?|deductibles?)\b",
    re.I,
)
_CONTEXT_BEFORE_MARKER = 400
_CONTEXT_AFTER_MARKER = 300
# Currency markers, found in three cheap passes rather than one regex: an alternation of symbols, codes and
# case-insensitive words is tried at every character of a description and cost more than the rest of
# matching. Symbols are rare characters; codes are upper case (a literal trie the regex engine scans fast);
# words are looked for only in descriptions that hold one of them.
_SYMBOL_MARKERS = ("$", "€", "£", "₹", "¥", "₩", "₱", "₦", "zł")
_CODE_MARKER_RE = re.compile("|".join(sorted((*_CODES, "Rs"), key=len, reverse=True)))
_WORD_MARKERS = ("euro", "pounds", "rupees", "dollar")
_WORD_MARKER_RE = re.compile(r"\b(?:euros?|pounds|rupees|dollars?)\b", re.I)
_CLAUSE_BREAK_RE = re.compile(r"[.!?](?=\s)|[\n*•(;]")
_SENTENCE_BREAK_RE = re.compile(r"[.!?](?=\s|$)|\n")
_SEGMENT_END_RE = re.compile(r"[.!?](?=\s|$)|[\n*•(;,+]|\bplus\b", re.I)


def _tail(window: str, breaks: re.Pattern[str]) -> str:
    """The part of `window` after its last break."""
    ends = [m.end() for m in breaks.finditer(window)]
    return window[ends[-1] :] if ends else window


def _head(window: str, breaks: re.Pattern[str]) -> str:
    """The part of `window` before its first break."""
    first = breaks.search(window)
    return window[: first.start()] if first else window


def find_pay_in_text(text: str) -> StatedPay | None:
    """The pay a description states, conservatively: the first money range (or figure) in pay context.

    A figure needs a currency marker, pay words near it ("base salary range", "Pay:", "compensation"),
    and nothing saying it is something else (a stipend, funding, revenue, a bonus, "$10M", "401(k)").
    A lone figure also needs a stated period or a yearly size. Returns None when nothing qualifies.
    """
    for start, stop in _marker_windows(text):
        pay = _first_pay(text, start, _normalise(text[start:stop]))
        if pay is not None:
            return pay
    return None


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
            found.append((at, at + len(symbol)))
            at = text.find(symbol, at + 1)
    for m in _CODE_MARKER_RE.finditer(text):
        start, end = m.span()
        if not (start and text[start - 1].isascii() and text[start - 1].isalpha()) and not (
            end < len(text) and text[end].isascii() and text[end].isalpha()
        ):
            found.append((start, end))
    lowered = text.lower()  # only a test: lower() can change the length of non-ASCII text, so not the offsets
    if any(word in lowered for word in _WORD_MARKERS):
        found += [m.span() for m in _WORD_MARKER_RE.finditer(text)]
    return sorted(found)


def _first_pay(text: str, base: int, norm: str) -> StatedPay | None:
    """The first qualifying pay in `norm`, the normalised copy of `text[base:...]`."""
    for first, second in _pairs(norm, _scan(norm)):
        both = (first,) if second is None else (first, second)
        if first.big or not any(f.marked for f in both):
            continue
        end = both[-1].end
        clause = _tail(norm[max(0, first.start - 60) : first.start], _CLAUSE_BREAK_RE)
        after = _head(norm[end : end + 50], _SEGMENT_END_RE)
        if _NOT_PAY_RE.search(clause) or _NOT_PAY_RE.search(after):
            continue
        nearby = _tail(norm[max(0, first.start - 80) : first.start], _SENTENCE_BREAK_RE)
        later = _head(norm[end : end + 40], _SENTENCE_BREAK_RE)
        period = next((f.period for f in both if f.period), None) or _period_in(later) or _period_in(nearby)
        reach = 250 if second is not None else 80
        in_context = bool(_PAY_WORDS_RE.search(norm[max(0, first.start - reach) : first.start])) or bool(
            _PAY_WORDS_RE.search(after)
        )
        if second is not None:
            in_context = in_context or any(f.period for f in both)
        if not in_context:
            continue
        currency = _currency(both, after, None)
        lead = _tail(norm[max(0, first.start - 120) : first.start], _SENTENCE_BREAK_RE).lstrip()
        # `norm` keeps offsets into its stretch of `text`, so quote the original words
        source = text[base + first.start - len(lead) : base + end]
        pay = _build(norm, first, second, currency=currency, period=period, source=source)
        if second is None and period is None and pay.period != "year":
            continue  # "$500" with no period is more likely a perk than a month's pay
        if _plausible(pay):
            return pay
    return None


def _plausible(pay: StatedPay) -> bool:
    """Yearly figures a salary could be: 2,000 to 5,000,000 US-dollar-sized units."""
    size = _UNIT_SIZE.get(pay.currency or "", 1)
    figures = [f for f in (pay.annual_low, pay.annual_high) if f is not None]
    return bool(figures) and all(2_000 * size <= f <= 5_000_000 * size for f in figures)


# --- structured salary fields ----------------------------------------------------------------------------

_MIN_KEYS = ("min", "minValue", "min_value", "minimum", "low")
_MAX_KEYS = ("max", "maxValue", "max_value", "maximum", "high")
_CURRENCY_KEYS = ("currency", "currencyCode", "currency_code")
_PERIOD_KEYS = ("period", "unit", "unitText", "unit_text", "interval")
_PERIOD_NAMES: dict[str, str] = {
    "hour": "hour", "hourly": "hour", "hr": "hour", "h": "hour",
    "day": "day", "daily": "day", "d": "day",
    "week": "week", "weekly": "week", "wk": "week", "w": "week",
    "month": "month", "monthly": "month", "mo": "month", "mth": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "annum": "year", "yr": "year",
}  # fmt: skip


def parse_structured_pay(salary: Mapping[str, object], *, posting_id: str) -> StatedPay:
    """Pay from a feed's salary object: {"min": 120000, "max": 150000, "currency": "USD", "period": "year"}.

    Accepts the aliases minValue/maxValue, unit/unitText/interval ("YEAR", "per-year-salary") and a
    schema.org `value` (a number, or a mapping holding minValue/maxValue/unitText). Numbers may be int,
    float or numeric strings. With no period, the magnitude rule of `parse_pay_text` applies.
    Raises PayError, naming the posting and the field, for a wrong type, a negative or non-finite number,
    an unknown period or currency, min above max, or no amount at all.
    """
    if not isinstance(salary, Mapping):
        raise PayError(f"posting {posting_id}: salary: expected a mapping, got {type(salary).__name__}")
    fields = dict(salary)
    nested = fields.get("value")
    if isinstance(nested, Mapping):
        fields = {**{k: v for k, v in fields.items() if k != "value"}, **nested}
    single = None if isinstance(nested, Mapping) else _number(fields, ("value",), posting_id)
    low = _number(fields, _MIN_KEYS, posting_id)
    high = _number(fields, _MAX_KEYS, posting_id)
    if low is None and high is None:
        low = high = single
    if low is None and high is None:
        raise PayError(f"posting {posting_id}: salary: no amount (min, max or value)")
    if low is not None and high is not None and low > high:
        raise PayError(f"posting {posting_id}: salary.max: {high:g} is below the minimum {low:g}")
    currency = _structured_currency(fields, posting_id)
    period = _structured_period(fields, posting_id)
    if period is None:
        period = _infer_period(max(f for f in (low, high) if f is not None), currency)
    text = ", ".join(f"{key}={value}" for key, value in salary.items())
    return StatedPay(low=low, high=high, currency=currency, period=period, text=text)


def _field(fields: Mapping[str, object], keys: tuple[str, ...]) -> tuple[str, object]:
    for key in keys:
        if fields.get(key) is not None:
            return key, fields[key]
    return keys[0], None


def _number(fields: Mapping[str, object], keys: tuple[str, ...], posting_id: str) -> float | None:
    key, value = _field(fields, keys)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(re.sub(r"[\s,_]", "", value))
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise PayError(f"posting {posting_id}: salary.{key}: expected a non-negative number, got {value!r}")
    return number


def _structured_currency(fields: Mapping[str, object], posting_id: str) -> str | None:
    key, value = _field(fields, _CURRENCY_KEYS)
    if value is None:
        return None
    code = value.strip().upper() if isinstance(value, str) else None
    code = {"$": "USD", **_SYMBOLS}.get(code or "", code)
    if code is None or not re.fullmatch(r"[A-Z]{3}", code):
        raise PayError(f"posting {posting_id}: salary.{key}: expected an ISO 4217 code, got {value!r}")
    return code


def _structured_period(fields: Mapping[str, object], posting_id: str) -> str | None:
    key, value = _field(fields, _PERIOD_KEYS)
    if value is None:
        return None
    name = re.sub(r"[^a-z]", "", value.lower()) if isinstance(value, str) else ""
    name = name.removeprefix("per").removesuffix("salary").removesuffix("wage").removesuffix("rate")
    if name not in _PERIOD_NAMES:
        raise PayError(f"posting {posting_id}: salary.{key}: expected one of {', '.join(PERIODS)}, got {value!r}")
    return _PERIOD_NAMES[name]
