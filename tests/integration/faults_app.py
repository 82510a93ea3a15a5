"""The jobmatch Celery app with test-only faults, chosen per posting by an extra `fault` field.

    {"id": "f-1", "title": "...", "description": "...", "fault": {"sleep": 8}}

`{"sleep": S}` makes classifying the chunk holding that posting take S seconds longer, and logs
`FAULT SLEEP id=<posting id> pid=<pool process>` first, so a test knows which process runs it (Celery logs a
task's stdout). `{"crash": true}` logs `FAULT CRASH id=...` and SIGKILLs the pool process classifying it
(a segfault in a C extension, the OOM killer), every time. The classifier ignores fields it does not know,
so apart from the delay the result is what the real worker publishes. Started as
`celery -A faults_app worker` with tests/integration on PYTHONPATH; everything else is the real app, the
real worker and the real Redis. `FAULTS_MAX_REDELIVERIES` in the environment lowers the redeliveries after
which a crash-looping task is classified one posting at a time (each crash costs the pool seconds).
`FAULTS_LEASE_SECONDS` shortens the lease after which a dead worker's deliveries are restored (leases.py), and
`FAULTS_KILL_BEFORE_RECORD=<text>` SIGKILLs the worker's main process when a message whose body holds <text> has
been taken off the queue (BLMOVE) and not yet recorded as delivered: the window kombu's BRPOP left open.
`FAULTS_POLL_SLEEP=S` makes every source poll sleep S seconds once it holds the source's lock (logging
`FAULT SLEEP poll=<source> pid=...`).
"""

from __future__ import annotations

import base64
import os
import signal
import time
from typing import Any

import worker.service.handling as classification
import worker.service.leases as leases
import worker.service.polling as polling
import worker.service.transport as transport
from worker.service.app import create_app
from worker.settings import load_settings

_real_classify_chunk = classification.classify_chunk


def _with_faults(classifier: Any, records: Any) -> Any:
    for _, record in records:
        fault = record.get("fault") if isinstance(record, dict) else None
        if isinstance(fault, dict) and "sleep" in fault:
            print(f"FAULT SLEEP id={record.get('id')} pid={os.getpid()}", flush=True)
            time.sleep(float(fault["sleep"]))
        if isinstance(fault, dict) and fault.get("crash"):
            print(f"FAULT CRASH id={record.get('id')} pid={os.getpid()}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
    return _real_classify_chunk(classifier, records)


classification.classify_chunk = _with_faults
if "FAULTS_MAX_REDELIVERIES" in os.environ:
    classification.MAX_REDELIVERIES = int(os.environ["FAULTS_MAX_REDELIVERIES"])
if "FAULTS_LEASE_SECONDS" in os.environ:
    leases.LEASE_SECONDS = float(os.environ["FAULTS_LEASE_SECONDS"])
    leases.RENEW_SECONDS = min(leases.RENEW_SECONDS, leases.LEASE_SECONDS / 4)

_kill_marker = os.environ.get("FAULTS_KILL_BEFORE_RECORD", "").encode()
_real_append = transport.QoS.append


def _append_or_die(qos: Any, message: Any, delivery_tag: str) -> None:
    if _kill_marker and _kill_marker in base64.b64decode(message._raw.get("body", "")):
        print(f"FAULT KILL BEFORE RECORD pid={os.getpid()}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    _real_append(qos, message, delivery_tag)


transport.QoS.append = _append_or_die

_real_poll = polling._poll


def _slow_poll(context: Any, config: Any, report: Any) -> Any:
    if "FAULTS_POLL_SLEEP" in os.environ:
        print(f"FAULT SLEEP poll={config.name} pid={os.getpid()}", flush=True)
        time.sleep(float(os.environ["FAULTS_POLL_SLEEP"]))
    return _real_poll(context, config, report)


polling._poll = _slow_poll
app = create_app(load_settings())
