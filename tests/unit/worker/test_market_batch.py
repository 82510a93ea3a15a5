"""`jobmatch batch` ends its summary with the feed's stated pay per role and level, and `--market-out` writes it as
JSON: the same table with one process or several, each posting (id and content hash) counted once."""

import json
from pathlib import Path

import pytest
from helpers import senior_ml

from worker.chunks import BatchSummary, render_chunk
from worker.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    postings = [senior_ml(n, 120_000 + 2_000 * n) for n in range(24)]
    lines = [json.dumps(p) for p in postings]
    lines += lines[:5]  # the same five postings again: counted once
    lines += [
        json.dumps({"id": "rn-1", "title": "Registered Nurse", "description": "Patient care.", "salary_text": "$70/hr"})
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_batch(capsys, feed: Path, tmp_path: Path, *extra: str) -> tuple[list, str]:
    market = tmp_path / f"market{len(extra)}.json"
    code = main(["batch", str(feed), "--out", str(tmp_path / "out.jsonl"), "--market-out", str(market), *extra])
    _, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(market.read_text(encoding="utf-8")), err


def test_batch_market_out_writes_the_table_and_the_summary_ends_with_it(capsys, feed, tmp_path):
    report, err = run_batch(capsys, feed, tmp_path)
    (role,) = report
    assert role["window_days"] is None and role["min_count"] == 20
    (level,) = role["levels"]
    (row,) = level["market"]
    assert level["level"] == "senior" and row["currency"] == "USD"
    assert row["count"] == 24 and row["trusted"]  # 29 lines with pay, 24 distinct postings; the nurse is no_match
    midpoints = sorted(140_000 + 2_000 * n for n in range(24))
    assert abs(row["p50"] / ((midpoints[11] + midpoints[12]) / 2) - 1) <= 0.03
    assert row["p10"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p90"]
    assert level["band"] is None or level["band"]["currency"] == "USD"
    table = err.split("stated annual base pay in this feed", 1)[1]
    assert f"{role['role']}  (" in table and "senior     USD      24" in table


def test_the_table_is_the_same_with_several_processes(capsys, feed, tmp_path):
    one, _ = run_batch(capsys, feed, tmp_path)
    two, _ = run_batch(capsys, feed, tmp_path, "--workers", "2")
    assert one == two


def test_a_feed_without_stated_pay_writes_an_empty_table_and_prints_none(capsys, tmp_path):
    path = tmp_path / "nopay.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "Registered Nurse", "description": "Patient care."}) + "\n")
    report, err = run_batch(capsys, path, tmp_path)
    assert report == [] and "stated annual base pay" not in err


def test_chunk_summaries_carry_their_pay_through_json_and_merge_once_per_posting():
    results = [
        {"id": f"p{n % 3}", "status": "matched", "role": "r", "level": "mid", "content_hash": "h", "line": n,
         "stated_salary": {"currency": "USD", "basis": "base", "annual_low": 100_000.0 + n, "annual_high": None}}
        for n in range(6)
    ]  # fmt: skip
    chunk = render_chunk(results[:3]).summary
    again = BatchSummary.from_dict(json.loads(json.dumps(render_chunk(results[3:]).summary.to_dict())))
    run = BatchSummary()
    run.merge(chunk)
    run.merge(again)
    assert run.market is not None
    (row,) = run.market.rows()
    assert row["count"] == 3


def test_the_market_settings_default_and_name_themselves_when_wrong(tmp_path):
    from worker.errors import SettingsError
    from worker.settings import load_settings

    defaults = load_settings(environ={})
    assert (defaults.market_window_days, defaults.market_min_count) == (90, 20)
    config = tmp_path / "jobmatch.toml"
    config.write_text("market_window_days = 30\nmarket_min_count = 5\n")
    from_file = load_settings(environ={}, config_file=config)
    assert (from_file.market_window_days, from_file.market_min_count) == (30, 5)
    with pytest.raises(
        SettingsError, match=r"JOBMATCH_MARKET_WINDOW_DAYS: expected a whole number of days from 1 to 366, got '400'"
    ):
        load_settings(environ={"JOBMATCH_MARKET_WINDOW_DAYS": "400"})
    with pytest.raises(SettingsError, match=r"JOBMATCH_MARKET_MIN_COUNT: expected a positive whole number, got '0'"):
        load_settings(environ={"JOBMATCH_MARKET_MIN_COUNT": "0"})
