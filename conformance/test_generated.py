"""Generated tests: requests generated from the spec, positive and negative, one test per method.

Why one generated test function per method rather than one `@schema.parametrize()` function: under
pytest 9, schemathesis's parametrized items all share one node id, so JUnit, the HTML report, `-k`
and `--lf` could not tell the methods apart. A function per method gives each its own stable id on
every pytest version.

Why each test builds its schemathesis test when it runs, not when it is collected: building one computes
the method's coverage cases (about a tenth of a second of CPU each), and every pytest-xdist worker
collects every test. Built at collection, each worker would pay for all 17 methods and run a few;
built in the test, each method is paid for once, by the process that runs it. The build is the one
schemathesis's own lazy schemas (`schemathesis.pytest.from_fixture`) run inside their test.

Each example only hands its case to the run's senders (`send_in_background`) and returns: Hypothesis
goes on generating while earlier cases are answered, and the test's call ends when every case is judged
(conftest.py drains the senders). No finding is raised inside Hypothesis, so every test spends its whole
example budget, and reports each kind of finding once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import load_all_checks
from schemathesis.core.result import Ok
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

from conformance import run as run_module
from conformance.generated import load_schema, requirements_verified, send_in_background

RUN = run_module.active()
SCHEMA = load_schema(RUN)
if RUN.target.tenant is None:
    # without a private tenant, the spec's examples (the seeded job, the seeded procurement) are shared data
    SCHEMA.config.phases.update(phases=["coverage", "fuzzing"])


@cache
def _feedback() -> FeedbackSources:
    """The spec's constants, which schemathesis mixes into generated values (computed once per process), with
    schemathesis's checks loaded first, as its own lazy schemas do before building a test."""
    load_all_checks()
    return FeedbackSources(constants_value_source=make_constants_value_source(SCHEMA))


@settings(max_examples=RUN.target.profile.max_examples, deadline=None, suppress_health_check=list(HealthCheck))
def _send(case: Case) -> None:
    send_in_background(RUN, case)


def _test_for(method: str) -> Callable[[], None]:
    @pytest.mark.requirement(*requirements_verified(RUN, [method]))
    def test() -> None:
        schema = SCHEMA.include(operation_id=method)
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                raise result.err()  # the spec's definition of this method is malformed: say so, as an error
            build_operation_test(config=schema.config, operation=result.ok(), test_func=_send, given_kwargs={},
                                 feedback=_feedback())()

    test.__name__ = test.__qualname__ = "test_" + method.replace(".", "_").replace("-", "_")
    test.__doc__ = f"Generated requests to {method} are answered as the contract says."
    return test


for _method in RUN.in_scope():
    _test = _test_for(_method)
    globals()[_test.__name__] = _test
