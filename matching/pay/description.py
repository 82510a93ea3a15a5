"""Pay stated in a posting's description: currency markers, the windows around them, pay context."""

from __future__ import annotations

import re

from .figures import build_pay, choose_currency, normalise, pairs, period_in, scan
from .stated import CODES, UNIT_SIZE, StatedPay

__all__ = ["find_pay_in_text"]

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
# matching. Symbols are rare characters (str.find); codes and words are searched for only in descriptions
# where a test in C (bytes.translate, split, `in`) says one may be there.
_SYMBOL_MARKERS = ("$", "€", "£", "₹", "¥", "₩", "₱", "₦", "zł")
_CODE_MARKER_RE = re.compile("|".join(sorted((*CODES, "Rs"), key=len, reverse=True)))
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
_ASCII_LOWER = bytes(c + 32 if 65 <= c <= 90 else c for c in range(256))
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
        pay = _first_pay(text, start, normalise(text[start:stop]))
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
    encoded = text.encode("utf-8", "surrogatepass")
    if "Rs" in text or not _CODE_WORDS.isdisjoint(encoded.translate(_CAPITALS_ONLY).split()):
        for m in _CODE_MARKER_RE.finditer(text):
            start, end = m.span()
            if not (start and text[start - 1].isascii() and text[start - 1].isalpha()) and not (
                end < len(text) and text[end].isascii() and text[end].isalpha()
            ):
                found.append((start, end))
    lowered = encoded.translate(_ASCII_LOWER)
    for word, pattern in _WORD_MARKERS:
        if word in lowered:
            found += [m.span() for m in pattern.finditer(text)]
    return sorted(found)


def _first_pay(text: str, base: int, norm: str) -> StatedPay | None:
    """The first qualifying pay in `norm`, the normalised copy of `text[base:...]`."""
    for first, second in pairs(norm, scan(norm)):
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
        period = next((f.period for f in both if f.period), None) or period_in(later) or period_in(nearby)
        reach = 250 if second is not None else 80
        in_context = bool(_PAY_WORDS_RE.search(norm[max(0, first.start - reach) : first.start])) or bool(
            _PAY_WORDS_RE.search(after)
        )
        if second is not None:
            in_context = in_context or any(f.period for f in both)
        if not in_context:
            continue
        currency = choose_currency(both, after, None)
        lead = _tail(norm[max(0, first.start - 120) : first.start], _SENTENCE_BREAK_RE).lstrip()
        # `norm` keeps offsets into its stretch of `text`, so quote the original words
        source = text[base + first.start - len(lead) : base + end]
        pay = build_pay(norm, first, second, currency=currency, period=period, source=source)
        if second is None and period is None and pay.period != "year":
            continue  # "$500" with no period is more likely a perk than a month's pay
        if _plausible(pay):
            return pay
    return None


def _plausible(pay: StatedPay) -> bool:
    """Yearly figures a salary could be: 2,000 to 5,000,000 US-dollar-sized units."""
    size = UNIT_SIZE.get(pay.currency or "", 1)
    figures = [f for f in (pay.annual_low, pay.annual_high) if f is not None]
    return bool(figures) and all(2_000 * size <= f <= 5_000_000 * size for f in figures)
