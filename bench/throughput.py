"""In-process throughput of the matcher next to a bare TfidfVectorizer on the same texts, in one run.

    .venv/bin/python bench/throughput.py [POSTINGS.jsonl] [--postings N] [--repeats R]

Prints postings/s (median of R runs) for: a bare `TfidfVectorizer()` (default settings, fitted on the seed
documents) transforming title + description; the full classifier on decoded postings; and the `jobmatch batch`
command itself, run in this process from a JSONL file to a JSONL file, with their ratios to the bare transform.
Once everything is loaded the collector is told to leave it alone (`freeze_long_lived`, as `jobmatch batch`
does), so all three run with the same garbage-collector state.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import statistics
import tempfile
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from worker.batch import iter_result_chunks
from worker.cli import main as jobmatch
from worker.runtime import freeze_long_lived, load_classifier
from worker.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTINGS = ROOT.parent / "shared" / "eval" / "postings.jsonl"


def median_rate(n: int, run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return n / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", default=str(DEFAULT_POSTINGS))
    parser.add_argument("--postings", dest="count", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    lines = [line for line in Path(args.postings).read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = list(itertools.islice(itertools.cycle(lines), args.count))
    records = [json.loads(line) for line in lines]
    texts = [f"{r.get('title', '')}\n{r.get('description', '')}" for r in records]
    kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
    print(f"{len(lines)} postings ({kb:.1f} KB of text each on average), median of {args.repeats} runs")

    settings = load_settings()
    bare = TfidfVectorizer().fit([_seed_text(s) for s in sorted(settings.seeds.glob("*.txt"))])
    classifier = load_classifier(settings)

    freeze_long_lived()

    bare_rate = median_rate(len(texts), lambda: bare.transform(texts), args.repeats)
    numbered = list(enumerate(records, start=1))
    classify_rate = median_rate(
        len(records), lambda: sum(1 for _ in iter_result_chunks(classifier, numbered)), args.repeats
    )
    with tempfile.TemporaryDirectory() as folder:
        feed, out = Path(folder) / "feed.jsonl", Path(folder) / "results.jsonl"
        feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

        def whole_batch() -> None:
            with contextlib.redirect_stderr(io.StringIO()):  # the run's summary
                if jobmatch(["batch", str(feed), "--out", str(out), "--no-progress"]) != 0:
                    raise SystemExit("jobmatch batch failed")

        batch_rate = median_rate(len(lines), whole_batch, args.repeats)
    print(f"{'bare TfidfVectorizer().transform':<40} {bare_rate:>9,.0f} postings/s   1.00x")
    print(f"{'classifier (decoded postings)':<40} {classify_rate:>9,.0f} postings/s   {classify_rate / bare_rate:.2f}x")
    print(f"{'jobmatch batch (file in, file out)':<40} {batch_rate:>9,.0f} postings/s   {batch_rate / bare_rate:.2f}x")


def _seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
