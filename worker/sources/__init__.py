"""Job-posting sources: one module per kind of feed (listed in `kinds.py`), all behind the small `Source` protocol.

    config = parse_source_config(table, where="sources[0]")
    source = build_source(config)
    with make_client() as client:
        result = source.fetch(client, state)   # FetchResult: postings, errors, not_modified, state

The caller persists `result.state` and passes it back next time; nothing here touches Redis or Celery.
"""

from .base import (
    FetchResult,
    FetchState,
    Posting,
    RecordError,
    Source,
    SourceConfig,
    parse_interval,
    parse_size,
)
from .errors import (
    SourceConfigError,
    SourceError,
    SourceFormatError,
    SourceHTTPError,
    SourceTooLarge,
    SourceUnavailable,
)
from .http import Fetched, FetchPolicy, default_user_agent, get_with_retries, make_client
from .kinds import KINDS, SOURCE_KINDS, build_source, parse_source_config

__all__ = [
    "KINDS",
    "SOURCE_KINDS",
    "FetchPolicy",
    "FetchResult",
    "FetchState",
    "Fetched",
    "Posting",
    "RecordError",
    "Source",
    "SourceConfig",
    "SourceConfigError",
    "SourceError",
    "SourceFormatError",
    "SourceHTTPError",
    "SourceTooLarge",
    "SourceUnavailable",
    "build_source",
    "default_user_agent",
    "get_with_retries",
    "make_client",
    "parse_interval",
    "parse_size",
    "parse_source_config",
]
