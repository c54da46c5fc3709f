"""The target resolved once, in the controller, from what the user gave: the options (a base URL from
--base-url, PYTEST_BASE_URL or the ini file), else the embedded sandbox started for the run, with its landmarks;
then what the options leave open decided by the probe. Nothing is written back into the options.
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import replace

import httpx
import pytest

from conformance import options
from conformance.target import PROFILES, Credential, Grant, Target, fresh_tenant, spec_source
from conformance.target.probe import probe
from conformance.target.served import fetch as fetch_served
from conformance.wire.transport import Transport


def configured_target(config: pytest.Config, base_url: str, transport: Transport,
                      landmarks: dict[str, str] | None) -> Target:
    """The target as the options give it, before the probe (no tenant, no extensions yet); `landmarks`: the
    embedded sandbox's foreign job and procurement, where no option names them (None: a target the user
    named)."""
    value = functools.partial(options.value, config)
    if value("profile") not in PROFILES:
        raise pytest.UsageError(f"--profile must be one of {', '.join(PROFILES)}, not {value('profile')!r}")
    try:
        spec = spec_source.resolve(value("spec"), transport)
    except (OSError, ValueError, httpx.HTTPError) as exc:
        raise pytest.UsageError(f"--spec {value('spec')!r} could not be loaded: {exc}") from None
    return Target(
        base_url=base_url.rstrip("/"), tenant=None,
        repairer=Credential("repairer", value("repairer_key"), value("repairer_integration_id")),
        supplier=Credential("supplier", value("supplier_key"), value("supplier_integration_id")),
        grant=Grant(value("client_id"), value("client_secret"), value("access_code")),
        profile=PROFILES[value("profile")], extensions=False, spec=spec, embedded=landmarks is not None,
        procurements=tuple(value("procurements")), confirm_procurement=value("confirm_procurement"),
        foreign_job=value("foreign_job") or (landmarks or {}).get("foreign_job"),
        foreign_procurement=value("foreign_procurement") or (landmarks or {}).get("foreign_procurement"),
        webhook_secret=value("webhook_secret") or "",
    )

def probed_target(config: pytest.Config, target: Target, transport: Transport) -> Target:
    """What the options leave open (tenants, extensions) decided by probing the target; and its served spec."""
    value = functools.partial(options.value, config)
    tenant_option, extensions_option = value("tenant"), value("extensions")
    tenant_auto = not value("no_tenant") and tenant_option == "auto"
    tenant = None if value("no_tenant") else fresh_tenant() if tenant_auto else tenant_option
    tenant, found = probe(transport, target.base_url, target.repairer, tenant=tenant, tenant_auto=tenant_auto,
                          extensions=extensions_option)
    notes = found.notes
    if not tenant_auto:
        notes.insert(0, "tenants: none (--no-tenant)" if tenant is None else
                     f"tenants: {tenant} (--tenant), taken as this run's own world")
    extensions = bool(found.extensions if extensions_option is None else extensions_option)
    absent = "" if extensions else ("extensions are off (--no-extensions)" if extensions_option is False else
                                    "the target does not offer the 3 proposed methods (probed)")
    if extensions_option is not None:
        notes.append(f"extensions: {'on (--extensions)' if extensions else 'off (--no-extensions)'}")
    served = fetch_served(transport, target.base_url)
    return replace(target, tenant=tenant, isolated=tenant is not None and found.isolated is not False,
                   extensions=extensions, extensions_absent=absent, seed_job=found.seed_job,
                   seed_procurement=found.seed_procurement, webhooks=found.webhooks, probe_notes=tuple(notes),
                   probe_unfinished=found.unfinished,
                   served_spec=served.to_dict() if served else None)

def start_embedded_sandbox(config: pytest.Config) -> tuple[str, dict[str, str]]:
    """No base URL: serve the bundled sandbox (as the RAILS_SANDBOX_* variables describe it) on a free
    loopback port for the length of the run, signing webhooks with the run's --webhook-secret (one secret,
    both sides). Its URL, and its other repairer organization's job and procurement for the scope checks
    (as the --foreign-job and --foreign-procurement options would name them)."""
    from sandbox import create_app
    from sandbox.seams import options_from_env
    from sandbox.server import running

    try:
        app = create_app(**{**options_from_env(os.environ), "webhook_secret": options.value(config, "webhook_secret")})
    except ValueError as exc:
        raise pytest.UsageError(f"the embedded sandbox: {exc}") from None
    stack = contextlib.ExitStack()
    url = stack.enter_context(running(app))
    config.add_cleanup(stack.close)
    landmarks = app.state.seed.landmarks
    return url, {"foreign_job": landmarks.foreign_job_id, "foreign_procurement": landmarks.foreign_procurement_id}
