"""Stated pay: pay tags, structured salary fields, pay sentences in descriptions, annualising, band checks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.pay import (
    PERIODS,
    PayError,
    StatedPay,
    annualise,
    compare_to_band,
    find_pay_in_text,
    local_currencies,
    parse_pay_text,
    parse_structured_pay,
)


def figures(pay: StatedPay | None) -> tuple[float | None, float | None, str | None, str | None] | None:
    return None if pay is None else (pay.low, pay.high, pay.currency, pay.period)


# --- parse_pay_text: the tag formats job boards use ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USD $151,300~$204,700", (151300, 204700, "USD", "year")),
        ("$168,000/yr - $212,000/yr", (168000, 212000, "USD", "year")),
        ("CAD 140000-175000", (140000, 175000, "CAD", "year")),
        ("$72/hr", (72, 72, "USD", "hour")),
        ("$35 - $48 per hour", (35, 48, "USD", "hour")),
        ("$128,450.00 - $171,300.00", (128450, 171300, "USD", "year")),
        ("$182,000-226,000", (182000, 226000, "USD", "year")),
        ("$3,200 - $6,500 USD per month", (3200, 6500, "USD", "month")),
        ("$13.25/hr", (13.25, 13.25, "USD", "hour")),
        ("$2 - $55,000 per year", (2, 55000, "USD", "year")),
        ("between $91,000 and $118,000", (91000, 118000, "USD", "year")),
        ("$26.50 - $31.75 an hour", (26.5, 31.75, "USD", "hour")),
        ("$110,000 - $140,000 (all figures CAD)", (110000, 140000, "CAD", "year")),
    ],
)
def test_parse_pay_text_reads_common_tag_formats(text: str, expected: tuple[object, ...]) -> None:
    assert figures(parse_pay_text(text)) == expected


def test_parse_pay_text_keeps_the_tag_as_text() -> None:
    pay = parse_pay_text("  $40 - $45 per hour  ")
    assert pay is not None
    assert pay.text == "$40 - $45 per hour"


def test_a_plus_on_the_high_of_a_range_is_dropped() -> None:
    pay = parse_pay_text("$172,000 USD - $248,000+ USD per year + Equity")
    assert figures(pay) == (172000, 248000, "USD", "year")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("110k-140k", (110000, 140000)),
        ("$120K - $150K", (120000, 150000)),
        ("95-130k", (95000, 130000)),  # a trailing k applies to the low as well
        ("€45k–€58k", (45000, 58000)),
        ("$1.5k/week", (1500, 1500)),
        ("$94,000k-$152,000k", (94000, 152000)),  # already in thousands: the k is a typo
    ],
)
def test_k_multiplies_by_a_thousand(text: str, expected: tuple[float, float]) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert (pay.low, pay.high) == expected


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("$140,000", "USD"),
        ("CAD $142,000 - $188,000", "CAD"),  # a code beats a bare "$"
        ("$4,100 - $7,900 USD per month", "USD"),
        ("A$130,000 - A$150,000", "AUD"),
        ("AU$98k", "AUD"),
        ("C$95,000", "CAD"),
        ("CA$105k-CA$125k", "CAD"),
        ("US$88,000", "USD"),
        ("€64,000", "EUR"),
        ("£52,000 per annum", "GBP"),
        ("₹18,00,000 - ₹24,00,000", "INR"),
        ("₹14-22 LPA", "INR"),
        ("CHF 130'000 - 150'000", "CHF"),
        ("EUR 70,000", "EUR"),
        ("90,000 dollars", "USD"),
    ],
)
def test_currency_comes_from_symbols_and_codes(text: str, currency: str) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert pay.currency == currency


def test_indian_formats_lakh_grouping_and_lpa() -> None:
    assert figures(parse_pay_text("₹18,00,000 - ₹24,00,000")) == (1_800_000, 2_400_000, "INR", "year")
    assert figures(parse_pay_text("14-22 LPA")) == (1_400_000, 2_200_000, "INR", "year")


def test_a_tag_without_a_currency_marker_uses_the_default() -> None:
    assert figures(parse_pay_text("110k-140k")) == (110000, 140000, None, "year")
    assert figures(parse_pay_text("110k-140k", default_currency="GBP")) == (110000, 140000, "GBP", "year")
    assert figures(parse_pay_text("$90k", default_currency="GBP")) == (90000, 90000, "USD", "year")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€55.000 - €70.000", (55000, 70000, "EUR", "year")),
        ("€3.800,50 / month", (3800.5, 3800.5, "EUR", "month")),
        ("65 000 € - 80 000 €", (65000, 80000, "EUR", "year")),
        ("$61,50/hr", (61.5, 61.5, "USD", "hour")),
    ],
)
def test_european_separators(text: str, expected: tuple[object, ...]) -> None:
    assert figures(parse_pay_text(text)) == expected


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("$30/hr", "hour"),
        ("$30 per hour", "hour"),
        ("$30 hourly", "hour"),
        ("$30 an hour", "hour"),
        ("$30/h", "hour"),
        ("$45hr-$60hr", "hour"),
        ("£550/day", "day"),
        ("£550 per day", "day"),
        ("£550 daily", "day"),
        ("$2,100 per week", "week"),
        ("$2,100/wk", "week"),
        ("$2,100 weekly", "week"),
        ("$6,000/month", "month"),
        ("$6,000/mo", "month"),
        ("$6,000 monthly", "month"),
        ("$6,000 a month", "month"),
        ("$150,000/yr", "year"),
        ("$150,000 per year", "year"),
        ("$150,000 annually", "year"),
        ("£48,000 per annum", "year"),
        ("£48,000 p.a.", "year"),
        ("£48,000 pa", "year"),
        ("$150,000 a year", "year"),
        ("Hourly: $25 - $32", "hour"),
        # words beat magnitude: a small yearly figure stays yearly, a large hourly one hourly
        ("$900 per year", "year"),
        ("$350/hr", "hour"),
    ],
)
def test_period_from_words(text: str, period: str) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert pay.period == period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("$45 - $60", "hour"),  # under 300
        ("$450 - $600", "day"),  # 300 to 1,000
        ("$5,500 - $7,000", "month"),  # 1,000 to 20,000
        ("$145,000 - $170,000", "year"),
        ("$5 - $230,000", "year"),  # the high decides
        ("₹60,000 - ₹90,000", "month"),  # scaled by the size of the currency unit
        ("₹2,400,000", "year"),
    ],
)
def test_period_from_magnitude_when_no_words(text: str, period: str) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert pay.period == period


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("$140,000+", 140000, None),
        ("$85k+ DOE", 85000, None),
        ("From $80k", 80000, None),
        ("Starting at $62,000", 62000, None),
        ("$150k and up", 150000, None),
        ("Up to $95,000", None, 95000),
        ("up to $40/hr", None, 40),
        ("$118,000", 118000, 118000),
    ],
)
def test_single_figures_open_ended_and_up_to(text: str, low: float | None, high: float | None) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert (pay.low, pay.high) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Competitive compensation",
        "$",
        "$Competitive",
        "competitive salary, and the upsides of a pre-IPO equity package",
        "Best-in-class compensation",
        "DOE",
        "Salary reviewed in 2025",
        "401(k) matching",
        "$10M Series A",
        "20-25 hours per week",
        "Up to 15% bonus",
    ],
)
def test_tags_without_an_amount_give_none(text: str) -> None:
    assert parse_pay_text(text) is None


def test_a_year_next_to_a_real_amount_is_ignored() -> None:
    assert figures(parse_pay_text("Salary: $104k (reviewed 2025)")) == (104000, 104000, "USD", "year")


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from("$€£k0123456789,.- /+~KUSDCAhryearpmonth"), max_size=40))
def test_parse_pay_text_never_raises_and_orders_the_range(text: str) -> None:
    pay = parse_pay_text(text)
    if pay is not None:
        assert pay.period in PERIODS
        if pay.low is not None and pay.high is not None:
            assert pay.low <= pay.high


# --- StatedPay and annualise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "period", "annual"),
    [(50, "hour", 104_000), (400, "day", 104_000), (2_000, "week", 104_000), (8_000, "month", 96_000),
     (130_000, "year", 130_000), (11.25, "hour", 23_400)],
)  # fmt: skip
def test_annualise(amount: float, period: str, annual: float) -> None:
    assert annualise(amount, period) == annual


def test_annualise_rejects_an_unknown_period() -> None:
    with pytest.raises(PayError, match="period: expected one of hour, day, week, month, year, got 'fortnight'"):
        annualise(1_000, "fortnight")


def test_stated_pay_annual_figures_and_dict() -> None:
    pay = parse_pay_text("$40 - $55/hr")
    assert pay is not None
    assert (pay.annual_low, pay.annual_high) == (83_200, 114_400)
    assert pay.to_dict() == {
        "low": 40.0,
        "high": 55.0,
        "period": "hour",
        "currency": "USD",
        "annual_low": 83_200,
        "annual_high": 114_400,
        "text": "$40 - $55/hr",
        "basis": "base",
        "zones": [],
    }


def test_stated_pay_annual_figures_follow_missing_bounds() -> None:
    pay = StatedPay(low=None, high=7_000, currency="EUR", period="month", text="up to €7,000 a month")
    assert (pay.annual_low, pay.annual_high) == (None, 84_000)


def test_stated_pay_validates_period_and_amounts() -> None:
    with pytest.raises(PayError, match="period: expected one of"):
        StatedPay(low=1, high=2, currency="USD", period="annual", text="")
    with pytest.raises(PayError, match="low: expected a non-negative number, got -5"):
        StatedPay(low=-5, high=2, currency="USD", period="year", text="")
    with pytest.raises(PayError, match="high: expected a non-negative number, got nan"):
        StatedPay(low=1, high=math.nan, currency="USD", period="year", text="")


# --- parse_structured_pay ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ({"min": 120000, "max": 150000, "currency": "USD", "period": "year"},
         (120000, 150000, "USD", "year")),
        ({"minValue": 45.5, "maxValue": 60, "currency": "usd", "unit": "HOUR"}, (45.5, 60, "USD", "hour")),
        ({"min": "95,000", "max": "110000", "currency": "EUR", "interval": "per-year-salary"},
         (95000, 110000, "EUR", "year")),
        ({"min_value": 5000, "max_value": 7000, "currencyCode": "GBP", "unitText": "MONTHLY"},
         (5000, 7000, "GBP", "month")),
        ({"currency": "CAD", "value": {"minValue": 130000, "maxValue": 160000, "unitText": "YEAR"}},
         (130000, 160000, "CAD", "year")),
        ({"currency": "USD", "value": 85, "unitText": "HOUR"}, (85, 85, "USD", "hour")),
        ({"min": 140000}, (140000, None, None, "year")),  # no period: the magnitude rule
        ({"max": 30, "currency": "$"}, (None, 30, "USD", "hour")),
        ({"min": 400, "max": 600, "currency": "GBP", "period": "per-day-wage"}, (400, 600, "GBP", "day")),
    ],
)  # fmt: skip
def test_parse_structured_pay(salary: dict[str, object], expected: tuple[object, ...]) -> None:
    assert figures(parse_structured_pay(salary, posting_id="p-1")) == expected


def test_parse_structured_pay_records_the_fields_as_text() -> None:
    pay = parse_structured_pay({"min": 1, "max": 2, "period": "hour"}, posting_id="p-1")
    assert pay.text == "min=1, max=2, period=hour"


@pytest.mark.parametrize(
    ("salary", "message"),
    [
        ({"min": "lots", "max": 2}, r"posting p-9: salary\.min: expected a non-negative number, got 'lots'"),
        ({"min": 1, "max": True}, r"posting p-9: salary\.max: expected a non-negative number, got True"),
        ({"minValue": -10}, r"posting p-9: salary\.minValue: expected a non-negative number, got -10"),
        ({"max": float("inf")}, r"posting p-9: salary\.max: expected a non-negative number, got inf"),
        ({"min": [1]}, r"posting p-9: salary\.min: expected a non-negative number, got \[1\]"),
        ({"min": 1, "currency": 840}, r"posting p-9: salary\.currency: expected an ISO 4217 code, got 840"),
        ({"min": 1, "currency": "dollars"}, r"posting p-9: salary\.currency: expected an ISO 4217 code"),
        ({"min": 1, "unit": "FORTNIGHT"}, r"posting p-9: salary\.unit: expected one of hour, .*'FORTNIGHT'"),
        ({"min": 1, "period": 12}, r"posting p-9: salary\.period: expected one of hour, .*got 12"),
        ({"min": 200, "max": 100}, r"posting p-9: salary\.max: 100 is below the minimum 200"),
        ({"currency": "USD"}, r"posting p-9: salary: no amount \(min, max or value\)"),
    ],
)
def test_parse_structured_pay_errors_name_the_posting_and_field(salary: dict[str, object], message: str) -> None:
    with pytest.raises(PayError, match=message):
        parse_structured_pay(salary, posting_id="p-9")


def test_parse_structured_pay_rejects_a_non_mapping() -> None:
    with pytest.raises(PayError, match="posting p-9: salary: expected a mapping, got list"):
        parse_structured_pay([120000], posting_id="p-9")  # type: ignore[arg-type]


# --- find_pay_in_text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("About the role. The base salary range for this role is $148,000 - $182,000. We offer equity.",
         (148000, 182000, "USD", "year")),
        ("Contract, remote.\nPay: $38-$46/hour\nApply now.", (38, 46, "USD", "hour")),
        ("Our total compensation for this role is USD 115k–140k plus equity.",
         (115000, 140000, "USD", "year")),
        ("Salary Range: $118,000—$149,000 USD", (118000, 149000, "USD", "year")),
        ("Hourly rate: up to $42 per hour", (None, 42, "USD", "hour")),
        ("Salary: £60,000 - £75,000 per annum, hybrid in Leeds.", (60000, 75000, "GBP", "year")),
        ("Pay: €58.000 - €72.000 per year", (58000, 72000, "EUR", "year")),
        ("The annual base pay ranges from $90,000 in our lowest market up to $130,000 in our highest.",
         (90000, 130000, "USD", "year")),
        ("The salary range is between $105,000 and $125,000 depending on experience.",
         (105000, 125000, "USD", "year")),
        ("Compensation\n* 1% equity\n* $172k/year salary", (172000, 172000, "USD", "year")),
        ("Base salary: $135,000", (135000, 135000, "USD", "year")),
        ("Salary: Rs.12,00,000 - Rs.15,00,000 per annum.", (1200000, 1500000, "INR", "year")),
        ("Base salary: 90,000 - 110,000 Euros per year.", (90000, 110000, "EUR", "year")),
        ("The salary range is USD150,000-180,000.", (150000, 180000, "USD", "year")),
        ("Compensation: 120,000 DOLLARS a year.", (120000, 120000, "USD", "year")),
    ],
)  # fmt: skip
def test_find_pay_in_text_finds_stated_pay(description: str, expected: tuple[object, ...]) -> None:
    assert figures(find_pay_in_text(description)) == expected


def test_find_pay_in_text_reports_the_span_of_zones_and_keeps_each() -> None:
    description = (
        "Our pay ranges by location:\n* Zone 1: $160,000 - $200,000\n* Zone 2: $144,000 - $180,000\n"
        "* Zone 3: $128,000 - $160,000"
    )
    pay = find_pay_in_text(description)
    assert figures(pay) == (128000, 200000, "USD", "year")
    assert pay is not None
    assert [z.to_dict() for z in pay.zones] == [
        {"label": "Zone 1", "low": 160000, "high": 200000},
        {"label": "Zone 2", "low": 144000, "high": 180000},
        {"label": "Zone 3", "low": 128000, "high": 160000},
    ]
    assert pay.to_dict()["zones"][2] == {"label": "Zone 3", "low": 128000, "high": 160000}


def test_zones_in_another_period_or_currency_stay_apart() -> None:
    description = "Pay: $18 - $22 per hour to start.\nFull-time equivalent: $37,440 - $45,760 per year."
    pay = find_pay_in_text(description)
    assert figures(pay) == (18, 22, "USD", "hour")
    assert pay is not None
    assert pay.zones == ()


def test_two_ranges_in_one_tag_give_their_span() -> None:
    pay = parse_pay_text("NYC/SF: $150,000 - $190,000; elsewhere: $130,000 - $165,000")
    assert figures(pay) == (130000, 190000, "USD", "year")
    assert pay is not None
    assert [(z.label, z.low, z.high) for z in pay.zones] == [
        ("NYC/SF", 150000, 190000),
        ("elsewhere", 130000, 165000),
    ]


def test_find_pay_in_text_skips_company_money_before_the_salary() -> None:
    description = (
        "We raised a $25M Series B in 2024 and serve $3 billion in payments. "
        "The salary range for this position is $131,000 - $163,000."
    )
    pay = find_pay_in_text(description)
    assert figures(pay) == (131000, 163000, "USD", "year")
    assert pay is not None
    assert pay.text == "The salary range for this position is $131,000 - $163,000"


@pytest.mark.parametrize(
    "description",
    [
        "We closed a $10M Series A last spring.",
        "We are chasing a $2 billion market.",
        "Benefits: 401(k) with a 4% match, salary competitive.",
        "Perks: a $500 learning stipend and a $1,200 home office budget. Compensation is competitive.",
        "We passed $30 million in revenue; compensation is top of market.",
        "Our ARR is $900,000 and growing. Salary is competitive.",
        "Founded in 2024. Salary: competitive.",
        "Compensation includes an annual bonus of $15,000 - $25,000.",
        "Refer a friend and earn at least $500.",
        "Dental plans with $0 employee cost and competitive pay.",
        "Pay is competitive. We donate up to $50/month to a charity of your choice.",
        "Senior engineer, 5+ years, 3 days in office, salary 120-150 depending on level.",
    ],
)
def test_find_pay_in_text_ignores_money_that_is_not_pay(description: str) -> None:
    assert find_pay_in_text(description) is None


# --- compare_to_band -----------------------------------------------------------------------------------


def usd(low: float | None, high: float | None, period: str = "year") -> StatedPay:
    return StatedPay(low=low, high=high, currency="USD", period=period, text="")


@pytest.mark.parametrize(
    ("pay", "band", "verdict"),
    [
        (usd(140_000, 160_000), (130_000, 180_000), "within"),
        (usd(90_000, 110_000), (130_000, 180_000), "below"),
        (usd(200_000, 240_000), (130_000, 180_000), "above"),
        (usd(120_000, 140_000), (130_000, 180_000), "within"),  # the midpoint decides, not the ends
        (usd(130_000, 130_000), (130_000, 180_000), "within"),  # bounds are inclusive
        (usd(150_000, None), (130_000, 180_000), "within"),  # "$150,000+": the one figure present
        (usd(None, 200_000), (130_000, 180_000), "above"),  # "up to $200,000"
        (usd(60, 70, "hour"), (130_000, 180_000), "within"),  # 124,800 and 145,600 a year
        (usd(900_000, 1_000_000), (130_000, None), "within"),  # open-ended band: no upper limit
        (usd(100_000, 110_000), (130_000, None), "below"),
        (usd(100_000, 110_000), (None, 120_000), "within"),
        (usd(140_000, 160_000), (None, None), None),  # no band
    ],
)
def test_compare_to_band(pay: StatedPay, band: tuple[float | None, float | None], verdict: str | None) -> None:
    assert compare_to_band(pay, *band) == verdict


def test_compare_to_band_needs_the_band_currency() -> None:
    eur = StatedPay(low=60_000, high=70_000, currency="EUR", period="year", text="")
    assert compare_to_band(eur, 50_000, 80_000) is None
    assert compare_to_band(eur, 50_000, 80_000, band_currency="EUR") == "within"
    unknown = StatedPay(low=60_000, high=70_000, currency=None, period="year", text="")
    assert compare_to_band(unknown, 50_000, 80_000) is None


def test_compare_to_band_needs_an_amount() -> None:
    nothing = StatedPay(low=None, high=None, currency="USD", period=None, text="Competitive")
    assert compare_to_band(nothing, 50_000, 80_000) is None


# --- tag shapes that name a midpoint, foreign separators, basis, place ---------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIN: $98,400 - MID: $123,000 - MAX: $147,600 CAD", (98400, 147600, "CAD", "year")),
        ("$121,500- $135,000- $148,500", (121500, 148500, "USD", "year")),  # low, midpoint, high
        ("DKK 845.000 kr.~1.210.000 kr.", (845000, 1210000, "DKK", "year")),
        ("SEK 715 000 kr~1 040 000 kr", (715000, 1040000, "SEK", "year")),
        ("RM3,400/yr", (3400, 3400, "MYR", "year")),
        ("Min: $88,000 / Max: $112,000", (88000, 112000, "USD", "year")),
    ],
)
def test_parse_pay_text_reads_midpoints_and_foreign_separators(text: str, expected: tuple[object, ...]) -> None:
    assert figures(parse_pay_text(text)) == expected


def test_a_dollar_takes_its_currency_from_the_place() -> None:
    canada = local_currencies("Toronto, ON")
    assert canada == {"$": "CAD"}
    assert figures(parse_pay_text("$120,000 - $140,000", local=canada)) == (120000, 140000, "CAD", "year")
    assert figures(parse_pay_text("USD $120,000 - $140,000", local=canada)) == (120000, 140000, "USD", "year")
    assert local_currencies("Vancouver, WA") == {}  # a US state keeps "$" as US dollars
    assert local_currencies("Remote - US/Canada") == {}
    assert local_currencies(None) == {}
    assert figures(parse_pay_text("40 000 kr/mån", local=local_currencies("Stockholm, Sweden"))) == (
        40000,
        40000,
        "SEK",
        "month",
    )


def test_find_pay_in_text_uses_the_place_for_a_dollar() -> None:
    text = "Salary: $92,000 - $110,000 plus benefits."
    assert figures(find_pay_in_text(text, location="Ottawa, Ontario")) == (92000, 110000, "CAD", "year")
    assert figures(find_pay_in_text(text, location="Denver, CO")) == (92000, 110000, "USD", "year")


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("$140,000 - $160,000", "base"),
        ("$140,000 - $160,000 base", "base"),
        ("OTE $180,000 - $220,000", "ote"),
        ("$180,000 - $220,000 OTE", "ote"),
        ("Total compensation: $250,000 - $300,000", "total"),
        ("$90,000 - $120,000 including bonus", "total"),
    ],
)
def test_basis_is_base_unless_the_words_say_otherwise(text: str, basis: str) -> None:
    pay = parse_pay_text(text)
    assert pay is not None
    assert pay.basis == basis


def test_stated_pay_validates_basis() -> None:
    with pytest.raises(PayError, match="basis: expected one of base, total, ote, unspecified, got 'net'"):
        StatedPay(low=1, high=2, currency="USD", period="year", text="", basis="net")
    assert StatedPay(low=1, high=2, currency="USD", period="year", text="").basis == "unspecified"


def test_markdown_escapes_keep_decimals_and_ranges() -> None:
    assert figures(find_pay_in_text("Pay: $31\\.50 \\- $36\\.00 per hour")) == (31.5, 36, "USD", "hour")
    assert figures(find_pay_in_text("Pay: $58,200\\\\.00 \\\\- $66,900\\\\.00 per year")) == (
        58200,
        66900,
        "USD",
        "year",
    )
