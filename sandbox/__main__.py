"""`python -m sandbox` / `rails-sandbox`: serve the sandbox from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .app import DEFAULT_IDLE_TTL, create_app
from .faults import CATALOGUE
from .server import serve


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rails-sandbox", description="Serve the 2026-01 Integrations API sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--idle-ttl",
        type=float,
        default=DEFAULT_IDLE_TTL,
        metavar="SECONDS",
        help="drop a tenant's world after this many idle seconds (default 3600)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a named fault, deliberately non-conformant (repeatable; see sandbox/faults.py)",
    )
    parser.add_argument("--no-extensions", action="store_true", help="do not serve the 3 proposed extension methods")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    unknown = [name for name in args.fault if name not in CATALOGUE]
    if unknown:
        parser.error(f"unknown fault {', '.join(unknown)}; known faults: {', '.join(CATALOGUE)}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    app = create_app(idle_ttl=args.idle_ttl, faults=args.fault, extensions=not args.no_extensions)
    serve(app, args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
