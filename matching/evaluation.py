"""Matching quality against labelled postings: the measures defined for jobmatch's eval sets (pure)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Evaluation", "PayReading", "RoleMeasures", "evaluate", "evaluate_pay_reading"]


@dataclass
class RoleMeasures:
    """One role's measures: recall over postings labelled with it, precision over postings given it."""

    labelled: int = 0  # postings whose `role` is this role
    strict: int = 0  # ... that were given this role
    lenient: int = 0  # ... whose prediction the label accepts (`role` or `also`)
    predicted: int = 0  # postings given this role
    accepted: int = 0  # ... whose label accepts it

    @property
    def strict_recall(self) -> float | None:
        return self.strict / self.labelled if self.labelled else None

    @property
    def lenient_recall(self) -> float | None:
        return self.lenient / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        """None when the role was never predicted (which fails any precision target)."""
        return self.accepted / self.predicted if self.predicted else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "predicted": self.predicted,
            "strict_recall": _rounded(self.strict_recall),
            "lenient_recall": _rounded(self.lenient_recall),
            "precision": _rounded(self.precision),
        }


@dataclass
class Evaluation:
    postings: int = 0
    accuracy: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    level_accuracy: float = 0.0
    level_labelled: int = 0
    pay_exact: float = 0.0
    pay_labelled: int = 0
    band_covers_pay: float = 0.0
    band_pay_postings: int = 0
    band_not_applicable: int = 0  # in-scope USD postings whose band says it does not apply (left out)
    band_median_width: float | None = None  # median high / low of the bands scored for coverage
    roles: dict[str, RoleMeasures] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "postings": self.postings,
            "accuracy": round(self.accuracy, 4),
            "in_scope_precision": round(self.precision, 4),
            "in_scope_recall": round(self.recall, 4),
            "in_scope_f1": round(self.f1, 4),
            "level_accuracy": round(self.level_accuracy, 4),
            "level_labelled": self.level_labelled,
            "pay_exact": round(self.pay_exact, 4),
            "pay_labelled": self.pay_labelled,
            "band_covers_pay": round(self.band_covers_pay, 4),
            "band_pay_postings": self.band_pay_postings,
            "band_not_applicable": self.band_not_applicable,
            "band_median_width": _rounded(self.band_median_width),
            "roles": {role: measures.to_dict() for role, measures in sorted(self.roles.items())},
            "confusion": [{"label": a, "predicted": b, "count": n} for (a, b), n in sorted(self.confusion.items())],
        }


@dataclass
class PayReading:
    """Stated pay read from free text, scored against each posting's `truth`."""

    postings: int = 0
    exact: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exactness(self) -> float:
        return _ratio(self.exact, self.postings)

    def to_dict(self) -> dict[str, Any]:
        return {"postings": self.postings, "exact": self.exact, "exactness": round(self.exactness, 4)}


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _predicted(result: Mapping[str, Any]) -> str:
    return str(result["role"]) if result.get("status") == "matched" else "none"


def _same_pay(stated: Mapping[str, Any] | None, label: Mapping[str, Any]) -> bool:
    if label.get("low") is None:
        return stated is None or stated.get("low") is None
    if stated is None:
        return False
    return all(
        (stated.get(key) == label.get(key))
        if key in ("currency", "period")
        else _same_number(stated.get(key), label.get(key))
        for key in ("low", "high", "currency", "period")
    )


