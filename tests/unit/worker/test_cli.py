"""The CLI end to end, in-process, on the project's own seeds and example feed."""

import json
from pathlib import Path

import pytest

from worker.cli import main
from worker.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profiles_json_lists_every_seed_with_traceable_bands(capsys):
    code, out, _ = run(capsys, "profiles", "--json")
    assert code == 0
    profiles = json.loads(out)
    assert sorted(p["seed"] for p in profiles) == sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    for profile in profiles:
        assert {"role", "title", "seed", "sections", "skills", "salary_bands"} <= profile.keys()
        lines = (ROOT / "seeds" / profile["seed"]).read_text(encoding="utf-8").splitlines()
        for band in profile["salary_bands"]:
            if band["unit"] == "amount" and band["low"] is not None:
                assert f"{band['low']:,.0f}" in lines[band["line"] - 1]


def test_profiles_table_and_role_lookup_by_seed_prefix(capsys):
    code, out, _ = run(capsys, "profiles", "004")
    assert code == 0
    assert "Machine Learning Platform Engineer" in out
    code, _, err = run(capsys, "profiles", "no-such-role")
    assert code == 2 and "no-such-role" in err


def test_batch_writes_one_line_per_input_line_in_order(capsys, tmp_path):
    out_path = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "batch", str(EXAMPLES / "postings.jsonl"), "--out", str(out_path))
    assert code == 0
    inputs = [line for line in (EXAMPLES / "postings.jsonl").read_text().splitlines() if line.strip()]
    results = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert len(results) == len(inputs)
    for number, (line, result) in enumerate(zip(inputs, results, strict=True), start=1):
        assert result["line"] == number
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            assert result["status"] == "rejected" and f"line {number}: not valid JSON" in result["error"]
            continue
        assert result["id"] == str(record["id"])
        if "title" not in record:
            assert result["status"] == "rejected" and "'title': missing" in result["error"]
        else:
            assert result["status"] in {"matched", "no_match"}
            assert result["model_version"] and result["schema_version"] == 1
    statuses = {r["status"] for r in results}
    assert statuses == {"matched", "no_match", "rejected"}
    assert "rejected" in err and "postings:" in err


