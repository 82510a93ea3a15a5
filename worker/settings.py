"""The one settings object: `JOBMATCH_*` environment variables over an optional TOML file, validated once."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import SettingsError

__all__ = ["DEFAULT_SEEDS", "Settings", "load_settings", "parse_duration"]

# The project's own seeds folder (next to the packages in a checkout or an editable install).
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"

_T = TypeVar("_T")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# The market keeps one bucket a day per role, level and currency: a longer window costs memory (docs/market.md).
MAX_MARKET_WINDOW_DAYS = 366


def _default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jobmatch"


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default. `JOBMATCH_<NAME>` (upper case) or `<name>` in the TOML file sets one."""

    seeds: Path = DEFAULT_SEEDS
    redis_url: str = "redis://localhost:6379/0"
    key_prefix: str = "jobmatch:"
    # Where the fitted model artefact is cached between processes.
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    # The latest result per posting expires after this long.
    result_ttl_seconds: float = 30 * 86400.0
    # Approximate lengths the results and dead-letter streams are trimmed to (must exceed a consumer's worst lag).
    results_maxlen: int = 100_000
    dead_letter_maxlen: int = 100_000
    # Postings kept per role in the rankings.
    ranking_size: int = 1_000
    # `submit` waits while more postings than this wait in the task queue (while a worker is alive), so fast
    # producers cannot fill Redis with work the workers have not reached.
    submit_backlog: int = 10_000
    # A task not acknowledged this long after delivery is delivered again (the Redis transport's visibility timeout).
    visibility_timeout_seconds: float = 300.0
    # The observed market (docs/market.md): postings with stated pay over this many days (one Redis bucket a
    # day), and how many a role and level need before results show its band.
    market_window_days: int = 90
    market_min_count: int = 20
    config_file: Path | None = None
    sources: tuple[Mapping[str, Any], ...] = field(default=())

    def with_seeds(self, seeds: str | Path | None) -> Settings:
        """These settings with a `--seeds DIR` given on the command line, if any."""
        return self if seeds is None else replace(self, seeds=Path(seeds))


def _redis_url(value: object) -> str:
    if not isinstance(value, str) or not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected redis://, rediss:// or unix://")
    return value


def _prefix(value: object) -> str:
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError("expected a non-empty key prefix without spaces")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _count(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a positive whole number")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _window_days(value: object) -> int:
    days = _count(value)
    if days > MAX_MARKET_WINDOW_DAYS:
        raise ValueError(f"expected a whole number of days from 1 to {MAX_MARKET_WINDOW_DAYS}")
    return days


def parse_duration(value: object) -> float:
    """Seconds, from a number or a string such as "300", "90s", "15m", "30d"."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 300, '90s', '15m' or '30d'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value)):
        seconds = float(match[1]) * _UNIT_SECONDS[match[2]]
    else:
        raise ValueError("expected a duration such as 300, '90s', '15m' or '30d'")
    if seconds <= 0:
        raise ValueError("expected a positive duration")
    return seconds


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

    def pick(key: str, check: Callable[[object], _T], default: _T) -> _T:
        env_name = "JOBMATCH_" + key.upper()
        if env_name in env:
            where, value = env_name, env[env_name]
        elif key in section:
            where, value = f"{path}: {key}", section[key]
        else:
            return default
        try:
            return check(value)
        except ValueError as exc:
            raise SettingsError(f"{where}: {exc}, got {value!r}") from None

    defaults = Settings()
    sources = table.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, Mapping) for s in sources):
        raise SettingsError(f"{path}: sources: expected [[sources]] tables")
    return Settings(
        seeds=Path(pick("seeds", _text, str(DEFAULT_SEEDS))),
        redis_url=pick("redis_url", _redis_url, defaults.redis_url),
        key_prefix=pick("key_prefix", _prefix, defaults.key_prefix),
        cache_dir=Path(pick("cache_dir", _text, str(_default_cache_dir(env)))),
        result_ttl_seconds=pick("result_ttl", parse_duration, defaults.result_ttl_seconds),
        results_maxlen=pick("results_maxlen", _count, defaults.results_maxlen),
        dead_letter_maxlen=pick("dead_letter_maxlen", _count, defaults.dead_letter_maxlen),
        ranking_size=pick("ranking_size", _count, defaults.ranking_size),
        submit_backlog=pick("submit_backlog", _count, defaults.submit_backlog),
        visibility_timeout_seconds=pick("visibility_timeout", parse_duration, defaults.visibility_timeout_seconds),
        market_window_days=pick("market_window_days", _window_days, defaults.market_window_days),
        market_min_count=pick("market_min_count", _count, defaults.market_min_count),
        config_file=Path(path) if path else None,
        sources=tuple(sources),
    )
