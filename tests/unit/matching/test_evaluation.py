import pytest

from matching.evaluation import evaluate

NAMES = {"000": "infra", "001": "ml", "infra": "infra", "ml": "ml"}


def result(status, role=None, level="unknown", stated=None, band=None):
    return {
        "status": status,
        "role": role,
        "level": level,
        "stated_salary": stated,
        "salary_band": band,
        "title": "t",
    }


def test_measures_as_defined():
    labels = [
        {"id": "a", "role": "001", "also": [], "level": "senior"},  # right, found
        {"id": "b", "role": "none", "also": [], "level": "unknown"},  # right (no match)
        {
            "id": "c",
            "role": "none",
            "also": ["001"],
            "level": "mid",
        },  # named: right via also, in-scope precise
        {"id": "d", "role": "000", "also": [], "level": "staff"},  # missed: predicted none
        {"id": "e", "role": "none", "also": [], "level": "entry"},  # false positive
    ]
    results = {
        "a": result("matched", "ml", level="senior"),
        "b": result("no_match"),
        "c": result("matched", "ml", level="senior"),
        "d": result("no_match", level="staff"),
        "e": result("matched", "infra", level="entry"),
    }
    ev = evaluate(results, labels, NAMES)
    assert ev.accuracy == pytest.approx(3 / 5)
    assert ev.precision == pytest.approx(2 / 3)  # a and c have an in-scope answer, e does not
    assert ev.recall == pytest.approx(1 / 2)  # a found, d missed
    assert ev.f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    assert ev.level_accuracy == pytest.approx(3 / 4)
    assert [m["id"] for m in ev.misses] == ["d", "e"]
    assert ev.confusion[("infra", "none")] == 1


def test_pay_exactness_and_band_cover():
    usd = {"low": 150000.0, "high": 190000.0, "currency": "USD", "period": "year",
           "annual_low": 150000.0, "annual_high": 190000.0}  # fmt: skip
    labels = [
        {"id": "a", "role": "001", "also": [], "level": "unknown", "stated_salary": {**usd}},
        {"id": "b", "role": "001", "also": [], "level": "unknown",
         "stated_salary": {"low": None, "high": None, "currency": None, "period": None}},
        {"id": "c", "role": "001", "also": [], "level": "unknown",
         "stated_salary": {"low": 50, "high": 60, "currency": "USD", "period": "hour"}},
    ]  # fmt: skip
    results = {
        "a": result("matched", "ml", stated=usd, band={"low": 160000, "high": 200000}),  # midpoint 170k inside
        "b": result("matched", "ml", stated=None, band={"low": 1, "high": 2}),
        "c": result("matched", "ml", stated={**usd, "low": 50.0, "high": 61.0}, band={"low": 1, "high": 2}),
    }
    ev = evaluate(results, labels, NAMES)
    assert ev.pay_exact == pytest.approx(2 / 3)
    assert ev.band_pay_postings == 2 and ev.band_covers_pay == pytest.approx(1 / 2)
