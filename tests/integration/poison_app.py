"""A jobmatch Celery app with faults injected for tests: postings titled "POISON" make classification raise,
postings titled "SLOW" take 3 s (and say which pool process runs them) so a test can kill it mid-task.

Started by the tests as `celery -A poison_app worker` (with tests/integration on PYTHONPATH); everything
else is the real app, the real worker and the real Redis.
"""

from __future__ import annotations

import os
import time
from typing import Any

import worker.service.handling as classification
from worker.service.app import create_app
from worker.settings import load_settings

_real_classify_chunk = classification.classify_chunk


def _poisoned(classifier: Any, records: Any) -> Any:
    titles = {record.get("title") for _, record in records if isinstance(record, dict)}
    if "POISON" in titles:
        raise RuntimeError("poisoned posting")
    if "SLOW" in titles:
        print(f"SLOW STARTED pid={os.getpid()}", flush=True)  # Celery logs a task's stdout
        time.sleep(3)
    return _real_classify_chunk(classifier, records)


classification.classify_chunk = _poisoned
app = create_app(load_settings())
