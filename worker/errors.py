"""Errors of the service layer (settings, CLI input, queue and results).

WorkerError
├── SettingsError       a setting has a bad value (names the setting and the value)
└── InputError          a file or stream given to a command cannot be read
"""

from __future__ import annotations

__all__ = ["InputError", "SettingsError", "WorkerError"]


class WorkerError(Exception):
    """Base class of the service layer's errors."""


class SettingsError(WorkerError):
    """A setting with a bad value; the message names the setting and the value."""


class InputError(WorkerError):
    """Input given to a command cannot be read (missing file, not JSON where JSON is required)."""
