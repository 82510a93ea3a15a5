"""Human-readable output of the CLI: profile tables, one classification, an evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matching.evaluation import Evaluation, PayReading
from profiles import RoleProfile, SalaryBand
from profiles.level_bands import UNKNOWN, level_bands
from profiles.models import LEVELS

__all__ = ["render_evaluation", "render_profiles", "render_result"]


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:,.0f}"


def _figures(low: float | None, high: float | None, open_ended: bool) -> str:
    figures = f"{_money(low)}-{_money(high)}" if low != high else _money(low)
    return figures + ("+" if open_ended else "")


def _band_text(band: SalaryBand) -> str:
    if band.low is not None or band.high is not None:
        figures = _figures(band.low, band.high, band.open_ended)
    else:
        figures = _money(band.median or band.average)
    return f"line {band.line} {band.kind} {figures} ({band.basis}): {band.label}"


def render_profiles(profiles: Sequence[RoleProfile]) -> str:
    """Each role's band per level (the figure, and why), its points of reference, and its other figures."""
    out = []
    for profile in profiles:
        out.append(
            f"{profile.role}\n  title: {profile.title} (from the {profile.title_source})\n  seed:  {profile.seed}"
        )
        chosen = {band.level: band for band in level_bands(profile)}
        for level in (*LEVELS, UNKNOWN):
            band = chosen.get(level)
            if band is None:
                out.append(f"  {level:<10} no band: the document has no pay range that fits")
                continue
            figures = _figures(band.low, band.high, band.open_ended)
            out.append(f"  {level:<10} {figures:<20} {band.basis:<5} {band.reason}")
            if band.note:
                out.append(f"  {'':<10} not compared with stated base pay: {band.note}")
        points = [b for b in profile.salary_bands if b.scope == "role" and b.kind in ("average", "median")]
        for point in points:
            out.append(f"  {'point':<10} {_band_text(point)} (a point of reference, not a band)")
        others: dict[str, int] = {}
        for figure in profile.salary_bands:
            if figure.scope != "role" or figure.kind not in ("range", "average", "median"):
                key = figure.scope if figure.scope != "role" else figure.kind
                others[key] = others.get(key, 0) + 1
        if others:
            out.append("  also       " + ", ".join(f"{n} {kind}" for kind, n in sorted(others.items())) + " figures")
        out.append(f"  skills:    {', '.join(profile.skills[:12])}{' ...' if len(profile.skills) > 12 else ''}")
        out.append("")
    out.append("jobmatch profiles --json for every figure with its line and kind, and each level's band (level_bands)")
    return "\n".join(out) + "\n"


_CURRENCY_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€", "INR": "₹", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
_PER_PERIOD = {"hour": "an hour", "day": "a day", "week": "a week", "month": "a month", "year": "a year"}


def _amount(value: float, currency: str | None) -> str:
    """ "$185,000", "£42.50", "SEK 40,000", "120,000" (no currency named)."""
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    sign = _CURRENCY_SIGNS.get(currency or "")
    if sign:
        return f"{sign}{number}"
    return f"{currency} {number}" if currency else number


def _pay_figures(low: float | None, high: float | None, currency: str | None) -> str:
    if low is None and high is None:
        return "no amount"
    if low is None:
        return f"up to {_amount(high, currency)}" if high is not None else "no amount"
    if high is None:
        return f"{_amount(low, currency)}+"
    if low == high:
        return _amount(low, currency)
    return f"{_amount(low, currency)}-{_amount(high, currency)}"


def _zone_text(zone: dict[str, Any], currency: str | None) -> str:
    figures = _pay_figures(zone.get("low"), zone.get("high"), currency)
    label = str(zone.get("label") or "")
    if not label:
        return figures
    # "in California $X-$Y" reads worse than "$X-$Y in California"; "Zone B $X-$Y" reads fine
    return (
        f"{figures} {label}"
        if label.split()[0].lower() in ("in", "for", "at", "within", "outside")
        else f"{label} {figures}"
    )


def _stated_text(pay: dict[str, Any]) -> str:
    """ "$185,000-$235,000 a year (OTE; 3 zones: CA/NY $200,000-$235,000, ...)", as the expected band reads."""
    currency = pay.get("currency")
    line = _pay_figures(pay.get("low"), pay.get("high"), currency)
    if pay.get("period"):
        line += f" {_PER_PERIOD.get(pay['period'], 'per ' + str(pay['period']))}"
    notes = []
    if pay.get("basis") in ("ote", "total"):
        notes.append({"ote": "on-target earnings", "total": "total pay"}[pay["basis"]])
    zones = pay.get("zones") or []
    if zones:
        notes.append(f"{len(zones)} zones: " + ", ".join(_zone_text(zone, currency) for zone in zones))
    if pay.get("comparison"):
        notes.append(f"{pay['comparison']} the band")
    return line + (f" ({'; '.join(notes)})" if notes else "")


