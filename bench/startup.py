"""Start-up of `jobmatch classify` on one posting in a fresh process: warm artefact cache, cold cache, import floors.

    .venv/bin/python bench/startup.py [POSTING] [--runs N]

Each figure is the median wall time of N fresh processes (default 7). "cold" empties a private cache folder
before every run, so the model is fitted and the artefact written; "warm" loads the artefact that the first
cold run left. Two floors: `python -c "import numpy, scipy.sparse"`, which every classifying process pays, and
`python -c "import sklearn"`, which only fitting (a cold start) pays: a warm start loads a pickled matcher that
does not need scikit-learn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBMATCH = Path(sys.executable).with_name("jobmatch")


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("posting", nargs="?", default=str(ROOT / "examples" / "posting.json"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    classify = [str(JOBMATCH), "classify", args.posting, "--json"]
    with tempfile.TemporaryDirectory(prefix="jobmatch-startup-") as scratch:
        cache = Path(scratch) / "cache"
        env = {**os.environ, "JOBMATCH_CACHE_DIR": str(cache)}
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(classify, env))
        warm = [timed(classify, env) for _ in range(args.runs)]
        floor = [timed([sys.executable, "-c", "import numpy, scipy.sparse"], env) for _ in range(args.runs)]
        sklearn = [timed([sys.executable, "-c", "import sklearn"], env) for _ in range(args.runs)]
        bare = [timed([sys.executable, "-c", "pass"], env) for _ in range(args.runs)]
    rows = [
        ("jobmatch classify, warm cache (artefact loaded)", warm),
        ("jobmatch classify, cold cache (fit + write artefact)", cold),
        ('python -c "import numpy, scipy.sparse" (floor)', floor),
        ('python -c "import sklearn" (cold starts only)', sklearn),
        ('python -c "pass"', bare),
    ]
    print(f"median of {args.runs} fresh processes each; target: warm <= 1.5 s")
    for label, times in rows:
        print(f"  {label:<54} {statistics.median(times):6.3f} s   (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  warm - floor: {statistics.median(warm) - statistics.median(floor):.3f} s (jobmatch's own start-up)")


if __name__ == "__main__":
    main()
