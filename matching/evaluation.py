"""Matching quality against labelled postings: the measures defined for jobmatch's eval sets (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Evaluation", "evaluate"]


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
            "confusion": [{"label": a, "predicted": b, "count": n} for (a, b), n in sorted(self.confusion.items())],
        }


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
    right = named = named_in_scope = in_scope = found = 0
    level_right = pay_right = covered = 0
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
        if role != "none" and predicted != "none" and stated and stated.get("currency") == "USD":
            low, high = stated.get("annual_low"), stated.get("annual_high")
            if low is not None or high is not None:
                ev.band_pay_postings += 1
                mid = ((low if low is not None else high) + (high if high is not None else low)) / 2
                # As defined: inside [low, high] as written, even for an open-ended band.
                if (
                    band
                    and band.get("low") is not None
                    and band.get("high") is not None
                    and (band["low"] <= mid <= band["high"])
                ):
                    covered += 1
    ev.accuracy = _ratio(right, ev.postings)
    ev.precision = _ratio(named_in_scope, named)
    ev.recall = _ratio(found, in_scope)
    ev.f1 = 2 * ev.precision * ev.recall / (ev.precision + ev.recall) if ev.precision + ev.recall else 0.0
    ev.level_accuracy = _ratio(level_right, ev.level_labelled)
    ev.pay_exact = _ratio(pay_right, ev.pay_labelled)
    ev.band_covers_pay = _ratio(covered, ev.band_pay_postings)
    return ev
