"""The tasks' names and the queue they go to: all a sender needs, without importing the tasks or Celery.

jobmatch.classify        (payload, origin="submit", line=None)   one posting as JSON text
jobmatch.classify_many   (items, origin="submit")                [[line or null, JSON text, origin or null], ...]
jobmatch.classify_batch  (batch_id, index, first_line)          chunk `index` of a `batch --via-queue` run: its raw
                                                                 lines are in Redis (`Keys.batch_lines`), numbered
                                                                 from `first_line`
jobmatch.poll_source     (name, table=None)                      one source: its [[sources]] table as beat sends
                                                                 it, else the worker's config file's
"""

from __future__ import annotations

__all__ = ["CLASSIFY", "CLASSIFY_BATCH", "CLASSIFY_MANY", "POLL_SOURCE"]

CLASSIFY = "jobmatch.classify"
CLASSIFY_MANY = "jobmatch.classify_many"
CLASSIFY_BATCH = "jobmatch.classify_batch"
POLL_SOURCE = "jobmatch.poll_source"
