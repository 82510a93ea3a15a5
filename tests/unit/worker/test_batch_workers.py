"""`classify_stream_parallel`: workers write exactly what the in-process batch writes, with bounded read-ahead."""

import io
import json
import random
import tempfile
from pathlib import Path

import pytest

from worker.batch.inprocess import classify_stream
from worker.batch.workers import classify_stream_parallel, iter_output_chunks
from worker.errors import WorkerError
from worker.lines import read_records
from worker.runtime import load_classifier
from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "postings.jsonl"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    # One artefact cache for the module: the workers load what the first build wrote.
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"))


def single_process(settings, text):
    out = io.StringIO()
    summary = classify_stream(load_classifier(settings), read_records(io.StringIO(text)), out)
    return out.getvalue(), summary


def parallel(settings, text, workers=2):
    out = io.StringIO()
    summary = classify_stream_parallel(settings, io.StringIO(text), out, workers=workers)
    return out.getvalue(), summary


def generated_feed(lines: int, seed: int = 7) -> str:
    """The example postings repeated with fresh ids, with bad lines of every kind mixed in."""
    rng = random.Random(seed)
    examples = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if _is_json(line)]
    bad = [
        "",
        "   ",
        "{not json",
        "[1, 2, 3]",
        '"just a string"',
        "null",
        '{"id": "no-title", "description": "Kubernetes and MLflow"}',
        '{"id": 7, "title": 42, "description": []}',
        '{"id": "odd", "title": "ML Engineer \\u2028 \udcff", "description": "PyTorch \\ud83d\\ude80 training"}',
        '{"id": "lone", "title": "ML Engineer \ud800", "description": "raw surrogate in the line"}',
        '{"id": "nested", "title": "Data Scientist", "description": "' + "<div>" * 200 + "models" + '"}',
    ]
    out = []
    for n in range(lines):
        if rng.random() < 0.1:
            out.append(rng.choice(bad))
        else:
            out.append(json.dumps({**rng.choice(examples), "id": f"gen-{n}"}, ensure_ascii=rng.random() < 0.5))
    return "\n".join(out)  # no newline after the last line, as some feeds end


def _is_json(line):
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def test_parallel_output_equals_the_single_process_output_on_the_examples(settings, capsys):
    text = EXAMPLES.read_text(encoding="utf-8")
    expected, expected_summary = single_process(settings, text)
    out = io.StringIO()
    summary = classify_stream_parallel(settings, io.StringIO(text), out, workers=2, progress=True, total=24)
    got = out.getvalue()
    assert "24/24" in capsys.readouterr().err  # the progress bar counted every posting
    assert got == expected
    assert summary == expected_summary and summary.render() == expected_summary.render()
    assert {json.loads(line)["status"] for line in got.splitlines()} == {"matched", "no_match", "rejected"}


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_output_equals_the_single_process_output_on_a_generated_feed(settings, start_method):
    text = generated_feed(3000)
    expected, expected_summary = single_process(settings, text)
    chunks = list(iter_output_chunks(settings, io.StringIO(text), workers=2, start_method=start_method))
    assert "".join(c.text for c in chunks) == expected  # same bytes: order, line numbers, rejection messages
    assert sum(c.summary.total for c in chunks) == expected_summary.total
    got, summary = parallel(settings, text)
    assert got == expected
    assert summary == expected_summary and summary.total == sum(1 for line in text.split("\n") if line.strip())
    assert summary.statuses["rejected"] > 100 and summary.statuses["matched"] > 1000


def test_one_worker_is_the_in_process_batch(settings):
    text = generated_feed(300, seed=3)
    assert parallel(settings, text, workers=1) == single_process(settings, text)


class CountingLines:
    """An input feed that counts how many lines the parent has read."""

    def __init__(self, lines):
        self.lines = lines
        self.read = 0

    def __iter__(self):
        for line in self.lines:
            self.read += 1
            yield line


def test_read_ahead_is_bounded_by_the_chunks_in_flight(settings):
    feed = CountingLines([line + "\n" for line in generated_feed(2000, seed=5).split("\n")])
    workers, chunk, per_worker, local_ahead = 2, 10, 2, 3
    bound = ((workers - 1) * per_worker + local_ahead) * chunk
    written = 0
    ahead = []
    totals = []
    chunks = iter_output_chunks(
        settings, feed, workers=workers, chunk_lines=chunk, in_flight_per_worker=per_worker, local_ahead=local_ahead
    )
    for done in chunks:
        totals.append(done.summary.total)
        ahead.append(feed.read - written)  # lines read but not yet handed back, this chunk's included
        written += chunk  # every chunk but the last holds `chunk` lines
    assert feed.read == 2000 and sum(totals) > 1500
    assert max(ahead) <= bound  # reading everything first (as Pool.imap does) would put ~2000 lines ahead


def test_this_process_fails_first_on_bad_seeds(settings, tmp_path):
    from profiles import SeedFolderError

    with pytest.raises(SeedFolderError, match="no-seeds"):
        parallel(settings.with_seeds(tmp_path / "no-seeds"), generated_feed(50))


def test_a_spawned_helper_that_cannot_load_the_classifier_fails_with_the_reason(settings, tmp_path):
    broken = settings.with_seeds(tmp_path / "no-seeds")
    chunks = iter_output_chunks(
        broken, ["{}\n"] * 100, workers=2, classifier=load_classifier(settings), start_method="spawn"
    )
    with pytest.raises(WorkerError, match=r"could not load the classifier: SeedFolderError: .*no-seeds"):
        list(chunks)


def test_workers_must_be_positive(settings):
    with pytest.raises(ValueError, match="workers: expected a positive number, got 0"):
        next(iter_output_chunks(settings, ["{}\n"], workers=0))


def test_a_summary_keeps_the_first_rejections_and_counts_the_rest():
    from worker.chunks import MAX_REJECTIONS_SHOWN, BatchSummary

    def rejected(line):
        return {"status": "rejected", "line": line, "error": f"line {line}: bad"}

    first, second = BatchSummary(), BatchSummary()
    for line in range(1, 16):
        first.add(rejected(line))
    for line in range(16, 31):
        second.add(rejected(line))
    first.merge(second)
    assert first.total == 30 and first.statuses["rejected"] == 30
    assert [line for line, _ in first.rejected_lines] == list(range(1, MAX_REJECTIONS_SHOWN + 1))
    assert f"and {30 - MAX_REJECTIONS_SHOWN} more rejected lines" in first.render()


def test_the_chunk_spool_is_removed_after_the_run(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the run's spool folder is made
    got, _ = parallel(settings, generated_feed(600, seed=3))
    assert got and list(tmp_path.iterdir()) == []
