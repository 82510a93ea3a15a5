"""The worker's own step in Celery's main process: its heartbeat, the intake-stream reader and its lease (renewed,
and dead instances' deliveries restored: leases.py), in three threads."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import replace
from typing import Any

from celery import bootsteps

from ..runtime import load_classifier
from .heartbeat import BEAT_SECONDS, WorkerInfo, forget, write_beat
from .intake import IntakeReader
from .leases import LeaseKeeper, instance_id
from .names import CLASSIFY_MANY
from .redisconn import REDIS_ERRORS, connect
from .store.results import ResultStore

__all__ = ["ServiceStep"]

log = logging.getLogger(__name__)


class ServiceStep(bootsteps.StartStopStep):  # type: ignore[misc]  # celery is untyped
    """Starts after the pool: writes a heartbeat every few seconds and feeds the intake stream to the queue."""

    requires = ("celery.worker.components:Pool",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._store: ResultStore | None = None
        self._hostname = ""

    def start(self, parent: Any) -> None:
        app = parent.app
        settings = app.jobmatch_settings
        # The main process only needs the model version, for the heartbeat; pool processes build their own.
        model_version = load_classifier(settings).model_version
        store = ResultStore(connect(settings), settings)
        self._store, self._hostname = store, parent.hostname
        now = time.time()
        info = WorkerInfo(
            hostname=parent.hostname,
            pid=os.getpid(),
            model_version=model_version,
            concurrency=int(parent.concurrency or 1),
            started_at=now,
            seen_at=now,
            instance=instance_id(),
        )

        def dispatch(postings: list[list[Any]]) -> None:
            app.send_task(CLASSIFY_MANY, args=[postings], kwargs={"origin": "intake"})

        reader = IntakeReader(
            store, consumer=parent.hostname, model_version=model_version, dispatch=dispatch, stop=self._stop
        )
        self._threads = [
            threading.Thread(target=self._beat, args=(store, info), name="jobmatch-heartbeat", daemon=True),
            threading.Thread(target=reader.run, name="jobmatch-intake", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        # Not stopped with the others: a warm shutdown waits for running tasks, and their lease must hold till the
        # process exits (else a live worker would restore them). A daemon thread ends with the process.
        keeper = LeaseKeeper(connect(settings), store.keys, instance_id())
        threading.Thread(target=keeper.run, args=(threading.Event(),), name="jobmatch-leases", daemon=True).start()
        log.info("jobmatch worker %s (instance %s): model %s, intake group reading", parent.hostname, instance_id(),
                 model_version)  # fmt: skip

    def _beat(self, store: ResultStore, info: WorkerInfo) -> None:
        while not self._stop.is_set():
            try:
                write_beat(store.client, store.keys, replace(info, seen_at=time.time()))
            except REDIS_ERRORS as exc:
                log.warning("heartbeat: Redis unavailable (%s)", exc)
            self._stop.wait(BEAT_SECONDS)

    def stop(self, parent: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5.0)
        if self._store is not None:
            with contextlib.suppress(*REDIS_ERRORS):  # else the heartbeat just ages out
                forget(self._store.client, self._store.keys, self._hostname)
        self._threads = []

    def terminate(self, parent: Any) -> None:
        self.stop(parent)
