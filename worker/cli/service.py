"""The commands that start the service's Celery processes: `worker` and `beat` (extra options go to Celery)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import InputError
from ..settings import Settings
from .options import Handler

__all__ = ["HANDLERS", "PASS_THROUGH", "add_parsers", "run_celery"]

# Commands whose unknown options are handed to Celery.
PASS_THROUGH = frozenset({"worker", "beat"})


def add_parsers(commands: Any) -> None:
    """Add `worker` and `beat` to the subcommands."""
    for name, (summary, description) in _HELP.items():
        commands.add_parser(
            name,
            help=summary,
            description=description,
            usage=f"jobmatch {name} [--config FILE] [celery {name} options]",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )


# What `jobmatch worker --help` and `jobmatch beat --help` say: argparse knows none of Celery's options.
_HELP = {
    "worker": (
        "start a Celery worker (extra options go to `celery worker`)",
        """\
Start a Celery worker with jobmatch's app: it classifies what `submit`, the intake stream, the sources and
`batch --via-queue` send, and publishes the results to Redis.

Every other option goes to `celery worker`: --concurrency N, --pool prefork|threads|solo, --loglevel DEBUG,
-n NAME@%h (two workers on one machine need distinct names), --autoscale MAX,MIN, ... jobmatch starts it
with --without-mingle --without-gossip --loglevel INFO; yours win. All of them:
    celery -A worker.service.app worker --help

Settings come from --config FILE (or JOBMATCH_CONFIG) under JOBMATCH_* variables: redis_url, key_prefix,
seeds, cache_dir (the model artefact), visibility_timeout, result_ttl, ... (README.md, Configuration).""",
    ),
    "beat": (
        "start Celery beat, polling every enabled source (extra options go to `celery beat`)",
        """\
Start Celery beat: it sends one jobmatch.poll_source task per enabled [[sources]] table of the config file,
at the source's interval; the workers poll. Run exactly one beat per Redis and key prefix.

Every other option goes to `celery beat`: --loglevel DEBUG, --max-interval SECONDS, ... (its schedule file
is kept in the cache folder). All of them:
    celery -A worker.service.app beat --help

Settings and sources come from --config FILE (or JOBMATCH_CONFIG) under JOBMATCH_* variables; the
[[sources]] tables are described in docs/service.md (Sources).""",
    ),
}


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load Celery.
    from ..runtime import load_classifier
    from ..service.app import create_app
    from ..service.polling import configured_sources

    # What the worker cannot run without is checked before Celery starts: a missing or empty seeds folder, a bad
    # [[sources]] table. Raised here, it is the one-line error (exit 2) every command prints; raised inside Celery,
    # it was a traceback per process and exit status 0, which a supervisor reads as a clean stop.
    configured_sources(settings)
    load_classifier(settings)  # also leaves the artefact cached for the pool processes
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # Mingle and gossip only help revokes and clock sync across workers; without them a worker starts faster.
    argv = ["worker", "--without-mingle", "--without-gossip", "--loglevel", "INFO", *args.extra]
    return run_celery(create_app(settings), argv)


def _cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: every command loads this module, and the queue-free ones must not load Celery.
    from ..service.app import create_app
    from ..service.polling import configured_sources

    enabled = [c.name for c in configured_sources(settings) if c.enabled]
    if not enabled:
        print("jobmatch beat: no enabled [[sources]] in the config file: nothing to schedule", file=sys.stderr)
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return run_celery(create_app(settings), ["beat", "--loglevel", "INFO", *args.extra])


def run_celery(app: Any, argv: list[str]) -> int:
    """Run Celery's command line (`worker ...`, `beat ...`) for `app`; returns its exit status.

    `Celery.start` drops the status (click returns it when not standalone), so a worker that stopped on an
    unrecoverable error exited 0. A bad Celery option raises `InputError` with click's message.
    """
    # Imported here: only `worker` and `beat` run Celery's command line.
    import click
    from celery.bin.celery import celery

    celery.params[0].default = app  # what `Celery.start` does: the `-A` default is this app
    try:
        status = celery.main(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        raise InputError(f"{' '.join(argv[:1])}: {exc.format_message()}") from None
    except click.exceptions.Abort:
        return 1
    finally:
        celery.params[0].default = None
    return status if isinstance(status, int) else 0


HANDLERS: dict[str, Handler] = {"worker": _cmd_worker, "beat": _cmd_beat}
