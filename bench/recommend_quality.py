"""Recommendation quality: precision@5 per role for the persona texts in bench/personas/ (written as people in
each role would describe themselves: `NNN.txt` one per role, and `NNN-*.txt` in other styles: a short bio, a
CV's opening, "I'm a ..."), against the labelled dev postings.

    .venv/bin/python bench/recommend_quality.py [--eval DIR] [--personas DIR] [-k 5] [--min-labelled 10] [--json]

Starts its own `redis-server` on a free port, classifies the dev postings (`DIR/postings.jsonl`, default
`../shared/eval/`) and publishes them exactly as a worker does (`handling.classify_items`, `outcomes`, the store
with the worker's card hook), then asks `Client.recommend(persona text)` for each persona `NNN*.txt` (NNN: the
seed prefix of its role). precision@k = the share of the top k recommended postings whose labels (`role` or
`also`) accept the persona's role, per text and its mean per role; reported for roles with at least
`--min-labelled` labelled dev postings (the others are shown, marked). Without the eval folder it says so and
stops: the labels are not in the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing
sys.path.insert(0, str(ROOT / "bench"))

from load import LocalRedis  # noqa: E402

from worker import Client  # noqa: E402
from worker.runtime import load_classifier  # noqa: E402
from worker.service.handling import Item, classify_items, outcomes  # noqa: E402
from worker.service.recommend import card_maker  # noqa: E402
from worker.service.redisconn import connect  # noqa: E402
from worker.service.store.results import ResultStore  # noqa: E402
from worker.settings import Settings, load_settings  # noqa: E402


def publish_feed(settings: Settings, lines: list[str], chunk: int = 500) -> None:
    """Classify and publish postings (JSON text each) as a worker does, cards included."""
    classifier = load_classifier(settings)
    store = ResultStore(connect(settings), settings)
    store.cards = card_maker(lambda: classifier)
    for start in range(0, len(lines), chunk):
        items = [Item(text) for text in lines[start : start + chunk]]
        results, _ = classify_items(classifier, items)
        store.publish(outcomes(items, results, origin="bench", token=f"bench:{start}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--personas", type=Path, default=ROOT / "bench" / "personas")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--min-labelled", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    postings, labels_file = args.eval / "postings.jsonl", args.eval / "labels.jsonl"
    if not postings.exists() or not labels_file.exists():
        print(f"no labelled dev postings in {args.eval} (postings.jsonl, labels.jsonl): nothing to measure")
        return 1
    labels: dict[str, set[str]] = {}
    labelled: dict[str, int] = {}
    for line in labels_file.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        labels[str(label["id"])] = {label["role"], *label["also"]}
        labelled[label["role"]] = labelled.get(label["role"], 0) + 1
    lines = [line for line in postings.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    with LocalRedis(appendonly=False) as server:
        settings = load_settings(environ={"JOBMATCH_REDIS_URL": server.url, "JOBMATCH_KEY_PREFIX": "quality:"})
        publish_feed(settings, lines)
        client = Client(settings)
        for persona in sorted(args.personas.glob("*.txt")):
            seed = persona.stem[:3]
            answer = client.recommend(persona.read_text(encoding="utf-8"), None, args.k)
            top = answer["postings"][: args.k]
            hits = sum(seed in labels.get(item["id"], set()) for item in top)
            rows.append(
                {
                    "persona": persona.name,
                    "role": seed,
                    "labelled": labelled.get(seed, 0),
                    "counted": labelled.get(seed, 0) >= args.min_labelled,
                    "top_role": answer["roles"][0]["role"] if answer["roles"] else None,
                    "precision": hits / args.k,
                    "recommended": [(item["id"], sorted(labels.get(item["id"], set()))) for item in top],
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"precision@{args.k} per text ({len(lines)} dev postings; roles with >= {args.min_labelled} labelled)")
    for row in rows:
        mark = "" if row["counted"] else f"  (only {row['labelled']} labelled: not counted)"
        print(f"  {row['persona']:<16} {row['precision']:.2f}  top role: {row['top_role']}{mark}")
    by_role: dict[str, list[float]] = {}
    for row in rows:
        if row["counted"]:
            by_role.setdefault(row["role"], []).append(row["precision"])
    print(f"precision@{args.k} per role (mean over its texts)")
    for role, values in sorted(by_role.items()):
        print(f"  {role}  {sum(values) / len(values):.2f}  ({len(values)} texts)")
    if by_role:
        means = [sum(v) / len(v) for v in by_role.values()]
        print(f"  mean over roles: {sum(means) / len(means):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
