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


def test_per_role_recall_and_precision():
    labels = [
        {"id": "a", "role": "000", "also": ["001"]},  # given ml: lenient only
        {"id": "b", "role": "000", "also": []},  # given infra: strict
        {"id": "c", "role": "001", "also": []},  # given infra: wrong
        {"id": "d", "role": "none", "also": ["000"]},  # given infra: accepted by also
    ]
    results = {
        "a": result("matched", "ml"),
        "b": result("matched", "infra"),
        "c": result("matched", "infra"),
        "d": result("matched", "infra"),
    }
    ev = evaluate(results, labels, NAMES)
    infra, ml = ev.roles["infra"], ev.roles["ml"]
    assert (infra.labelled, infra.strict_recall, infra.lenient_recall) == (2, 0.5, 1.0)
    assert infra.predicted == 3 and infra.precision == pytest.approx(2 / 3)
    assert ml.strict_recall == 0.0 and ml.precision == 1.0  # a is labelled 000 but accepts 001


def test_role_never_predicted_has_no_precision():
    ev = evaluate({"a": result("no_match")}, [{"id": "a", "role": "000", "also": []}], NAMES)
    assert ev.roles["infra"].precision is None
    assert ev.roles["infra"].to_dict()["precision"] is None


def test_band_cover_open_ended_not_applicable_and_width():
    usd = {"currency": "USD", "annual_low": 230000.0, "annual_high": 235000.0}
    labels = [{"id": x, "role": "001", "also": []} for x in "abcd"]
    results = {
        "a": result("matched", "ml", stated=usd, band={"low": 160000, "high": 210000, "open_ended": True}),
        "b": result("matched", "ml", stated=usd, band={"low": 160000, "high": 210000, "open_ended": False}),
        "c": result("matched", "ml", stated=usd, band={"low": 100000, "high": 200000, "applies": False}),
        "d": result("matched", "ml", stated={**usd, "annual_low": 100000.0, "annual_high": 110000.0},
                    band={"low": 160000, "high": 210000, "open_ended": True}),  # below an open band
    }  # fmt: skip
    ev = evaluate(results, labels, NAMES)
    assert ev.band_pay_postings == 3 and ev.band_not_applicable == 1
    assert ev.band_covers_pay == pytest.approx(1 / 3)
    assert ev.band_median_width == pytest.approx(210000 / 160000)


def test_pay_reading_exactness():
    from matching.evaluation import evaluate_pay_reading

    truth = {"low": 60090.0, "high": 73610.0, "currency": "USD", "period": "year"}
    results = {
        "a": result("no_match", stated={**truth, "annual_low": 60090.0}),
        "b": result("no_match", stated=None),
    }
    reading = evaluate_pay_reading(results, [{"id": "a", "truth": truth}, {"id": "b", "truth": truth}])
    assert (reading.postings, reading.exact) == (2, 1)
    assert reading.misses == [{"id": "b", "truth": truth, "read": None}]
