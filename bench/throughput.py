"""In-process throughput of the matcher next to a bare TfidfVectorizer on the same texts, in one run.

    .venv/bin/python bench/throughput.py [POSTINGS.jsonl] [--postings N] [--repeats R]

Times, in R interleaved rounds (each round runs each once, so drift hits all three alike): a bare
`TfidfVectorizer()` (default settings, fitted on the seed documents) transforming title + description; the full
classifier on decoded postings; and the `jobmatch batch` command itself, run in this process from a JSONL file to a
JSONL file. Prints the median postings/s of each and the median of its per-round ratios to the bare transform.
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
from collections.abc import Callable
from pathlib import Path

from feeds import default_postings
from sklearn.feature_extraction.text import TfidfVectorizer

from worker.cli import main as jobmatch
from worker.lines import iter_result_chunks
from worker.runtime import freeze_long_lived, load_classifier
from worker.settings import load_settings


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each run, `repeats` rounds, each round running every one once in turn (drift hits all alike)."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("postings", nargs="?", type=Path, help="JSONL postings (default: the dev postings)")
    parser.add_argument("--postings", dest="count", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    args.postings = args.postings or default_postings()

    lines = [line for line in args.postings.read_text(encoding="utf-8").splitlines() if _is_object(line)]
    lines = list(itertools.islice(itertools.cycle(lines), args.count))
    records = [json.loads(line) for line in lines]
    texts = [f"{r.get('title', '')}\n{r.get('description', '')}" for r in records]
    kb = sum(len(t.encode()) for t in texts) / len(texts) / 1024
    print(f"{len(lines)} postings ({kb:.1f} KB of text each on average), {args.repeats} interleaved rounds: "
          "median postings/s, median of the rounds' ratios to the bare transform")  # fmt: skip

    settings = load_settings()
    bare = TfidfVectorizer().fit([_seed_text(s) for s in sorted(settings.seeds.glob("*.txt"))])
    classifier = load_classifier(settings)

    freeze_long_lived()

    numbered = list(enumerate(records, start=1))
    with tempfile.TemporaryDirectory() as folder:
        feed, out = Path(folder) / "feed.jsonl", Path(folder) / "results.jsonl"
        feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

        def whole_batch() -> None:
            with contextlib.redirect_stderr(io.StringIO()):  # the run's summary
                if jobmatch(["batch", str(feed), "--out", str(out), "--no-progress"]) != 0:
                    raise SystemExit("jobmatch batch failed")

        seconds = interleaved(
            {
                "bare TfidfVectorizer().transform": lambda: bare.transform(texts),
                "classifier (decoded postings)": lambda: sum(1 for _ in iter_result_chunks(classifier, numbered)),
                "jobmatch batch (file in, file out)": whole_batch,
            },
            args.repeats,
        )
    bare_seconds = seconds["bare TfidfVectorizer().transform"]
    for name, times in seconds.items():
        # each round's ratio to the bare transform of the same round
        ratios = sorted(bare / own for bare, own in zip(bare_seconds, times, strict=True))
        print(f"{name:<36} {len(lines) / statistics.median(times):>9,.0f} postings/s   "
              f"{statistics.median(ratios):.2f}x   (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")  # fmt: skip


def _is_object(line: str) -> bool:
    """A line the bare transform can take too: a JSON object (the examples hold broken lines on purpose)."""
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
