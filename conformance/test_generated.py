"""Generated tests: requests generated from the spec, positive and negative, one test per method.

Why one generated test function per method rather than one `@schema.parametrize()` function: under
pytest 9, schemathesis's parametrized items all share one node id, so JUnit, the HTML report, `-k`
and `--lf` could not tell the methods apart. A function per method gives each its own stable id on
every pytest version, through public APIs only.

Each example only hands its case to the run's senders (`send_in_background`) and returns: Hypothesis
goes on generating while earlier cases are answered, and the test's call ends when every case is judged
(conftest.py drains the senders). No finding is raised inside Hypothesis, so every test spends its whole
example budget, and reports each kind of finding once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case

from conformance import run as run_module
from conformance.generated import load_schema, requirements_verified, send_in_background

RUN = run_module.active()
SCHEMA = load_schema(RUN)
if RUN.target.tenant is None:
    # without a private tenant, the spec's examples (the seeded job, the seeded procurement) are shared data
    SCHEMA.config.phases.update(phases=["coverage", "fuzzing"])


def _test_for(method: str) -> Callable[[Case], None]:
    @pytest.mark.requirement(*requirements_verified(RUN, [method]))
    @SCHEMA.include(operation_id=method).parametrize()
    @settings(max_examples=RUN.target.profile.max_examples, deadline=None,
              suppress_health_check=list(HealthCheck))
    def test(case: Case) -> None:
        send_in_background(RUN, case)

    test.__name__ = test.__qualname__ = "test_" + method.replace(".", "_").replace("-", "_")
    test.__doc__ = f"Generated requests to {method} are answered as the contract says."
    return test


for _method in RUN.in_scope():
    _test = _test_for(_method)
    globals()[_test.__name__] = _test