def render_result(result: dict[str, Any]) -> str:
    lines = [f"{result.get('title') or ''}  [{result['id']}]"]
    if result["status"] == "rejected":
        return "\n".join([*lines, f"  rejected: {result['error']}"]) + "\n"
    roles = result["roles"]
    if result["status"] == "matched":
        lines.append(f"  verdict:  matched  {result['role']}  (score {roles[0]['score']:.3f})")
    else:
        other = f", closer to: {result['closest_other_job']}" if result.get("closest_other_job") else ""
        lines.append(f"  verdict:  no match  (best {roles[0]['role']} at {roles[0]['score']:.3f}{other})")
    evidence = ", ".join(result["level_evidence"]) or "no level words"
    lines.append(f"  level:    {result['level']}  ({evidence})")
    lines.append("  ranking:  " + "  ".join(f"{r['role']} {r['score']:.3f}" for r in roles))
    if result["explanation"]:
        lines.append("  because:  " + ", ".join(f"{e['term']} {e['weight']:.3f}" for e in result["explanation"]))
    role_evidence = result.get("evidence") or {}
    specialties = role_evidence.get("specialties", [])
    # Work the role's names do not carry counts against it only above one half: the rest is not worth a word.
    against = [
        f"{s['word']} {s['evidence']:.2f}" for s in specialties if not s.get("carried", True) and s["evidence"] > 0.5
    ]
    if specialties or role_evidence.get("domain_named") is False:
        said = [f"{s['word']} {s['evidence']:.2f}" for s in specialties if s.get("carried", True)]
        if role_evidence.get("domain_named") is False:
            said.insert(0, "the role's domain is not named (never the match)")
        if against:
            said.append("against it: " + ", ".join(against))
        lines.append("  evidence: " + (", ".join(said) or "none of the role's specialties"))
    band = result["salary_band"]
    if band:
        where = ", ".join(f"{s['seed']}:{s['line']}" for s in band["sources"])
        plus = "+" if band["open_ended"] else ""
        note = f"; fallback: {band['fallback']}" if band["fallback"] else ""
        applies = "" if band["applies"] else "; US market figures, posting is outside the US"
        level = f", level {band['level']}" if band.get("level") else ""
        lines.append(f"  expected: {_money(band['low'])}-{_money(band['high'])}{plus} a year "
                     f"({band['basis']}{level}{note}{applies}; {where})")  # fmt: skip
    pay = result["stated_salary"]
    if pay:
        lines.append(f"  stated:   {_stated_text(pay)}")
        lines.append(f"            from {pay['text']!r}")
    lines.append(f"  model:    {result['model_version']}")
    return "\n".join(lines) + "\n"


def _measure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render_pay_reading(reading: PayReading, *, misses: bool = False) -> str:
    out = ["", f"{'pay in free text exact':<28} {reading.exactness:.3f}  (of {reading.postings})"]
    if misses:
        out.extend(f"pay miss {m['id']}: truth {m['truth']} read {m['read']}" for m in reading.misses)
    return "\n".join(out) + "\n"


def render_evaluation(ev: Evaluation, *, misses: bool = False) -> str:
    rows = [
        ("postings", f"{ev.postings}"),
        ("accuracy (with alternates)", f"{ev.accuracy:.3f}"),
        ("in-scope precision", f"{ev.precision:.3f}"),
        ("in-scope recall", f"{ev.recall:.3f}"),
        ("in-scope F1", f"{ev.f1:.3f}"),
        ("level accuracy", f"{ev.level_accuracy:.3f}  (of {ev.level_labelled} with a known level)"),
        ("stated pay exact", f"{ev.pay_exact:.3f}  (of {ev.pay_labelled} labelled)"),
        ("band covers stated pay", f"{ev.band_covers_pay:.3f}  (of {ev.band_pay_postings} in scope, USD)"),
    ]
    if ev.band_median_width is not None:
        rows.append(("band width (median high/low)", f"{ev.band_median_width:.2f}"))
    if ev.band_not_applicable:
        rows.append(("band not applicable", f"{ev.band_not_applicable}  (in scope, USD, outside the band's market)"))
    out = [f"{name:<28} {value}" for name, value in rows]
    out.append("")
    out.append(f"{'per role':<64} {'labelled':>8} {'strict':>7} {'lenient':>8} {'given':>6} {'precision':>9}")
    for role, m in sorted(ev.roles.items()):
        out.append(f"{role:<64} {m.labelled:>8} {_measure(m.strict_recall):>7} {_measure(m.lenient_recall):>8} "
                   f"{m.predicted:>6} {_measure(m.precision):>9}")  # fmt: skip
    names = sorted({a for a, _ in ev.confusion} | {b for _, b in ev.confusion})
    keys = {name: f"R{i}" for i, name in enumerate((n for n in names if n != "none"), start=1)}
    keys["none"] = "none"
    out.append("")
    out.append("confusion (rows: label, columns: predicted)")
    out.append("      " + "".join(f"{keys[n]:>6}" for n in names))
    for label in names:
        out.append(f"{keys[label]:<6}" + "".join(f"{ev.confusion[(label, p)]:>6}" for p in names))
    out.extend(f"  {keys[n]:<5} {n}" for n in names if n != "none")
    if misses:
        out.append("")
        out.extend(f"miss {m['id']}: label {m['label']} (also {m['also']}) predicted {m['predicted']}: {m['title']}"
                   for m in ev.misses)  # fmt: skip
    return "\n".join(out) + "\n"
