"""The observed market against a real Redis and a real worker: stated pay counted as results are published, once per
posting (id and content hash) per window however often it is republished, merged over daily buckets on read, and
attached as `market_band` when results are read (the stored result unchanged)."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli, wait_for
from helpers import senior_ml

from worker.runtime import load_classifier
from worker.service.store.market import DAY_SECONDS, attach_market_band, today
from worker.service.store.results import Outcome, stored_result

ROLE = "machine-learning-engineer"
EXAMPLES = ROOT / "examples" / "postings.jsonl"


def test_published_pay_counts_once_per_posting_and_results_carry_the_market_band(
    worker, client, env, settings, raw_redis, prefix
):
    postings = [senior_ml(n, 120_000 + 2_000 * n) for n in range(24)]
    classifier = load_classifier(settings)
    first = classifier.classify_records([(None, p) for p in postings[:1]])[0]
    assert first["status"] == "matched" and first["level"] == "senior", first
    role, level = first["role"], first["level"]

    lines = [json.dumps(p) for p in postings]
    client.submit(lines)
    wait_for(lambda: all(client.store.get_results([p["id"] for p in postings])), 60, "every result")
    wait_for(lambda: client.store.market.histogram(role, level, "USD").count == 24, 10, "24 postings counted")

    # Republished: the same postings again (the same id and content) count nothing more; a changed one does.
    client.submit(lines)
    changed = {**postings[0], "salary": {**postings[0]["salary"], "max": 175_000}}
    client.submit([json.dumps(changed)])
    wait_for(lambda: client.store.get_result("mk-0")["stated_salary"]["annual_high"] == 175_000, 60, "mk-0 again")
    histogram = wait_for(
        lambda: (h := client.store.market.histogram(role, level, "USD")).count == 25 and h, 10, "25 counted"
    )
    assert histogram.count == 25  # 24 postings + the changed one, never the 24 republished

    # Reading a result attaches the band; the stored result stays as it was published.
    result = client.get_result("mk-5")
    assert "market_band" not in client.store.get_result("mk-5")
    band = result["market_band"]
    assert band["count"] == 25 and band["role"] == role and band["level"] == level and band["currency"] == "USD"
    midpoints = sorted(120_000 + 2_000 * n + 20_000 for n in range(24))
    assert midpoints[5] * 0.97 <= band["low"] <= band["median"] <= band["high"] <= midpoints[19] * 1.03
    assert band["comparison"] in ("below", "within") and band["comparison_note"] is None
    assert {k: v for k, v in result.items() if k != "market_band"} == stored_result(
        classifier.classify_records([(None, postings[5])])[0]
    )

    # `jobmatch result`, `top` and `market` show it.
    shown = json.loads(run_cli(["result", "mk-5"], env).stdout)
    assert shown["market_band"] == band
    top = json.loads(run_cli(["top", role, "-n", "3", "--json"], env).stdout)
    assert all(entry["result"]["market_band"]["count"] == 25 for entry in top)
    done = run_cli(["market", role, "--json"], env)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)
    (row,) = [r for lv in report["levels"] if lv["level"] == level for r in lv["market"]]
    assert row["count"] == 25 and row["trusted"] and row["p25"] == band["low"] and row["p75"] == band["high"]
    text = run_cli(["market", role], env)
    assert text.returncode == 0 and f"{level:<10} USD      25" in text.stdout, text.stdout

    # Every market key is under the prefix, and a seen key lives as long as the window.
    seen = [k for k in raw_redis.scan_iter(match=f"{prefix}market:seen:*")]
    assert len(seen) == 25
    assert 89 * DAY_SECONDS * 1000 < raw_redis.pttl(seen[0]) <= 90 * DAY_SECONDS * 1000


def test_below_the_minimum_the_band_has_a_count_and_no_figures(client, settings):
    record = senior_ml(1, 150_000)
    result = load_classifier(settings).classify_records([(None, record)])[0]
    assert client.store.publish([Outcome(result, json.dumps(record), "submit")]) == 1
    band = client.get_result("mk-1")["market_band"]
    assert band["count"] == 1 and band["low"] is None and band["comparison"] is None
    assert band["comparison_note"] == "1 postings with stated pay in the last 90 days, fewer than 20"
    unmatched = {**result, "status": "no_match", "role": None}
    assert attach_market_band(unmatched, client.store.market)["market_band"] is None


def test_daily_buckets_merge_over_the_window_and_old_days_drop_out(client, settings, raw_redis):
    record = senior_ml(1, 150_000)
    base = load_classifier(settings).classify_records([(None, record)])[0]
    market = client.store.market
    now = today() * DAY_SECONDS + 3600.0
    for day in range(30):  # one posting a day for 30 days, 20,000 a year apart
        result = {**base, "id": f"d-{day}", "content_hash": f"h{day}"}
        result["stated_salary"] = {**base["stated_salary"], "annual_low": 100_000.0 + day * 1000, "annual_high": None}
        assert market.count([result], now=now - (29 - day) * DAY_SECONDS) == 1
    role, level = base["role"], base["level"]
    assert market.histogram(role, level, "USD", now=now).count == 30
    # 80 days on, only the last 10 days are in the 90-day window.
    assert market.histogram(role, level, "USD", now=now + 80 * DAY_SECONDS).count == 10
    table = market.table(now=now)
    (row,) = table.rows()
    assert row["count"] == 30 and abs(row["p50"] / 114_500 - 1) <= 0.03
    # A bucket expires when its day leaves the window.
    key = client.keys.market(role, level, "USD", today(now))
    assert raw_redis.pttl(key) > 89 * DAY_SECONDS * 1000
    # Once every bucket is out of the window, the index forgets the role, level and currency.
    assert market.table(now=now + 200 * DAY_SECONDS).rows() == []
    assert raw_redis.hlen(client.keys.market_index) == 0


def test_batch_via_queue_prints_and_writes_the_same_market_table_as_in_process(worker, env, tmp_path):
    local = run_cli(
        ["batch", str(EXAMPLES), "--out", str(tmp_path / "a.jsonl"), "--market-out", str(tmp_path / "a.json")], env
    )
    queued = run_cli(
        [
            "batch",
            str(EXAMPLES),
            "--out",
            str(tmp_path / "b.jsonl"),
            "--via-queue",
            "--market-out",
            str(tmp_path / "b.json"),
        ],
        env,
    )
    assert local.returncode == 0 and queued.returncode == 0, queued.stderr
    assert queued.stderr == local.stderr and "stated annual base pay in this feed" in local.stderr
    assert json.loads((tmp_path / "b.json").read_text()) == json.loads((tmp_path / "a.json").read_text()) != []
    assert (tmp_path / "b.jsonl").read_text() == (tmp_path / "a.jsonl").read_text()


def test_a_day_bucket_in_redis_is_the_histogram_python_builds_in_any_order(client, settings, raw_redis):
    from matching.market import PayHistogram

    record = senior_ml(1, 150_000)
    base = load_classifier(settings).classify_records([(None, record)])[0]
    pays = [150_000.0, 90_000.0, 400_000.0, 150_000.0, 20.0, 9e12, 120_000.0, 89_000.0]  # lower, higher, edges
    results = []
    for n, pay in enumerate(pays):
        result = {**base, "id": f"o-{n}", "content_hash": f"h{n}"}
        result["stated_salary"] = {**base["stated_salary"], "annual_low": pay, "annual_high": None}
        results.append(result)
    market = client.store.market
    for result in results:  # one call each: every bucket update starts from what Redis holds
        market.count([result])
    expected = PayHistogram("USD")
    for pay in pays:
        expected.add(pay)
    assert market.histogram(base["role"], base["level"], "USD") == expected
    stored = raw_redis.get(client.keys.market(base["role"], base["level"], "USD", today()))
    assert stored == expected.to_bytes()


def test_a_damaged_bucket_costs_its_day_not_the_read(client, settings, raw_redis, caplog):
    record = senior_ml(1, 150_000)
    base = load_classifier(settings).classify_records([(None, record)])[0]
    market = client.store.market
    market.count([base])
    role, level = base["role"], base["level"]
    damaged = client.keys.market(role, level, "USD", today() - 1)
    raw_redis.set(damaged, b"\x01\x30" + bytes(700))
    assert market.histogram(role, level, "USD").count == 1
    assert f"market: skipping {damaged}: not a day bucket" in caplog.text