def test_batch_with_workers_writes_what_one_process_writes(capsys, tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = (EXAMPLES / "postings.jsonl").read_text().splitlines()
    feed.write_text("\n".join(lines * 30) + "\n")  # several chunks, bad lines in each
    code1, _, err1 = run(capsys, "batch", str(feed), "--out", str(tmp_path / "one.jsonl"))
    code2, _, err2 = run(capsys, "batch", str(feed), "--out", str(tmp_path / "two.jsonl"), "--workers", "2")
    assert code1 == code2 == 0
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert err1 == err2 and "more rejected lines" in err1


def test_batch_workers_and_via_queue_do_not_mix(capsys, tmp_path):
    code, _, err = run(capsys, "batch", str(EXAMPLES / "postings.jsonl"), "--out", "-", "--workers", "2", "--via-queue")
    assert code == 2 and "--workers" in err


def test_batch_reports_an_unreadable_feed(capsys, tmp_path):
    code, _, err = run(capsys, "batch", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o.jsonl"))
    assert code == 2 and "missing.jsonl" in err


def test_classify_plain_text_and_json(capsys):
    code, out, _ = run(capsys, "classify", str(EXAMPLES / "posting.txt"), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["title"] == "Senior Machine Learning Engineer"
    assert result["id"].startswith("sha256:")
    assert result["level"] == "senior" and "Senior" in result["level_evidence"]
    code, out, _ = run(capsys, "classify", str(EXAMPLES / "posting.json"))
    assert code == 0 and "verdict:" in out and "level:" in out


def test_classify_bad_json_names_the_line(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x",\n "title": }')
    code, _, err = run(capsys, "classify", str(bad))
    assert code == 2 and "line 2" in err


def test_seeds_folder_is_configurable(capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "profiles", "--seeds", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err
    monkeypatch.setenv("JOBMATCH_SEEDS", str(tmp_path / "elsewhere"))
    code, _, err = run(capsys, "profiles")
    assert code == 2 and "elsewhere" in err


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost"])
def test_bad_settings_name_the_setting(capsys, monkeypatch, url):
    monkeypatch.setenv("JOBMATCH_REDIS_URL", url)
    code, _, err = run(capsys, "profiles")
    assert code == 2 and "JOBMATCH_REDIS_URL" in err and url in err


@pytest.mark.parametrize("value", ["soon", "0", "-5s"])
def test_watch_claim_idle_must_be_a_positive_duration(capsys, value):
    with pytest.raises(SystemExit) as exit_info:  # argparse refuses before anything connects
        main(["watch", f"--claim-idle={value}"])
    assert exit_info.value.code == 2
    assert "argument --claim-idle: expected a" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_goes_before_or_after_the_command_name(capsys, tmp_path, where):
    config = tmp_path / "jobmatch.toml"
    config.write_text(f'seeds = "{tmp_path / "seeds-from-config"}"\n')
    argv = ["--config", str(config), "profiles"] if where == "before" else ["profiles", "--config", str(config)]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "seeds-from-config" in err  # the file was read: its seeds folder does not exist


def test_config_after_the_command_name_reaches_every_command_and_celery_keeps_the_rest():
    parser = build_parser()
    for command in (["status"], ["submit", "x"], ["batch", "x", "--out", "-"], ["watch"], ["worker"], ["beat"]):
        args, _ = parser.parse_known_args([*command, "--config", "c.toml"])
        assert args.config == "c.toml", command
    args, extra = parser.parse_known_args(["--config", "first.toml", "status"])
    assert args.config == "first.toml"  # a command's parser does not reset it
    args, extra = parser.parse_known_args(["worker", "--config", "c.toml", "--concurrency", "2"])
    assert args.config == "c.toml" and extra == ["--concurrency", "2"]


def help_text(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_help_says_what_jobmatch_does_and_what_worker_and_beat_take(capsys):
    top = help_text(capsys)
    assert "which of our roles a job posting is" in top.lower()
    assert "JOBMATCH_CONFIG" in top and "before or after the command name" in top and "COMMAND --help" in top
    worker = help_text(capsys, "worker")
    assert "--concurrency" in worker and "celery -A worker.service.app worker --help" in worker
    assert "--config FILE" in worker and "JOBMATCH_" in worker
    beat = help_text(capsys, "beat")
    assert "[[sources]]" in beat and "celery -A worker.service.app beat --help" in beat and "--config FILE" in beat


def test_batch_of_one_pretty_printed_object_says_batch_wants_json_lines(capsys, tmp_path):
    code, _, err = run(capsys, "batch", str(EXAMPLES / "posting.json"), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0 and "10 rejected" in err
    assert "`batch` reads JSON Lines" in err and "`jobmatch classify FILE` and `jobmatch submit FILE`" in err
    array = tmp_path / "array.json"
    array.write_text('[{"id": "a", "title": "ML Engineer", "description": "PyTorch"}]\n')
    code, _, err = run(capsys, "batch", str(array), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0 and "`batch` reads JSON Lines" in err
    code, _, err = run(capsys, "batch", str(EXAMPLES / "postings.jsonl"), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0 and "rejected" in err and "JSON Lines" not in err  # a feed with bad lines gets no hint


def test_the_json_lines_hint_survives_a_summarys_trip_through_redis():
    from worker.chunks import BatchSummary, render_chunk

    summary = render_chunk([{"id": None, "status": "rejected", "error": "line 1: not valid JSON: Extra data"}]).summary
    assert BatchSummary.from_dict(json.loads(json.dumps(summary.to_dict()))).render() == summary.render()
    assert "JSON Lines" in summary.render()


def test_classify_refuses_binary_garbage_and_reads_text(capsys, tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(1, 256)) * 4)  # no NUL: caught by its share of undecodable and control bytes
    code, out, err = run(capsys, "classify", str(garbage))
    assert code == 2 and out == ""
    assert "binary data, not a posting" in err and "plain text whose first line is the title" in err
    (tmp_path / "nul.txt").write_bytes(b"ML Engineer\x00\nPyTorch")
    code, _, err = run(capsys, "classify", str(tmp_path / "nul.txt"))
    assert code == 2 and "a NUL byte at character 12" in err
    code, out, _ = run(capsys, "classify", str(EXAMPLES / "posting.txt"))
    assert code == 0 and "verdict:" in out
