"""The documented demo fixtures (NOTES §2, §7; the curl examples of api-reference.txt).

The same in every sandbox world; a real server may honour the demo credentials but need not hold
any of the seeded data.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec.wire import Credential

REPAIRER = Credential("repairer", "partly_demo_repairer_3f8a1c0d9e2b4a67b1c2", "0c000000-0000-4000-8000-000000000001")
SUPPLIER = Credential("supplier", "partly_demo_supplier_8b4e2f1a6c0d3e9f7a25", "0c000000-0000-4000-8000-000000000002")


@dataclass(frozen=True)
class Grant:
    """What integrations.insert takes: an OAuth client and a single-use access code."""

    client_id: str
    client_secret: str
    access_code: str


GRANT = Grant("partly_client_demo", "secret_demo_8f3a", "ac_demo_valid_15m")

# The seeded world: the ids the reference's curl examples use
JOB_EXTERNAL_ID = "CCC-2026-04817"
SITE_ID = "0b000000-0000-4000-8000-000000000001"
SUPPLIER_BUSINESS_ID = "0b000000-0000-4000-8000-000000000010"
WORK_PROVIDER_ID = "0a000000-0000-4000-8000-000000000020"
JOB_PART_ID = "0e000000-0000-4000-8000-000000000004"
SELLABLE_ID = "0f000000-0000-4000-8000-000000000007"
PROCUREMENT_ID = "10000000-0000-4000-8000-000000000001"
