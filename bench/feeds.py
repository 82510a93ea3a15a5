"""Where the bench scripts take their postings from when none is named."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_POSTINGS = ROOT.parent / "shared" / "eval" / "postings.jsonl"  # the labelled dev set, beside the clone
EXAMPLE_POSTINGS = ROOT / "examples" / "postings.jsonl"  # in every clone: 24 postings, 2 of them invalid


def default_postings() -> Path:
    """The dev postings when they are beside the clone, else the repository's examples (said on stderr, since
    the figures then describe other postings than the README's)."""
    if DEV_POSTINGS.exists():
        return DEV_POSTINGS
    print(f"{DEV_POSTINGS} is not here: using {EXAMPLE_POSTINGS.relative_to(ROOT)} instead", file=sys.stderr)
    return EXAMPLE_POSTINGS
