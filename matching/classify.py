"""`Classifier`: one posting in, one result object out (the schema `batch`, the worker and Redis share)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from profiles.models import RoleProfile

from .bands import compare_with_band, expected_band
from .errors import MatchingError
from .model import Ranking, RoleMatcher
from .pay import (
    PayError,
    StatedPay,
    find_pay_in_text,
    local_currencies,
    parse_pay_text,
    parse_structured_pay,
)
from .posting import Posting, posting_from_dict
from .seniority import read_seniority

__all__ = ["SCHEMA_VERSION", "Classifier", "record_id", "rejected_result"]

# Bump when a field of the result object changes meaning or disappears.
SCHEMA_VERSION = 1


def rejected_result(
    posting_id: str | None, error: str, *, model_version: str, line: int | None = None
) -> dict[str, Any]:
    """The result for a posting that could not be classified: kept, with its error, never dropped."""
    return {
        "id": posting_id,
        "status": "rejected",
        "role": None,
        "roles": [],
        "level": "unknown",
        "level_evidence": [],
        "explanation": [],
        "salary_band": None,
        "stated_salary": None,
        "model_version": model_version,
        "schema_version": SCHEMA_VERSION,
        "error": error,
        **({"line": line} if line is not None else {}),
    }


class Classifier:
    """A fitted `RoleMatcher` plus the profiles it was fitted on: ranks, reads level and pay, picks a band."""

    def __init__(self, matcher: RoleMatcher, profiles: Sequence[RoleProfile]) -> None:
        matcher._check_fitted()
        self.matcher = matcher
        self.profiles = {p.role: p for p in profiles}

    @property
    def model_version(self) -> str:
        return str(self.matcher.model_version_)

    def classify(self, posting: Posting) -> dict[str, Any]:
        return self.classify_many([posting])[0]

    def classify_many(self, postings: Sequence[Posting]) -> list[dict[str, Any]]:
        rankings = self.matcher.rank_many(postings)
        results = []
        for posting, ranking in zip(postings, rankings, strict=True):
            try:
                results.append(self._result(posting, ranking))
            except PayError as exc:
                results.append(rejected_result(posting.id, str(exc), model_version=self.model_version))
        return results

    def classify_records(self, records: Iterable[tuple[int | None, object]]) -> list[dict[str, Any]]:
        """Results for raw records (decoded JSON values with their line numbers), in order.

        A record that is not a valid posting becomes a `rejected` result naming the problem and line.
        """
        results: list[dict[str, Any] | None] = []
        valid: list[Posting] = []
        slots: list[int] = []
        lines: list[int | None] = []
        for line, record in records:
            lines.append(line)
            try:
                valid.append(posting_from_dict(record))
            except MatchingError as exc:
                where = f"line {line}: " if line is not None else ""
                posting_id = record_id(record)
                results.append(
                    rejected_result(posting_id, where + str(exc), model_version=self.model_version, line=line)
                )
                continue
            slots.append(len(results))
            results.append(None)
        for slot, result in zip(slots, self.classify_many(valid), strict=True):
            results[slot] = result
        out: list[dict[str, Any]] = []
        for line, maybe in zip(lines, results, strict=True):
            assert maybe is not None  # every slot was filled above
            if line is not None:
                maybe["line"] = line
                if maybe["status"] == "rejected" and not str(maybe["error"]).startswith(f"line {line}:"):
                    maybe["error"] = f"line {line}: {maybe['error']}"  # pay errors are found after validation
            out.append(maybe)
        return out

    def _result(self, posting: Posting, ranking: Ranking) -> dict[str, Any]:
        seniority = read_seniority(posting.title, posting.description)
        best = ranking.best
        band = None
        if ranking.matched:
            band = expected_band(self.profiles[best.role], seniority.level, posting.location)
        stated = _stated_pay(posting)
        stated_dict = None
        if stated is not None:
            comparison, note = compare_with_band(stated, band) if ranking.matched else (None, "no role matched")
            stated_dict = {**stated.to_dict(), "comparison": comparison, "comparison_note": note}
        return {
            "id": posting.id,
            "status": "matched" if ranking.matched else "no_match",
            "role": best.role if ranking.matched else None,
            "title": posting.title,
            "score": best.score,
            "roles": [{"role": r.role, "title": r.title, "seed": r.seed, "score": r.score} for r in ranking.roles],
            "closest_other_job": ranking.other_job,
            "level": seniority.level,
            "level_evidence": list(seniority.evidence),
            "explanation": [{"term": term, "weight": weight} for term, weight in ranking.explanation],
            "evidence": {
                "domain_named": ranking.domain_named,
                "specialties": [
                    {"word": word, "evidence": value, "carried": carried}
                    for word, value, carried in ranking.specialties
                ],
            },
            "salary_band": band.to_dict() if band is not None else None,
            "stated_salary": stated_dict,
            "source": posting.source,
            "content_hash": posting.content_hash,
            "model_version": self.model_version,
            "schema_version": SCHEMA_VERSION,
            "error": None,
        }


def _stated_pay(posting: Posting) -> StatedPay | None:
    if posting.salary is not None:
        return parse_structured_pay(posting.salary, posting_id=posting.id)
    if posting.salary_text is not None:
        # A pay tag without an amount ("Competitive") is "no pay", not a reason to guess from the text.
        return parse_pay_text(posting.salary_text, local=local_currencies(posting.location))
    return find_pay_in_text(posting.description, location=posting.location)


def record_id(record: object) -> str | None:
    """The id of a raw record (a decoded JSON value) when it has a usable one, as a string; else None."""
    if isinstance(record, Mapping):
        raw = record.get("id")
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            return str(raw)
    return None
