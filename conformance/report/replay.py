"""How to reproduce a failure: the command that replays a generated case, and the exports a curl needs.

A report is read the morning after, on another machine: every failure must say how to run it again.
Generated cases replay from the run's Hypothesis seed with the run's options (the `conformance` command,
which runs wherever the suite is installed); a recorded request replays with curl once the credentials
it references (never their values) are exported.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
WHAT = {
    "CONFORMANCE_REPAIRER_KEY": "<the repairer API key>",
    "CONFORMANCE_SUPPLIER_KEY": "<the supplier API key>",
    "CONFORMANCE_CLIENT_SECRET": "<the OAuth client secret>",
    "CONFORMANCE_ACCESS_CODE": "<a fresh, unused access code>",
    "MINTED_API_KEY": "<a key minted by integrations.insert during the run; install again for a new one>",
    "UNKNOWN_API_KEY": "<the bearer token that was sent; it is not recorded>",
}


def run_options(summary: dict[str, Any]) -> list[str]:
    """The options that point a new run at the same target, tenant, profile and contract."""
    target, spec = summary["target"], summary["spec"]
    args: list[str] = []
    if not target.get("embedded_sandbox"):
        args += ["--base-url", target["base_url"]]
    if target.get("tenant"):
        args += ["--tenant", target["tenant"]]
    else:
        args.append("--no-tenant")
    args += ["--profile", summary["profile"]]
    if not summary.get("extensions"):
        args.append("--no-extensions")
    if spec.get("origin") == "file":
        args += ["--spec", spec["location"]]
    elif spec.get("origin") == "bundled" and not target.get("embedded_sandbox"):
        args += ["--spec", "bundled"]
    return args


def command(summary: dict[str, Any], nodeid: str) -> str:
    """`conformance --hypothesis-seed=<seed> <run options> '<nodeid>'`."""
    args = ["conformance", f"--hypothesis-seed={summary['seed']}", *run_options(summary), nodeid]
    return " ".join(shlex.quote(a) for a in args)


def exports(text: str) -> list[str]:
    """`export VAR=<...>` for each credential a redacted curl command references, in order."""
    names = dict.fromkeys(VARIABLE.findall(text))
    return [f"export {name}={shlex.quote(WHAT.get(name, '<value>'))}" for name in names]
