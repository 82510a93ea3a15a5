"""Human-readable output of the CLI: profile tables, one classification, an evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matching.evaluation import Evaluation
from profiles import RoleProfile, SalaryBand
from profiles.models import LEVELS

__all__ = ["render_evaluation", "render_profiles", "render_result"]


def _money(value: float | None) -> str:
    return "?" if value is None else f"${value:,.0f}"


def _band_text(band: SalaryBand) -> str:
    if band.low is not None or band.high is not None:
        figures = f"{_money(band.low)}-{_money(band.high)}" if band.low != band.high else _money(band.low)
    else:
        figures = f"median {_money(band.median or band.average)}"
    plus = "+" if band.open_ended else ""
    return f"{figures}{plus} ({band.basis}, line {band.line})"


def render_profiles(profiles: Sequence[RoleProfile]) -> str:
    out = []
    for profile in profiles:
        out.append(f"{profile.role}\n  title: {profile.title}\n  seed:  {profile.seed}")
        role_bands = [b for b in profile.salary_bands if b.scope == "role" and b.unit == "amount" and not b.component]
        for level in LEVELS:
            bands = [b for b in role_bands if level in b.levels]
            if bands:
                ordered = sorted(bands, key=lambda b: (not b.primary, b.line))
                out.append(f"  {level:<10} " + "; ".join(_band_text(b) + (" *" if b.primary else "") for b in ordered))
        unleveled = [b for b in role_bands if not b.levels]
        if unleveled:
            out.append("  any level  " + "; ".join(_band_text(b) for b in unleveled))
        others: dict[str, int] = {}
        for band in profile.salary_bands:
            if band.scope != "role":
                others[band.scope] = others.get(band.scope, 0) + 1
        if others:
            out.append("  also       " + ", ".join(f"{n} {scope}" for scope, n in sorted(others.items())) + " figures")
        out.append(f"  skills:    {', '.join(profile.skills[:12])}{' ...' if len(profile.skills) > 12 else ''}")
        out.append("")
    out.append("* primary band for its level;  jobmatch profiles --json for every figure with its line")
    return "\n".join(out) + "\n"


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
    band = result["salary_band"]
    if band:
        where = ", ".join(f"{s['seed']}:{s['line']}" for s in band["sources"])
        plus = "+" if band["open_ended"] else ""
        note = f"; fallback: {band['fallback']}" if band["fallback"] else ""
        applies = "" if band["applies"] else "; US market figures, posting is outside the US"
        lines.append(f"  expected: {_money(band['low'])}-{_money(band['high'])}{plus} a year "
                     f"({band['basis']}, level {band['level']}{note}{applies}; {where})")  # fmt: skip
    pay = result["stated_salary"]
    if pay:
        compared = f", {pay['comparison']} the band" if pay.get("comparison") else ""
        lines.append(
            f"  stated:   {pay['text']!r} -> {pay['currency']} {pay['low']}-{pay['high']} per {pay['period']}{compared}"
        )
    lines.append(f"  model:    {result['model_version']}")
    return "\n".join(lines) + "\n"


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
    out = [f"{name:<28} {value}" for name, value in rows]
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
