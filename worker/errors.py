"""Errors of the service layer (settings, CLI input, queue and results).

WorkerError
├── SettingsError       a setting has a bad value (names the setting and the value)
├── InputError          a file or stream given to a command cannot be read
└── QueueError          the queue or the results store cannot do what was asked
    ├── RedisUnavailable    Redis cannot be reached (names the URL, password masked)
    └── NoWorkers           no live worker, or none running the local model version
"""

from __future__ import annotations

__all__ = ["InputError", "NoWorkers", "QueueError", "RedisUnavailable", "SettingsError", "WorkerError"]


class WorkerError(Exception):
    """Base class of the service layer's errors."""


class SettingsError(WorkerError):
    """A setting with a bad value; the message names the setting and the value."""


class InputError(WorkerError):
    """Input given to a command cannot be read (missing file, not JSON where JSON is required)."""


class QueueError(WorkerError):
    """The queue or the results in Redis cannot do what was asked."""


class RedisUnavailable(QueueError):
    """Redis cannot be reached; the message names the URL with its password masked."""


class NoWorkers(QueueError):
    """No worker is alive, or the live workers run another model version than this machine."""
