"""`python -m conformance`: the `conformance` command (conformance/cli.py)."""

from conformance.cli import main

raise SystemExit(main())
