"""`render_result` prints stated pay the way it prints bands: "$185,000-$235,000 a year", never "185000.0"."""

from __future__ import annotations

from typing import Any

from worker.cli.render import render_result


def result(stated: dict[str, Any] | None, band: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": "p-1",
        "title": "ML Platform Engineer",
        "status": "no_match",
        "roles": [{"role": "004", "title": "ML Platform Engineer", "seed": "004.txt", "score": 0.1}],
        "closest_other_job": None,
        "level": "senior",
        "level_evidence": ["Senior"],
        "explanation": [],
        "salary_band": band,
        "stated_salary": stated,
        "model_version": "m1",
    }


def pay(**fields: Any) -> dict[str, Any]:
    base = {"low": 185000.0, "high": 235000.0, "currency": "USD", "period": "year", "text": "Salary: $185k-$235k",
            "basis": "base", "zones": [], "comparison": None}  # fmt: skip
    return {**base, **fields}


def stated_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.lstrip().startswith("stated:"))


def test_stated_pay_reads_like_a_band() -> None:
    out = render_result(result(pay()))
    assert stated_line(out) == "  stated:   $185,000-$235,000 a year"
    assert "from 'Salary: $185k-$235k'" in out
    assert "185000.0" not in out


def test_open_ended_hourly_foreign_and_basis() -> None:
    assert stated_line(render_result(result(pay(low=None, high=42.5, period="hour")))).endswith("up to $42.50 an hour")
    assert stated_line(render_result(result(pay(high=None)))).endswith("$185,000+ a year")
    eur = pay(low=4200.0, high=5400.0, currency="EUR", period="month")
    assert stated_line(render_result(result(eur))).endswith("€4,200-€5,400 a month")
    sek = pay(low=40000.0, high=40000.0, currency="SEK", period="month")
    assert stated_line(render_result(result(sek))).endswith("SEK 40,000 a month")
    ote = pay(basis="ote", comparison="above")
    assert stated_line(render_result(result(ote))).endswith("a year (on-target earnings; above the band)")


def test_zones_are_listed_with_their_labels() -> None:
    zones = [{"label": "in California", "low": 200000.0, "high": 235000.0},
             {"label": "Zone B", "low": 185000.0, "high": 210000.0}]  # fmt: skip
    line = stated_line(render_result(result(pay(zones=zones))))
    assert line.endswith("(2 zones: $200,000-$235,000 in California, Zone B $185,000-$210,000)")


def test_a_band_without_a_level_never_prints_level_none() -> None:
    band = {"low": 150000.0, "high": 200000.0, "open_ended": False, "basis": "base", "level": None,
            "fallback": None, "applies": True, "sources": [{"seed": "004.txt", "line": 12}]}  # fmt: skip
    out = render_result(result(None, band))
    assert "level None" not in out
    assert "  expected: $150,000-$200,000 a year (base; 004.txt:12)" in out


def test_role_evidence_is_printed_with_the_domain_verdict():
    shown = render_result(
        {**result(None), "evidence": {"domain_named": False, "specialties": [{"word": "architect", "evidence": 1.0}]}}
    )
    assert "  evidence: the role's domain is not named (never the match), architect 1.00" in shown.splitlines()
    quiet = render_result({**result(None), "evidence": {"domain_named": True, "specialties": []}})
    assert "evidence:" not in quiet


def test_evidence_for_work_the_role_does_not_carry_is_printed_against_it() -> None:
    specialties = [
        {"word": "backend", "evidence": 0.33, "carried": True},
        {"word": "infrastructure", "evidence": 1.0, "carried": False},
        {"word": "platform", "evidence": 0.17, "carried": False},
    ]
    shown = render_result({**result(None), "evidence": {"domain_named": True, "specialties": specialties}})
    assert "  evidence: backend 0.33, against it: infrastructure 1.00" in shown.splitlines()
