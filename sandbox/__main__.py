"""`python -m sandbox` / `rails-sandbox`: serve the sandbox from the command line."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import asdict

from starlette.applications import Starlette

from spec.webhooks import DEFAULT_SECRET

from .app import DEFAULT_IDLE_TTL, WORLDS, create_app
from .dialects import ALL
from .dialects import CATALOGUE as DIALECTS
from .faults import CATALOGUE as FAULTS
from .seams import WEBHOOK_SECRET_VARIABLE
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
    parser.add_argument(
        "--dialect",
        action="append",
        default=[],
        metavar="NAME",
        help=f"switch on a named legitimate variation, or {ALL} of them (repeatable; see sandbox/dialects.py)",
    )
    parser.add_argument("--no-extensions", action="store_true", help="do not serve the 3 proposed extension methods")
    parser.add_argument("--no-tenants", action="store_true", help="ignore x-partifact-tenant: one shared world")
    parser.add_argument("--world", choices=list(WORLDS), default="documented",
                        help="how worlds are seeded: the documented seed, or an unfamiliar one (its ids are printed)")
    parser.add_argument("--webhook-secret", default=os.environ.get(WEBHOOK_SECRET_VARIABLE) or DEFAULT_SECRET,
                        metavar="S", help=f"the key webhook deliveries are signed with (env {WEBHOOK_SECRET_VARIABLE}; "
                                          f"default {DEFAULT_SECRET})")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    for option, names, catalogue in (("fault", args.fault, FAULTS), ("dialect", args.dialect, DIALECTS)):
        unknown = [name for name in names if name not in catalogue and name != catalogue.everything]
        if unknown:
            parser.error(f"unknown {option} {', '.join(unknown)}; known {option}s: {', '.join(catalogue)}")
    return args


def app_from_args(args: argparse.Namespace) -> Starlette:
    """The app the command line describes."""
    return create_app(idle_ttl=args.idle_ttl, faults=args.fault, dialects=args.dialect,
                      extensions=not args.no_extensions, tenants=not args.no_tenants, world=args.world,
                      webhook_secret=args.webhook_secret)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    app = app_from_args(args)
    landmarks = asdict(app.state.seed.landmarks)
    print(f"world {args.world}: " + ", ".join(f"{key}={value}" for key, value in landmarks.items()), flush=True)
    serve(app, args.host, args.port, args.log_level)


if __name__ == "__main__":
    main()
