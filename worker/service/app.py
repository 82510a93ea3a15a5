"""The Celery app, configured from the one `Settings`: broker, JSON only, delivery guarantees, schedule.

`create_app(settings)` builds one; the module-level `app` (built on first access from `load_settings()`)
is what the Celery command line finds: `celery -A worker.service.app worker`.

Delivery: tasks are acknowledged late (after they ran) and rejected back to the queue when their pool
process dies, one message prefetched per process. The broker transport is jobmatch's (`transport.py`): each
delivery is recorded with the worker instance holding it, and a worker that dies whole has its deliveries put
back on the queue by a live worker once its lease lapses (`leases.py`: 10 s), however long its tasks were running.
kombu's visibility timeout (`visibility_timeout_seconds`, looked at every `restore_every(visibility_timeout)`
seconds) only restores deliveries no instance owns (left by a worker without this transport).
"""

from __future__ import annotations

import logging
import os
import re
import ssl
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from celery import Celery
from celery.signals import worker_process_init

from ..errors import SettingsError
from ..settings import Settings, load_settings
from . import tasks
from .bootstep import ServiceStep
from .handling import process_context
from .polling import beat_schedule
from .redisconn import mask_url
from .store.keys import TASK_QUEUE
from .transport import install as install_transport

__all__ = ["RESTORE_EVERY_SECONDS", "broker_tls", "celery_config", "create_app", "restore_every"]

log = logging.getLogger(__name__)

RESTORE_EVERY_SECONDS = 10  # how often a worker looks for messages left unacknowledged by a dead worker
# The lock kombu takes while restoring; a worker killed while holding it blocks restores this long at most.
RESTORE_LOCK_SECONDS = 60


def restore_every(visibility_timeout: float) -> int:
    """Seconds between a worker's looks for messages left unacknowledged: 10, or a quarter of a short timeout."""
    return max(1, min(RESTORE_EVERY_SECONDS, int(visibility_timeout // 4)))


_apps: list[Any] = []


_CERT_REQS = {"none": ssl.CERT_NONE, "optional": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}


def broker_tls(url: str) -> dict[str, Any] | None:
    """kombu's TLS options for a `rediss://` URL (None for others): its `ssl_*` query parameters, and the
    server's certificate checked unless `ssl_cert_reqs=none` says otherwise.

    Without this, kombu connects to a `rediss://` URL with no `ssl_*` parameters *without* checking the
    certificate, while redis-py (the client, the result store) checks it: both now check, the same way.
    Raises `SettingsError` for an `ssl_cert_reqs` other than none, optional or required.
    """
    if not url.startswith("rediss://"):
        return None
    options: dict[str, Any] = {k: v for k, v in parse_qsl(urlsplit(url).query) if k.startswith("ssl_")}
    reqs = str(options.get("ssl_cert_reqs", "required")).lower().removeprefix("cert_")
    if reqs not in _CERT_REQS:
        raise SettingsError(
            f"JOBMATCH_REDIS_URL: ssl_cert_reqs: expected none, optional or required, got {reqs!r} in {mask_url(url)}"
        )
    options["ssl_cert_reqs"] = _CERT_REQS[reqs]
    if "ssl_check_hostname" in options:
        options["ssl_check_hostname"] = str(options["ssl_check_hostname"]).lower() not in ("false", "0", "no")
    return options


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery's settings for `settings`: everything the app needs, nothing read from elsewhere."""
    safe_prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", settings.key_prefix)
    return {
        "broker_url": settings.redis_url,
        "broker_use_ssl": broker_tls(settings.redis_url),
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a worker waits out a Redis restart, however long
        "broker_channel_error_retry": True,
        "broker_transport_options": {
            # Every key kombu writes (queue, unacked hash, bindings, pidbox) goes under the prefix too.
            "global_keyprefix": settings.key_prefix,
            "priority_steps": [0],  # one list per queue: what BLMOVE takes from (jobmatch sets no priorities)
            "visibility_timeout": settings.visibility_timeout_seconds,
            "unacked_restore_interval": restore_every(settings.visibility_timeout_seconds),
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": RESTORE_LOCK_SECONDS,
            "socket_connect_timeout": 5,
            "socket_timeout": 30,
            "socket_keepalive": True,
            "health_check_interval": 10,
            "retry_on_timeout": True,
        },
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        # Results are published by the result store (store/results.py), not through a Celery result backend.
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_default_queue": TASK_QUEUE,
        "task_default_exchange": TASK_QUEUE,
        "task_default_routing_key": TASK_QUEUE,
        "task_publish_retry": True,
        "task_publish_retry_policy": {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 2},
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": beat_schedule(settings),
        "beat_schedule_filename": str(settings.cache_dir / f"beat-schedule-{safe_prefix}"),
    }


def create_app(settings: Settings) -> Any:
    """A Celery app for `settings`, with jobmatch's tasks and its worker step (heartbeat, intake reader)."""
    # kombu's Redis transport, each delivery recorded with its owner, messages taken with BLMOVE (transport.py)
    install_transport()
    app = Celery("jobmatch", set_as_current=False)
    app.conf.update(celery_config(settings))
    app.jobmatch_settings = settings
    app.jobmatch_context = None
    tasks.register(app)
    app.steps["worker"].add(ServiceStep)
    _apps.append(app)
    return app


def _warm_up(**_: Any) -> None:
    """Build the classifier as a pool process starts, so its first task does not wait for it."""
    for app in _apps:
        try:
            process_context(app).classifier  # noqa: B018 - built for its side effect
        except Exception:
            # Logged here; the first task builds it again and fails with the same error, visibly.
            log.exception("could not build the classifier in pool process %d", os.getpid())


worker_process_init.connect(_warm_up, weak=False)

_module_app: Any = None


def __getattr__(name: str) -> Any:
    # `app` is built on first access, so importing this module (or the client) costs no settings or Celery setup.
    global _module_app
    if name == "app":
        if _module_app is None:
            _module_app = create_app(load_settings())
        return _module_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
