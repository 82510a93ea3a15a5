"""Pay sentences in the shapes real postings use (pay_corpus.jsonl, written for these tests): read or refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matching.pay import find_pay_in_text

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "pay_corpus.jsonl").read_text().splitlines() if line]
POSITIVES = [case for case in CORPUS if case["pay"] is not None]
NEGATIVES = [case for case in CORPUS if case["pay"] is None]


def _id(case: dict[str, Any]) -> str:
    return str(case["text"][:50])


def test_the_corpus_has_both_kinds() -> None:
    assert len(POSITIVES) >= 40
    assert len(NEGATIVES) >= 20


@pytest.mark.parametrize("case", POSITIVES, ids=_id)
def test_pay_sentences_are_read_exactly(case: dict[str, Any]) -> None:
    pay = find_pay_in_text(case["text"], location=case.get("location"))
    assert pay is not None
    assert [pay.low, pay.high, pay.currency, pay.period] == case["pay"]
    if "basis" in case:
        assert pay.basis == case["basis"]
    if "zones" in case:
        assert [[zone.low, zone.high] for zone in pay.zones] == case["zones"]


@pytest.mark.parametrize("case", NEGATIVES, ids=_id)
def test_money_that_is_not_this_postings_pay_is_refused(case: dict[str, Any]) -> None:
    assert find_pay_in_text(case["text"], location=case.get("location")) is None


def test_false_pay_rate_on_the_negatives_is_zero() -> None:
    false_pay = [case["text"] for case in NEGATIVES if find_pay_in_text(case["text"]) is not None]
    assert false_pay == []