def _same_number(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return isinstance(a, int | float) and isinstance(b, int | float) and abs(float(a) - float(b)) < 0.005


def _annual_midpoint(stated: Mapping[str, Any]) -> float | None:
    ends = [float(x) for x in (stated.get("annual_low"), stated.get("annual_high")) if x is not None]
    return sum(ends) / len(ends) if ends else None


def _covers(band: Mapping[str, Any], midpoint: float) -> bool:
    """Within [low, high]; an open-ended band ("$210,000+") also covers any midpoint above its high."""
    low, high = band.get("low"), band.get("high")
    if low is None or high is None or midpoint < low:
        return False
    return midpoint <= high or bool(band.get("open_ended"))


def evaluate(
    results: Mapping[str, Mapping[str, Any]],
    labels: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
) -> Evaluation:
    """Score results (by posting id) against labels.

    Labels may name a role by slug, seed file name, file stem or the stem's prefix before "_" ("000");
    `names` maps each such name to the role slug. A prediction is the top role when the result is
    `matched`, else "none"; it is right when it is the label's `role` or one of its `also`.
    """
    ev = Evaluation()
    ev.roles = {role: RoleMeasures() for role in set(names.values())}
    right = named = named_in_scope = in_scope = found = 0
    level_right = pay_right = covered = 0
    widths: list[float] = []
    for label in labels:
        result = results.get(str(label["id"]))
        if result is None:
            continue
        ev.postings += 1
        predicted = _predicted(result)
        role = names.get(label["role"], label["role"])
        acceptable = {names.get(name, name) for name in (label["role"], *label.get("also", []))}
        ev.confusion[(role, predicted)] += 1
        if predicted in acceptable:
            right += 1
        else:
            ev.misses.append({"id": label["id"], "label": role, "also": sorted(acceptable - {role}),
                              "predicted": predicted, "title": result.get("title")})  # fmt: skip
        if role in ev.roles:
            ev.roles[role].labelled += 1
            ev.roles[role].strict += predicted == role
            ev.roles[role].lenient += predicted in acceptable
        if predicted in ev.roles:
            ev.roles[predicted].predicted += 1
            ev.roles[predicted].accepted += predicted in acceptable
        if predicted != "none":
            named += 1
            named_in_scope += bool(acceptable - {"none"})
        if role != "none":
            in_scope += 1
            found += predicted != "none"
        if label.get("level", "unknown") != "unknown":
            ev.level_labelled += 1
            level_right += result.get("level") == label["level"]
        if label.get("stated_salary") is not None:
            ev.pay_labelled += 1
            pay_right += _same_pay(result.get("stated_salary"), label["stated_salary"])
        stated, band = result.get("stated_salary"), result.get("salary_band")
        if role == "none" or predicted == "none" or not stated or stated.get("currency") != "USD":
            continue
        midpoint = _annual_midpoint(stated)
        if midpoint is None:
            continue
        if band and band.get("applies") is False:
            ev.band_not_applicable += 1
            continue
        ev.band_pay_postings += 1
        if band is not None and band.get("low") and band.get("high"):
            widths.append(band["high"] / band["low"])
        covered += band is not None and _covers(band, midpoint)
    ev.accuracy = _ratio(right, ev.postings)
    ev.precision = _ratio(named_in_scope, named)
    ev.recall = _ratio(found, in_scope)
    ev.f1 = 2 * ev.precision * ev.recall / (ev.precision + ev.recall) if ev.precision + ev.recall else 0.0
    ev.level_accuracy = _ratio(level_right, ev.level_labelled)
    ev.pay_exact = _ratio(pay_right, ev.pay_labelled)
    ev.band_covers_pay = _ratio(covered, ev.band_pay_postings)
    ev.band_median_width = statistics.median(widths) if widths else None
    return ev


def evaluate_pay_reading(results: Mapping[str, Mapping[str, Any]], truths: Sequence[Mapping[str, Any]]) -> PayReading:
    """Exactness of the stated pay read from postings whose pay is written only in their text.

    Each truth is `{"id", "truth": {low, high, currency, period}}`; the stated-pay exactness rule applies.
    """
    reading = PayReading()
    for record in truths:
        result = results.get(str(record["id"]))
        if result is None:
            continue
        reading.postings += 1
        stated = result.get("stated_salary")
        if _same_pay(stated, record["truth"]):
            reading.exact += 1
        else:
            got = None if stated is None else {k: stated.get(k) for k in ("low", "high", "currency", "period")}
            reading.misses.append({"id": record["id"], "truth": record["truth"], "read": got})
    return reading
