"""Polling one configured source: fetch with its saved state, skip what was classified unchanged, classify, publish.

Per source, Redis keeps (see `results.py`): a state hash (`last_polled`, `last_ok`, `last_error`, ETag and
Last-Modified for the next conditional request, counts of the last poll) and a seen hash (posting id ->
"content_hash model_version"), so re-polling an unchanged feed classifies nothing, while an edited posting
or a new model version classifies again. A fetch that fails is recorded as `last_error` and fetched
postings already published stay published; a record the source could not map goes to the dead-letter stream.
A paged listing that fails part way publishes the pages it got and records the failure (forgetting nothing).
A server that answers 429/503 with a Retry-After longer than a fetch waits is left alone until then (`retry_at`):
polls before it are skipped. An unexpected exception from a source (a schema nobody foresaw) is logged with its
traceback and recorded as `last_error` like any failure, so one bad feed never takes a worker's task down.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

from matching import MatchingError, posting_from_dict, rejected_result

from ..errors import SettingsError
from ..settings import Settings
from ..sources import (
    FetchState,
    SourceConfig,
    SourceConfigError,
    SourceError,
    SourceUnavailable,
    build_source,
    make_client,
    parse_source_config,
)
from .handling import Item, ProcessContext, classify_items, outcomes
from .names import POLL_SOURCE
from .redisconn import REDIS_ERRORS
from .sourcelock import LOCK_SECONDS, SourceLock
from .store.keys import Keys
from .store.results import Outcome, dumps

__all__ = ["PollReport", "beat_schedule", "configured_sources", "poll", "source_states"]

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one poll did."""

    source: str
    fetched: int = 0
    classified: int = 0
    unchanged: int = 0
    record_errors: int = 0
    not_postings: int = 0  # records that are no posting at all (RemoteOK's legal notice): skipped, not dead-lettered
    not_modified: bool = False
    error: str | None = None
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def configured_sources(settings: Settings) -> list[SourceConfig]:
    """The `[[sources]]` of the config file, validated. Raises `SettingsError` naming the table and field."""
    configs = []
    for index, table in enumerate(settings.sources):
        try:
            configs.append(_parse(table, index))
        except SourceConfigError as exc:
            raise SettingsError(f"{settings.config_file}: {exc}") from None
    names = [c.name for c in configs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SettingsError(f"{settings.config_file}: sources: duplicate name {duplicates[0]!r}")
    return configs


def _parse(table: Any, index: int) -> SourceConfig:
    return parse_source_config(table, where=f"sources[{index}]")


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Celery beat's schedule: one `jobmatch.poll_source` per enabled source at its interval, carrying the
    source's `[[sources]]` table, so a worker started without the config file still polls what beat scheduled."""
    configs = configured_sources(settings)
    return {
        f"poll-{config.name}": {
            "task": POLL_SOURCE,
            "schedule": config.interval_seconds,
            "args": (config.name,),
            "kwargs": {"table": dict(table)},
            # A poll still queued when the next one is due is pointless: let it expire.
            "options": {"expires": config.interval_seconds},
        }
        for config, table in zip(configs, settings.sources, strict=True)
        if config.enabled
    }


def source_states(context_redis: Any, keys: Keys, names: list[str]) -> dict[str, dict[str, str]]:
    """The saved state of each named source (empty for one never polled)."""
    pipe = context_redis.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.source_state(name))
    replies = cast(list[dict[bytes, bytes]], pipe.execute())
    return {
        name: {k.decode(): v.decode("utf-8", "replace") for k, v in reply.items()}
        for name, reply in zip(names, replies, strict=True)
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def poll(
    context: ProcessContext, name: str, table: Mapping[str, Any] | None = None, *, redelivered: bool = False
) -> PollReport:
    """Poll the source called `name` once, as its `[[sources]]` `table` says (what beat sends), else as this
    worker's config file says. One poll of a source runs at a time (`SourceLock`); a `redelivered` poll (its worker
    died) waits for the lock its first run may still hold, the others skip.

    A failed poll is never only in a log: a source neither defines, a table this worker cannot read, a fetch
    that fails, an exception while classifying or publishing: each is recorded as the source's `last_error`
    (with `last_polled`), which `jobmatch sources` shows. The last ones are raised again, after recording.
    """
    client, keys = context.redis, context.store.keys
    report = PollReport(source=name)
    try:
        config = _source_config(context.settings, name, table)
    except (SettingsError, SourceConfigError) as exc:
        log.error("cannot poll source %r: %s", name, exc)
        report.error = str(exc)
        _record_failure(client, keys, name, _now(), report.error)
        return report
    lock = SourceLock(client, keys.source_lock(name))
    if not lock.acquire(wait=LOCK_SECONDS + 1 if redelivered else 0):
        report.skipped = "another poll of this source is running"
        return report
    started = _now()
    with lock:
        try:
            return _poll(context, config, report)
        except Exception as exc:
            with contextlib.suppress(*REDIS_ERRORS):  # Redis gone: the task's failure is all there is to show
                _record_failure(client, keys, name, started, f"{name}: poll failed: {type(exc).__name__}: {exc}")
            raise


def _source_config(settings: Settings, name: str, table: Mapping[str, Any] | None) -> SourceConfig:
    """The source to poll: `table` (beat's, which wins: it is what was scheduled), else this worker's config."""
    if table is not None:
        config = parse_source_config(table, where=f"sources ({name}, sent by beat)")
        if config.name != name:
            raise SettingsError(f"the poll of source {name!r} carried the table of source {config.name!r}")
        return config
    configured = next((c for c in configured_sources(settings) if c.name == name), None)
    if configured is None:
        where = f"in {settings.config_file}" if settings.config_file else "(this worker has no config file)"
        raise SettingsError(
            f"no source named {name!r} is configured {where}, and the poll task carried no [[sources]] table: "
            "give the worker the config file beat has (--config or JOBMATCH_CONFIG)"
        )
    return configured


def _record_failure(client: Any, keys: Keys, name: str, started: str, error: str) -> None:
    client.hset(keys.source_state(name), mapping={"last_polled": started, "last_error": error, "last_error_at": _now()})


def _poll(context: ProcessContext, config: SourceConfig, report: PollReport) -> PollReport:
    client, keys, name = context.redis, context.store.keys, config.name
    state_key = keys.source_state(name)
    saved = {k.decode(): v.decode() for k, v in cast(dict[bytes, bytes], client.hgetall(state_key)).items()}
    state = FetchState.from_dict(saved)
    wait_until = _seconds(saved.get("retry_at"))
    if wait_until is not None and time.time() < wait_until:
        report.skipped = f"the source asked not to be polled before {_iso(wait_until)} (Retry-After)"
        client.hset(state_key, "last_skipped", f"{_now()}: {report.skipped}")
        return report
    started = _now()
    retry_at: float | None = None
    try:
        source = build_source(config)
        timeout = config.timeout_seconds
        with make_client() if timeout is None else make_client(timeout=timeout) as http:
            fetched = source.fetch(http, state)
    except SourceError as exc:
        report.error = str(exc)
        if isinstance(exc, SourceUnavailable) and exc.retry_after:
            retry_at = time.time() + exc.retry_after
    except Exception as exc:
        # A bug in a source's mapping (a response shape nobody foresaw) must not fail the task silently in a log:
        # it is recorded where `jobmatch sources` shows it, and what was published before stays published.
        log.exception("polling source %r raised", name)
        report.error = f"{name}: unexpected {type(exc).__name__} while fetching: {exc}"
    if report.error is not None:
        client.hset(
            state_key,
            mapping={
                "last_polled": started,
                "last_error": report.error,
                "last_error_at": _now(),
                "retry_at": "" if retry_at is None else f"{retry_at:.3f}",
            },
        )
        return report

    model_version = context.classifier.model_version
    report.fetched, report.not_modified = len(fetched.postings), fetched.not_modified
    report.record_errors, report.not_postings = len(fetched.errors), fetched.skipped
    ids = [str(p.get("id")) for p in fetched.postings]
    seen = cast(list[bytes | None], client.hmget(keys.source_seen(name), ids)) if ids else []
    todo: list[tuple[str, dict[str, Any], str]] = []
    for posting_id, posting, before in zip(ids, fetched.postings, seen, strict=True):
        digest = f"{_content_hash(posting)} {model_version}"
        if before is not None and before.decode() == digest:
            report.unchanged += 1
        else:
            todo.append((posting_id, posting, digest))

    items = [Item(dumps(posting).decode("utf-8")) for _, posting, _ in todo]
    results, _ = classify_items(context.classifier, items) if items else ([], [])
    batch = outcomes(items, results, origin=f"source:{name}", token=f"{name}:{started}")
    batch += [
        Outcome(
            rejected_result(None, str(error), model_version=model_version),
            payload=json.dumps(error.to_dict(), ensure_ascii=False),
            origin=f"source:{name}",
            token=str(error),
        )
        for error in fetched.errors
        if error.dropped
    ]
    context.store.publish(batch)
    report.classified = len(results)

    pipe = client.pipeline(transaction=True)
    if todo:
        pipe.hset(keys.source_seen(name), mapping={posting_id: digest for posting_id, _, digest in todo})
    if fetched.incomplete is not None:
        # Part of a paged listing: what it held is published, but the rest is unknown, so nothing is forgotten
        # and the poll counts as failed (`last_ok` stays at the last complete one).
        report.error = f"{fetched.incomplete}; the {report.fetched} postings fetched before it were kept"
    elif not fetched.not_modified:
        # The feed lists what is open now: a posting gone from it is forgotten (and classified again if it returns).
        gone = set(ids)
        stale = [k for k in cast(list[bytes], client.hkeys(keys.source_seen(name))) if k.decode() not in gone]
        if stale:
            pipe.hdel(keys.source_seen(name), *stale)
    if report.error is None:
        pipe.hset(state_key, mapping={"last_ok": _now(), "last_error": ""})
    else:
        pipe.hset(state_key, mapping={"last_error": report.error, "last_error_at": _now()})
    pipe.hset(
        state_key,
        mapping={
            "last_polled": started,
            "retry_at": "",
            "etag": fetched.state.etag or "",
            "last_modified": fetched.state.last_modified or "",
            "fetched": report.fetched,
            "classified": report.classified,
            "unchanged": report.unchanged,
            "record_errors": report.record_errors,
            "not_postings": report.not_postings,
        },
    )
    pipe.execute()
    return report


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _content_hash(posting: dict[str, Any]) -> str:
    try:
        return posting_from_dict(posting).content_hash
    except MatchingError:
        return "invalid"
