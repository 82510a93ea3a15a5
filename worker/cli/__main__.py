"""`python -m worker.cli`: the `jobmatch` command."""

from .main import main

raise SystemExit(main())
