"""The suite's command-line options, each with an environment-variable fallback.

`--base-url` itself comes from pytest-base-url (env PYTEST_BASE_URL), the convention the pytest
ecosystem shares; everything else is declared here, once, with its variable and default, as argparse
declarations that both the pytest plugin and the `conformance` command (conformance/cli.py) add.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.wire.bounds import MAX_RESPONSE_BYTES, TIMEOUT
from conformance.wire.transport import MAX_MISSES
from spec import demo
from spec.webhooks import DEFAULT_SECRET

DEMO = {
    "repairer_key": demo.REPAIRER.api_key,
    "repairer_integration_id": demo.REPAIRER.integration_id,
    "supplier_key": demo.SUPPLIER.api_key,
    "supplier_integration_id": demo.SUPPLIER.integration_id,
    "client_id": demo.GRANT.client_id,
    "client_secret": demo.GRANT.client_secret,
    "access_code": demo.GRANT.access_code,
}


@dataclass(frozen=True)
class Option:
    name: str  # dest, e.g. "repairer_key" -> --repairer-key, CONFORMANCE_REPAIRER_KEY
    help: str
    default: str | None = None
    secret: bool = False
    metavar: str = "VALUE"
    type: Callable[[str], Any] | None = None  # parses the flag's or the variable's text (argparse `type`)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def variable(self) -> str:
        return "CONFORMANCE_" + self.name.upper()


def concurrency(text: str) -> int | None:
    """`auto` (None: sized by the target's latency) or a positive whole number."""
    if text.strip().lower() == "auto":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected auto or a whole number of at least 1, not {text!r}")
    return int(text)


def seconds(text: str) -> float:
    """A positive number of seconds."""
    return _positive(text, float, "number of seconds")


def byte_count(text: str) -> int:
    """A positive whole number of bytes."""
    return _positive(text, int, "whole number of bytes")


def _positive(text: str, kind: Callable[[str], float], what: str) -> Any:
    try:
        number = kind(text)
    except ValueError:
        number = 0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive {what}, not {text!r}")
    return number


def rate(text: str) -> float:
    """A positive number of requests a second."""
    return _positive(text, float, "number of requests a second")


OPTIONS: tuple[Option, ...] = (
    Option("tenant", "Sandbox tenant (x-partifact-tenant): auto (probe whether the target isolates tenants and "
                     "use a fresh one if so), or a NAME to use as this run's own world.", "auto", metavar="auto|NAME"),
    Option("profile", "quick (default: whole suite in about a minute) or nightly (much deeper generation).",
           "quick", metavar="quick|nightly"),
    Option("spec", "The contract: bundled (the reconstruction; a spec the target serves is compared with it), "
                   "or a URL or a path that replaces it.", "bundled", metavar="bundled|URL|PATH"),
    Option("repairer_key", "Repairer API key.", DEMO["repairer_key"], secret=True, metavar="KEY"),
    Option("repairer_integration_id", "Repairer integration id.", DEMO["repairer_integration_id"], metavar="ID"),
    Option("supplier_key", "Supplier API key.", DEMO["supplier_key"], secret=True, metavar="KEY"),
    Option("supplier_integration_id", "Supplier integration id.", DEMO["supplier_integration_id"], metavar="ID"),
    Option("client_id", "OAuth client id for the install checks.", DEMO["client_id"], metavar="ID"),
    Option("client_secret", "OAuth client secret for the install checks.", DEMO["client_secret"], secret=True,
           metavar="SECRET"),
    Option("access_code", "A fresh, unused OAuth access code for the install checks.", DEMO["access_code"],
           secret=True, metavar="CODE"),
    Option("reports_dir", "Where conformance.html, summary.json and junit.xml are written.", "reports",
           metavar="DIR"),
    Option("baseline", "An earlier summary.json: the report shows what regressed, was fixed or is new.",
           metavar="PATH"),
    Option("concurrency", "Requests a test keeps in flight at once: auto (sized by the target's round trip; 1 for "
                          "the embedded sandbox) or a number, above 4 also in pytest-xdist workers unless -n is "
                          "given; 1 sends one request at a time, in one process.", "auto", metavar="auto|N",
           type=concurrency),
    Option("max_rps", "At most this many requests a second, for the whole run (shared by -n workers); "
                      "default: no limit.", metavar="RATE", type=rate),
    # not --timeout: pytest-timeout's option, installed in many repositories that would run this suite
    Option("request_timeout", "Seconds a reply may take, whole (from sending the request to its last byte); a "
                              f"method that misses it {MAX_MISSES} times is no longer asked.", f"{TIMEOUT:g}",
           metavar="SECONDS", type=seconds),
    Option("max_response_bytes", "Bytes of one reply read at most, after decompression; a larger reply is not "
                                 "read.", str(MAX_RESPONSE_BYTES), metavar="BYTES", type=byte_count),
    Option("history", "Keep this run's summary in DIR (the newest 30 are kept); the report shows each "
                      "requirement's status and the pass count over the runs kept there.", metavar="DIR"),
    Option("confirm_procurement", "An existing procurement (order_requested) the run may confirm to check the "
                                  "lifecycle: it changes the target.", metavar="ID"),
    Option("foreign_job", "A job of another repairer organization: neither credential may see it.", metavar="ID"),
    Option("webhook_secret", "The shared secret webhook deliveries are signed with (WEBHOOK-004); the embedded "
                             "sandbox signs with it.", DEFAULT_SECRET, secret=True, metavar="SECRET"),
    Option("foreign_procurement", "A procurement neither credential's organization is party to: neither may see "
                                  "it.", metavar="ID"),
)
# the options that take a value (the others are flags), as written on a command line
VALUE_FLAGS = frozenset({*(o.flag for o in OPTIONS), "--requirement", "--procurement"})


def env_default(option: Option) -> str | None:
    return os.environ.get(option.variable, option.default)


def _flag_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in {"0", "false", "no", "off", ""}


def declarations() -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every option as (flags, argparse keywords): dest, the default from the environment, help."""
    extensions = os.environ.get("CONFORMANCE_EXTENSIONS", "auto").strip().lower()
    declared: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        ((o.flag,), {"dest": f"conformance_{o.name}", "default": env_default(o), "metavar": o.metavar, "type": o.type,
                     "help": f"{o.help} [env {o.variable}]"}) for o in OPTIONS]
    declared += [
        (("--no-tenant",), {
            "dest": "conformance_no_tenant", "action": "store_true",
            "default": _flag_env("CONFORMANCE_NO_TENANT", False),
            "help": "Send no tenant header and do not probe for tenants: the run then creates its own jobs, relies on "
                    "no pristine seed and alters nothing it did not create. [env CONFORMANCE_NO_TENANT=1]"}),
        (("--extensions",), {
            "dest": "conformance_extensions", "action": "store_true",
            "default": None if extensions == "auto" else _flag_env("CONFORMANCE_EXTENSIONS", True),
            "help": "Check the 3 proposed extension methods; default: when the target offers them (probed). "
                    "[env CONFORMANCE_EXTENSIONS=auto|1|0]"}),
        (("--no-extensions",), {
            "dest": "conformance_extensions", "action": "store_false",
            "help": "Check only the 14 methods of 2026-01. [env CONFORMANCE_EXTENSIONS=0]"}),
        (("--require-all",), {
            "dest": "conformance_require_all", "action": "store_true",
            "default": _flag_env("CONFORMANCE_REQUIRE_ALL", False),
            "help": "Certification mode: any MUST not checked, for any reason (not applicable, not verified, not "
                    "selected), fails the run (exit 1). [env CONFORMANCE_REQUIRE_ALL=1]"}),
        (("--requirement",), {
            "dest": "conformance_requirements", "action": "append", "metavar": "ID",
            "default": [r for r in os.environ.get("CONFORMANCE_REQUIREMENTS", "").split(",") if r],
            "help": "Run only the tests that verify this requirement id, or every id of an area prefix (e.g. "
                    "BASKET-D52-001, AUTH); repeatable. [env CONFORMANCE_REQUIREMENTS=ID,ID]"}),
        (("--procurement",), {
            "dest": "conformance_procurements", "action": "append", "metavar": "ID",
            "default": [p for p in os.environ.get("CONFORMANCE_PROCUREMENTS", "").split(",") if p],
            "help": "An existing procurement to check read-only (no public 2026-01 method creates one); "
                    "repeatable. [env CONFORMANCE_PROCUREMENTS=ID,ID]"}),
    ]
    return declared


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "2026-01 Integrations API conformance")
    for flags, keywords in declarations():
        group.addoption(*flags, **keywords)


def value(config: pytest.Config, name: str) -> str | None:
    return config.getoption(f"conformance_{name}")


def base_url(config: pytest.Config) -> str | None:
    """The target's base URL as pytest-base-url takes it (--base-url, env PYTEST_BASE_URL, the `base_url` ini
    value), read once by the session: None means the embedded sandbox."""
    return config.getoption("base_url", None) or config.getini("base_url") or None
