"""The `jobmatch` command line: one module per group of commands, each adding its parsers and naming its handlers.

main     the parser made from the groups, and the errors every command reports the same way
local    profiles, classify, eval: classify here, no Redis, no Celery
batch    batch: in this process, `--workers N`, or `--via-queue`
queue    submit, result, watch, top, sources, status: the service's Redis
service  worker, beat: the service's Celery processes
inputs   files and standard input or output, errors naming the file; postings to submit
options  argument types and options several commands share
render   the text the commands print for profiles, results and evaluations
"""

from .main import main

__all__ = ["main"]
