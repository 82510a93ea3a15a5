"""The kinds of source, each a module of this package, and building a source from its `[[sources]]` table.

Adding a kind: write its module (a class with `from_config(config, policy)`, see `greenhouse.py`), and add it to
`KINDS` below; nothing else names the kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from . import feed, files, greenhouse, jsonfeed, lever
from .base import DEFAULT_INTERVAL, Source, SourceConfig, parse_interval, parse_size
from .errors import SourceConfigError
from .http import FetchPolicy

__all__ = ["KINDS", "SOURCE_KINDS", "build_source", "parse_source_config"]

# kind (the `kind` key of a `[[sources]]` table) -> how to build its source
KINDS: dict[str, Callable[[SourceConfig, FetchPolicy | None], Source]] = {
    "feed": feed.FeedSource.from_config,
    "files": files.FileSource.from_config,
    "greenhouse": greenhouse.GreenhouseSource.from_config,
    "jsonfeed": jsonfeed.JsonFeedSource.from_config,
    "lever": lever.LeverSource.from_config,
}
SOURCE_KINDS: tuple[str, ...] = tuple(sorted(KINDS))
_Value = TypeVar("_Value")
_NAME = re.compile(r"[a-z0-9_-]+")
_COMMON_KEYS = frozenset({"name", "kind", "interval", "enabled", "timeout", "max_size"})


def parse_source_config(table: Mapping[str, Any], *, where: str) -> SourceConfig:
    """Validate one `[[sources]]` TOML table; `where` ("sources[2]") prefixes every message.

    The common keys are `name`, `kind`, `interval` (default 15m), `enabled` (default true) and
    `timeout` (per request phase, e.g. "10s"; default the HTTP layer's), `max_size` (the largest response read,
    e.g. "5MB"; default 20 MB);
    every other key is an option of the kind, checked by the kind itself, so a typo or a bad
    URL fails here, at start-up, not at the first fetch. Raises `SourceConfigError`.
    """
    if not isinstance(table, Mapping):
        raise SourceConfigError(f"{where}: expected a table, got {type(table).__name__}")
    name = table.get("name")
    if name is None:
        raise SourceConfigError(f"{where}: name: missing")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise SourceConfigError(f"{where}: name: expected lowercase letters, digits, '_' or '-', got {name!r}")
    label = f"{where} ({name})"
    kind = table.get("kind")
    if kind is None:
        raise SourceConfigError(f"{label}: kind: missing", source=name)
    if kind not in SOURCE_KINDS:
        raise SourceConfigError(
            f"{label}: kind: unknown kind {kind!r} (expected one of: {', '.join(SOURCE_KINDS)})", source=name
        )

    def parsed(key: str, parse: Callable[[object], _Value]) -> _Value | None:
        """The key's value read by `parse`, None when absent; a bad value raises naming the source and key."""
        if key not in table:
            return None
        try:
            return parse(table[key])
        except ValueError as exc:
            raise SourceConfigError(f"{label}: {key}: {exc}", source=name) from None

    interval = parsed("interval", parse_interval)
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SourceConfigError(f"{label}: enabled: expected true or false, got {enabled!r}", source=name)
    timeout = parsed("timeout", parse_interval)
    max_bytes = parsed("max_size", parse_size)
    options = {key: value for key, value in table.items() if key not in _COMMON_KEYS}
    config = SourceConfig(
        name=name,
        kind=kind,
        interval_seconds=DEFAULT_INTERVAL if interval is None else interval,
        enabled=enabled,
        timeout_seconds=timeout,
        max_bytes=max_bytes,
        options=MappingProxyType(options),
        origin=where,
    )
    build_source(config)  # the kind checks its options; building does no I/O
    return config


def build_source(config: SourceConfig, *, policy: FetchPolicy | None = None) -> Source:
    """The `Source` for `config.kind`, fetching under `policy` (retries, size bound); if None, the default policy
    bounded by the config's `max_size`.

    Raises `SourceConfigError` for an unknown kind or bad options.
    """
    factory = KINDS.get(config.kind)
    if factory is None:
        raise config.error("kind", f"unknown kind {config.kind!r} (expected one of: {', '.join(SOURCE_KINDS)})")
    if policy is None and config.max_bytes is not None:
        policy = FetchPolicy(max_bytes=config.max_bytes)
    return factory(config, policy)
