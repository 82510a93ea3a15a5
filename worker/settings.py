"""The one settings object: `JOBMATCH_*` environment variables over an optional TOML file, validated once."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import SettingsError

__all__ = ["DEFAULT_SEEDS", "Settings", "load_settings"]

# The project's own seeds folder (next to the packages in a checkout or an editable install).
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class Settings:
    seeds: Path = DEFAULT_SEEDS
    redis_url: str = "redis://localhost:6379/0"
    key_prefix: str = "jobmatch:"
    config_file: Path | None = None
    sources: tuple[Mapping[str, Any], ...] = field(default=())

    def with_seeds(self, seeds: str | Path | None) -> Settings:
        """These settings with a `--seeds DIR` given on the command line, if any."""
        return self if seeds is None else replace(self, seeds=Path(seeds))


def _check_redis_url(name: str, value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"{name}: expected redis://, rediss:// or unix://, got {value!r}")
    return value


def _check_prefix(name: str, value: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise SettingsError(f"{name}: expected a non-empty key prefix without spaces, got {value!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None, config_file: str | Path | None = None) -> Settings:
    """Settings from the TOML file (`config_file`, else `JOBMATCH_CONFIG`), then `JOBMATCH_*` variables.

    Raises `SettingsError` naming the setting and the bad value.
    """
    env = os.environ if environ is None else environ
    path = config_file or env.get("JOBMATCH_CONFIG")
    table: dict[str, Any] = {}
    if path:
        config_path = Path(path)
        try:
            table = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"config file {config_path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {config_path}: {exc}") from exc
    section = table.get("jobmatch", table)

    def pick(key: str, env_name: str, default: str) -> tuple[str, str]:
        if env_name in env:
            return env_name, env[env_name]
        if key in section:
            value = section[key]
            if not isinstance(value, str):
                raise SettingsError(f"{path}: {key}: expected a string, got {value!r}")
            return f"{path}: {key}", value
        return key, default

    _, seeds = pick("seeds", "JOBMATCH_SEEDS", str(DEFAULT_SEEDS))
    url_from, redis_url = pick("redis_url", "JOBMATCH_REDIS_URL", Settings.redis_url)
    prefix_from, prefix = pick("key_prefix", "JOBMATCH_KEY_PREFIX", Settings.key_prefix)
    sources = table.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, Mapping) for s in sources):
        raise SettingsError(f"{path}: sources: expected [[sources]] tables")
    return Settings(
        seeds=Path(seeds),
        redis_url=_check_redis_url(url_from, redis_url),
        key_prefix=_check_prefix(prefix_from, prefix),
        config_file=Path(path) if path else None,
        sources=tuple(sources),
    )
