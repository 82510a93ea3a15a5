"""Every Redis key jobmatch uses: the templates (the key table in docs/service.md lists the same) and `Keys`.

A leaf module: it imports nothing from the project, so whatever needs only key names (the heartbeat, the intake
reader, source polling, the docs test) imports this and nothing else. All keys live under `settings.key_prefix`
(default `jobmatch:`), Celery's own ones too (kombu's `global_keyprefix`), so deployments and test runs can share
one Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BATCH_CHUNK_KEY",
    "BATCH_DONE_KEY",
    "BATCH_LINES_KEY",
    "CARD_KEY",
    "DEAD_LETTER_SEEN_KEY",
    "DEAD_LETTER_STREAM",
    "DELIVERIES_KEY",
    "INFLIGHT_KEY",
    "INTAKE_FIELD",
    "INTAKE_GROUP",
    "INTAKE_STREAM",
    "ISOLATION_KEY",
    "KEY_TEMPLATES",
    "LEASES_KEY",
    "MARKET_INDEX_KEY",
    "MARKET_KEY",
    "MARKET_SEEN_KEY",
    "MODELS_KEY",
    "PUBLISHED_KEY",
    "QUEUE_KEY",
    "RANKING_KEY",
    "RESULTS_STREAM",
    "RESULT_KEY",
    "SOURCE_LOCK_KEY",
    "SOURCE_SEEN_KEY",
    "SOURCE_STATE_KEY",
    "TASK_QUEUE",
    "UNACKED_KEY",
    "UNACKED_OWNER_KEY",
    "WORKERS_KEY",
    "Keys",
]

RESULT_KEY = "{prefix}result:{posting_id}"  # string: the latest result (JSON), expires after result_ttl
PUBLISHED_KEY = "{prefix}published:{posting_id}"  # hash: digest, model, role of what was published last
RESULTS_STREAM = "{prefix}results"  # stream: id, status, result (JSON); read with consumer groups
RANKING_KEY = "{prefix}ranking:{model_version}:{role}"  # sorted set: posting id by score, one model version
# string: a matched posting's card (matching/cards.py: role, scores, level, pay, place, posted, top terms) for
# `recommend` and `similar`; written at publish with the result, same expiry
CARD_KEY = "{prefix}card:{model_version}:{posting_id}"
MODELS_KEY = "{prefix}models"  # hash: model version -> when it last published (unix seconds)
DEAD_LETTER_STREAM = "{prefix}dead-letter"  # stream: id, error, origin, payload, model_version
DEAD_LETTER_SEEN_KEY = "{prefix}dead-letter:seen:{digest}"  # marks an id-less rejection already recorded
INTAKE_STREAM = "{prefix}intake"  # stream: any service XADDs field `posting` = one posting as JSON
INTAKE_GROUP = "jobmatch-workers"  # the workers' consumer group on the intake stream
INTAKE_FIELD = "posting"
WORKERS_KEY = "{prefix}workers"  # hash: worker hostname -> heartbeat (JSON with model_version, seen_at)
SOURCE_STATE_KEY = "{prefix}source:{name}"  # hash: last_polled, last_ok, last_error, etag, last_modified, ...
SOURCE_SEEN_KEY = "{prefix}source:{name}:seen"  # hash: posting id -> "content_hash model_version"
SOURCE_LOCK_KEY = "{prefix}source:{name}:lock"  # string: held while one poll of the source runs
# string: one finished chunk: its summary (JSON) on the first line, then its result lines as `batch` writes them
BATCH_CHUNK_KEY = "{prefix}batch:{batch_id}:chunk:{index}"
# string: one chunk's raw input lines (the feed's bytes), SET by the client before it sends the chunk's task,
# deleted once the client has collected the chunk (so a redelivered task still finds them), else expires after
# BATCH_TTL
BATCH_LINES_KEY = "{prefix}batch:{batch_id}:lines:{index}"
BATCH_DONE_KEY = "{prefix}batch:{batch_id}:done"  # list: indexes of finished chunks, BLPOPped by the client
DELIVERIES_KEY = "{prefix}deliveries:{task_id}"  # counter: how often a task was started (crash loops)
# hash: in a crash-looping task classified one posting at a time, `at` (the posting being classified) and
# `blamed` (space-separated positions of postings whose classification killed the process)
ISOLATION_KEY = "{prefix}deliveries:{task_id}:isolation"
# string: one day's histogram of stated annual pay of a role, level and currency (u16 counts of the bins in use,
# see matching/market.py); expires when the day leaves the market window
MARKET_KEY = "{prefix}market:{role}:{level}:{currency}:{day}"
MARKET_SEEN_KEY = "{prefix}market:seen:{digest}"  # string: a posting (id + content hash) counted in this window
MARKET_INDEX_KEY = "{prefix}market:index"  # hash: "role level currency" (tab-separated) -> the last day counted
# Celery's queue and kombu's unacknowledged-message hash, under the prefix through `global_keyprefix`.
TASK_QUEUE = "tasks"
QUEUE_KEY = "{prefix}" + TASK_QUEUE
UNACKED_KEY = "{prefix}unacked"
# Leases (service/leases.py): who holds each delivery, so a dead worker's deliveries come back in seconds.
LEASES_KEY = "{prefix}leases"  # hash: worker instance -> when it last renewed its lease (Redis time, seconds)
UNACKED_OWNER_KEY = "{prefix}unacked_owner"  # hash: delivery tag -> the worker instance holding it
INFLIGHT_KEY = "{prefix}inflight:{instance}"  # list: messages an instance took off the queue, not yet recorded


# The templates jobmatch itself writes (Celery's queue and kombu's keys aside), as docs/service.md lists them.
KEY_TEMPLATES = (
    RESULT_KEY,
    PUBLISHED_KEY,
    RESULTS_STREAM,
    RANKING_KEY,
    CARD_KEY,
    MODELS_KEY,
    DEAD_LETTER_STREAM,
    DEAD_LETTER_SEEN_KEY,
    INTAKE_STREAM,
    WORKERS_KEY,
    SOURCE_STATE_KEY,
    SOURCE_SEEN_KEY,
    SOURCE_LOCK_KEY,
    BATCH_LINES_KEY,
    BATCH_CHUNK_KEY,
    BATCH_DONE_KEY,
    DELIVERIES_KEY,
    ISOLATION_KEY,
    MARKET_KEY,
    MARKET_SEEN_KEY,
    MARKET_INDEX_KEY,
    LEASES_KEY,
    UNACKED_OWNER_KEY,
    INFLIGHT_KEY,
)


@dataclass(frozen=True)
class Keys:
    """The key templates filled in with one prefix."""

    prefix: str

    def result(self, posting_id: str) -> str:
        return RESULT_KEY.format(prefix=self.prefix, posting_id=posting_id)

    def published(self, posting_id: str) -> str:
        return PUBLISHED_KEY.format(prefix=self.prefix, posting_id=posting_id)

    def ranking(self, model_version: str, role: str) -> str:
        return RANKING_KEY.format(prefix=self.prefix, model_version=model_version, role=role)

    def card(self, model_version: str, posting_id: str) -> str:
        return CARD_KEY.format(prefix=self.prefix, model_version=model_version, posting_id=posting_id)

    def source_state(self, name: str) -> str:
        return SOURCE_STATE_KEY.format(prefix=self.prefix, name=name)

    def source_seen(self, name: str) -> str:
        return SOURCE_SEEN_KEY.format(prefix=self.prefix, name=name)

    def source_lock(self, name: str) -> str:
        return SOURCE_LOCK_KEY.format(prefix=self.prefix, name=name)

    def batch_chunk(self, batch_id: str, index: int) -> str:
        return BATCH_CHUNK_KEY.format(prefix=self.prefix, batch_id=batch_id, index=index)

    def batch_lines(self, batch_id: str, index: int) -> str:
        return BATCH_LINES_KEY.format(prefix=self.prefix, batch_id=batch_id, index=index)

    def batch_done(self, batch_id: str) -> str:
        return BATCH_DONE_KEY.format(prefix=self.prefix, batch_id=batch_id)

    def deliveries(self, task_id: str) -> str:
        return DELIVERIES_KEY.format(prefix=self.prefix, task_id=task_id)

    def isolation(self, task_id: str) -> str:
        return ISOLATION_KEY.format(prefix=self.prefix, task_id=task_id)

    def dead_letter_seen(self, digest: str) -> str:
        return DEAD_LETTER_SEEN_KEY.format(prefix=self.prefix, digest=digest)

    def market(self, role: str, level: str, currency: str, day: int) -> str:
        return MARKET_KEY.format(prefix=self.prefix, role=role, level=level, currency=currency, day=day)

    def market_seen(self, digest: str) -> str:
        return MARKET_SEEN_KEY.format(prefix=self.prefix, digest=digest)

    @property
    def market_index(self) -> str:
        return MARKET_INDEX_KEY.format(prefix=self.prefix)

    @property
    def results(self) -> str:
        return RESULTS_STREAM.format(prefix=self.prefix)

    @property
    def dead_letter(self) -> str:
        return DEAD_LETTER_STREAM.format(prefix=self.prefix)

    @property
    def intake(self) -> str:
        return INTAKE_STREAM.format(prefix=self.prefix)

    @property
    def models(self) -> str:
        return MODELS_KEY.format(prefix=self.prefix)

    @property
    def workers(self) -> str:
        return WORKERS_KEY.format(prefix=self.prefix)

    @property
    def queue(self) -> str:
        return QUEUE_KEY.format(prefix=self.prefix)

    @property
    def unacked(self) -> str:
        return UNACKED_KEY.format(prefix=self.prefix)

    @property
    def unacked_index(self) -> str:
        return self.unacked + "_index"

    @property
    def leases(self) -> str:
        return LEASES_KEY.format(prefix=self.prefix)

    @property
    def unacked_owner(self) -> str:
        return UNACKED_OWNER_KEY.format(prefix=self.prefix)

    def inflight(self, instance: str) -> str:
        return INFLIGHT_KEY.format(prefix=self.prefix, instance=instance)
