"""Money figures joined into ranges and built into pay; a job board's pay tag read (`parse_pay_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from .scan import Figure, normalise, period_in, scan
from .stated import CODES, PayZone, StatedPay, infer_period

__all__ = [
    "Reading",
    "basis_of",
    "build_pay",
    "choose_currency",
    "code_after",
    "combine",
    "pairs",
    "parse_pay_text",
]

# Codes that are also words or acronyms ("PHP developer", "SAR") count only when written on a figure.
_LONE_CODE_ALT = "|".join(sorted(CODES - {"PHP", "SAR", "COP", "PEN", "TRY", "ARS", "ILS"}))

_RANGE_GAP_RE = re.compile(r"\s*(?:-{1,2}|~|to|until|through|and|tot|en)\s*", re.I)
_DASH_GAP_RE = re.compile(r"\s*(?:-{1,2}|~)\s*")
# "ranges from $115,000/year in our lowest market up to $223,600/year", "between USD 161,000 in the lowest
# geographic market and USD 288,000 in the highest", "from a minimum of $29,600 to a maximum of $67,500"
_LOOSE_GAP_RE = re.compile(
    r"[^$€£₹\d.;:!?\n]{0,80}?(?:\b(?:(?:up\s+)?to|and|tot|en)\b(?P<max>\s+(?:(?:a|een)\s+)?(?:max(?:imum)?|maximaal"
    r"|high)(?:\s+(?:of|van))?)?|(?P<rising>\b(?:rising|increasing|growing)\s+to))\s*",
    re.I,
)
_LOOSE_START_RE = re.compile(
    r"\b(?:from|between|tussen(?:\s+de)?|van|starts?\s+at|starting\s+(?:at|from))(?:\s+(?:a\s+)?min(?:imum)?(?:\s+of)?)?"
    r"\W*\Z",
    re.I,
)
# "between $X and $Y"; "the salary range for this role is $X and $Y"
_BETWEEN_RE = re.compile(
    r"\b(?:between|tussen(?:\s+de)?|range(?:[^$€£\d.;:!?\n]{0,30}?\b(?:is|of))?)"
    r"(?:\s+(?:a\s+)?min(?:imum|imaal)?(?:\s+of)?)?\W*\Z",
    re.I,
)
# Labels on the ends of a range written apart: "Min: $138,800 / Mid: $173,500 / Max: $208,200", "Minimum salary
# of $120,369. Maximum salary of $174,797.", "minimaal EUR 2902,- en maximaal EUR 4374,-".
_LABEL_RE = re.compile(r"\b(?:(?P<min>min(?:imum|imaal)?)|(?P<mid>mid(?:point)?)|(?P<max>max(?:imum|imaal)?))\b\.?"
                       r"[^$€£₹\d.!?;]{0,25}\Z", re.I)  # fmt: skip
_UP_TO_RE = re.compile(
    r"\b(?:up\s?to|max(?:imum)?|not\s+to\s+exceed|no\s+more\s+than|as\s+much\s+as|tot|maximaal)\W*\Z"
    # A pay label then "to": "Salary to £120k", "Basic salary: to 95,000" (not "increase your salary to £60k").
    r"|(?:^|(?<=[\n.;:|•*(]))\s*(?:(?:basic|base|annual)\s+)?(?:salary|pay|package|remuneration|rate)\W{0,3}to\W*\Z",
    re.I,
)
_FROM_RE = re.compile(
    r"\b(?:from|starting\s+(?:at|from)|starts?\s+at|min(?:imum)?|at\s+least|over|more\s+than|in\s+excess\s+of"
    r"|vanaf|minimaal)\W*\Z",
    re.I,
)
_OPEN_AFTER_RE = re.compile(r"\s*(?:or\s+more|and\s+(?:up|above)|or\s+higher)\b", re.I)


def _label(text: str, figures: list[Figure], i: int) -> str | None:
    """ "min", "mid" or "max" when the words just before figure `i` (after the figure before it) say so."""
    since = figures[i - 1].end if i else 0
    match = _LABEL_RE.search(text, max(since, figures[i].start - 40), figures[i].start)
    return match.lastgroup if match else None


def pairs(text: str, figures: list[Figure]) -> Iterator[tuple[Figure, Figure | None]]:
    """Figures in order, each joined to the next when the text between them makes a range.

    Three figures may make one range: "$136,611 - $151,437 - $166,263" and "Min: $X / Mid: $Y / Max: $Z" are
    low, midpoint and high.
    """
    i = 0
    while i < len(figures):
        first = figures[i]
        ahead = [f for f in figures[i + 1 : i + 3] if not f.big]
        if first.big:
            yield first, None
            i += 1
            continue
        if _label(text, figures, i) == "min" and ahead:
            labels = [_label(text, figures, i + 1 + k) for k in range(len(ahead))]
            if labels[0] == "max" and _labelled_end(text, first, ahead[0]):
                yield first, ahead[0]
                i += 2
                continue
            if labels[0] == "mid" and labels[1:] == ["max"] and _labelled_end(text, first, ahead[1]):
                yield first, ahead[1]
                i += 3
                continue
        if ahead and _joined(text, first, ahead[0]):
            if len(ahead) == 2 and _dashed_mid(text, first, *ahead):
                yield first, ahead[1]
                i += 3
                continue
            yield first, ahead[0]
            i += 2
            continue
        yield first, None
        i += 1


def _labelled_end(text: str, first: Figure, last: Figure) -> bool:
    """A "max" figure that ends the range a "min" figure starts: near, marked or grouped alike, not lower."""
    alike = last.marked or (first.grouped and last.grouped)
    return alike and last.start - first.end <= 120 and last.value >= first.value and not _other_codes(first, last)


def _dashed_mid(text: str, low: Figure, mid: Figure, high: Figure) -> bool:
    return (
        bool(_DASH_GAP_RE.fullmatch(text[low.end : mid.start]))
        and bool(_DASH_GAP_RE.fullmatch(text[mid.end : high.start]))
        and low.value < mid.value < high.value
        and not _other_codes(low, high)
        and not _other_codes(low, mid)
    )


def _other_codes(first: Figure, second: Figure) -> bool:
    return bool(first.code and second.code and first.code != second.code)


def _joined(text: str, first: Figure, second: Figure) -> bool:
    if _other_codes(first, second):
        return False  # "$137,871 - $152,000 USD / $172,339 CAD": two ranges, not one
    gap = text[first.end : second.start]
    before = text[max(0, first.start - 40) : first.start]
    if m := _RANGE_GAP_RE.fullmatch(gap):
        word = m.group().strip().lower()
        return word not in ("and", "en") or bool(_BETWEEN_RE.search(before))
    loose = _LOOSE_GAP_RE.fullmatch(gap)  # "€ 4000 tot een maximum van € 5500" needs no "from"
    if loose is None:
        return False
    return bool(loose.group("max") or loose.group("rising")) or bool(_LOOSE_START_RE.search(before))


_LONE_CODE_RE = re.compile(rf"(?<![A-Za-z])({_LONE_CODE_ALT})(?![A-Za-z])")


def _currency_in(text: str) -> str | None:
    match = _LONE_CODE_RE.search(text)
    return match.group(1) if match else None


_CODE_AFTER_RE = re.compile(rf"[\s(]*({_LONE_CODE_ALT})(?![A-Za-z])")


def code_after(text: str, pos: int) -> str | None:
    """A currency code right after `pos`, bare or in brackets: "$95,000 - $105,000 (CAD)"."""
    match = _CODE_AFTER_RE.match(text, pos)
    return match.group(1) if match else None


def choose_currency(
    figures: tuple[Figure, ...], context: str, default: str | None, local: Mapping[str, str] | None = None
) -> str | None:
    """The currency of a figure or range: on a figure, then a code in `context`, "$" (US dollars unless `local`
    says what "$" means where the posting is), "kr" (by `local`), lakhs, `default`."""
    for figure in figures:
        if figure.code:
            return figure.code
    if named := _currency_in(context):
        return named
    local = local or {}
    if any(f.dollar for f in figures):
        return local.get("$", "USD")
    if any(f.krone for f in figures):
        return local.get("kr", default)
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


# What the figures cover, when the words say (otherwise base pay).
_OTE_RE = re.compile(r"\bOTE\b|\bon[- ]target(?:[- ]earnings?)?\b|\bearnings?\s+potential\b|\bpotential\s+earnings\b"
                     r"|\bearning\s+potential\b", re.I)  # fmt: skip
_TOTAL_RE = re.compile(
    r"\btotal\s+(?:target\s+|annual\s+)?(?:cash\s+)?(?:comp\w*|pay|remuneration|package|earnings|rewards?)\b"
    r"|\bincl(?:udes|uding|\.)?\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:bonus(?:es)?|commissions?|incentives?)\b"
    r"|\bbase\s*(?:\+|and|plus)\s*(?:\w+\s+)?(?:bonus(?:es)?|commissions?)\b|\b(?:bonus|commission)\s+included\b"
    r"|\bcommission[- ](?:based|only)\b",
    re.I,
)
_BASE_RE = re.compile(r"\bbase\b", re.I)


def basis_of(before: str, after: str) -> str:
    """ "base", "total" or "ote" for figures with `before` and `after` them (their clause): base unless the
    words say on-target earnings, total compensation or pay including bonus or commission."""
    found = [(m.start(), "ote") for m in _OTE_RE.finditer(before)]
    found += [(m.start(), "total") for m in _TOTAL_RE.finditer(before)]
    found += [(m.start(), "base") for m in _BASE_RE.finditer(before) if not _TOTAL_RE.match(before, m.start())]
    if found:
        return max(found)[1]  # the words nearest the figures
    if _OTE_RE.search(after):
        return "ote"
    return "total" if _TOTAL_RE.search(after) else "base"


def build_pay(
    text: str,
    first: Figure,
    second: Figure | None,
    *,
    currency: str | None,
    period: str | None,
    source: str,
    basis: str = "base",
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
    return StatedPay(low=low, high=high, currency=currency, period=period, text=source, basis=basis)


@dataclass(frozen=True)
class Reading:
    """One figure or range read as pay, with the words that label it ("Zone B", "California") and where it is."""

    pay: StatedPay
    label: str
    position: int


def combine(readings: list[Reading], *, reach: int) -> StatedPay | None:
    """The pay several readings state: the first, or the span of the ranges that go with it.

    Ranges in the first reading's currency, period and basis, each within `reach` characters of the one before,
    are zones of one statement ("California: $X - $Y; elsewhere: $Z - $W"): the result runs from the lowest low
    to the highest high and keeps each range in `zones`. None when there are no readings.
    """
    if not readings:
        return None
    first = readings[0].pay
    if first.low is None or first.high is None or first.low == first.high:
        return first  # single figures are not zones: "Circa £140k ... Circa £120k" may be two roles
    group = [readings[0]]
    for reading in readings[1:]:
        pay = reading.pay
        if reading.position - group[-1].position > reach:
            break
        same = (pay.currency, pay.period, pay.basis) == (first.currency, first.period, first.basis)
        if same and pay.low is not None and pay.high is not None and pay.low < pay.high:
            group.append(reading)
    ranges = list(dict.fromkeys((r.pay.low, r.pay.high) for r in group))
    if len(ranges) == 1:
        return first
    labels: dict[tuple[float | None, float | None], str] = {}
    for reading in group:
        labels.setdefault((reading.pay.low, reading.pay.high), reading.label)
    zones = tuple(PayZone(label=labels[r], low=r[0], high=r[1]) for r in ranges)
    # the words of each, without those one quotes inside another ("... $X - $Y" and "... $X - $Y in CA, and $Z")
    sources = list(dict.fromkeys(r.pay.text for r in group))
    texts = " / ".join(t for t in sources if not any(t != other and t in other for other in sources))
    low = min(r[0] for r in ranges if r[0] is not None)
    high = max(r[1] for r in ranges if r[1] is not None)
    return replace(first, low=low, high=high, text=texts, zones=zones)


def _is_yearish(figure: Figure) -> bool:
    return not figure.grouped and figure.multiplier == 1 and 1900 <= figure.mantissa <= 2100


_TAG_LABEL_BREAK_RE = re.compile(r"[;,|\n]|\s[-/]\s")


def parse_pay_text(
    text: str, *, default_currency: str | None = None, local: Mapping[str, str] | None = None
) -> StatedPay | None:
    """Read a job board's pay tag ("USD $164,200~$229,900", "$60/hr", "120k-150k", "£45,000 per annum").

    Returns None when the tag holds no amount ("Competitive compensation", "$"). `default_currency` is used
    only when the tag names no currency at all; `local` says what "$" and "kr" mean where the posting is
    (`local_currencies`). Two ranges in one currency and period ("CA: $X - $Y; other US: $Z - $W") give their
    span, each kept in `zones`.
    """
    norm = normalise(text)
    any_code = _currency_in(norm) is not None
    readings = []
    previous_end = 0
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
        currency = choose_currency(both, norm, default_currency, local)
        basis = basis_of(norm[: first.start], norm[both[-1].end :])
        pay = build_pay(norm, first, second, currency=currency, period=period, source=text.strip(), basis=basis)
        label = _TAG_LABEL_BREAK_RE.split(norm[previous_end : first.start])[-1].strip(" :-")
        readings.append(Reading(pay, label, first.start))
        previous_end = both[-1].end
    return combine(readings, reach=len(norm))
