"""jobmatch's service layer: settings, the command line, batch runs, the Celery service on Redis, feed sources.

The public Python API is importable from here, loaded on first use so `import worker` stays light:

    from worker import Client, Settings, load_settings
    from worker import WorkerError, SettingsError, InputError, QueueError, RedisUnavailable, NoWorkers
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import InputError, NoWorkers, QueueError, RedisUnavailable, SettingsError, WorkerError
    from .service.client import Client
    from .settings import Settings, load_settings

__all__ = [
    "Client",
    "InputError",
    "NoWorkers",
    "QueueError",
    "RedisUnavailable",
    "Settings",
    "SettingsError",
    "WorkerError",
    "load_settings",
]

# name -> the module that defines it, imported when the name is first asked for (the client brings in redis).
_WHERE = {
    "Client": ".service.client",
    "Settings": ".settings",
    "load_settings": ".settings",
    **{name: ".errors" for name in ("InputError", "NoWorkers", "QueueError", "RedisUnavailable", "SettingsError")},
    "WorkerError": ".errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # asked for once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
