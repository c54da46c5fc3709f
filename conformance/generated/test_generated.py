"""Generated tests: requests generated from the spec, positive and negative, one test per method.

Why one test parametrized by method (`test_generated[repairer.jobs.get]`) rather than schemathesis's
`@schema.parametrize()`: under pytest 9, schemathesis's parametrized items all share one node id, so
JUnit, the HTML report, `-k` and `--lf` could not tell the methods apart. The `methods` marker
(conftest.py) gives each method in scope its own stable id on every pytest version.

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

import pytest
from hypothesis import HealthCheck, settings
from schemathesis import BaseSchema, Case
from schemathesis.checks import load_all_checks
from schemathesis.core.result import Ok
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

from conformance.generated.cases import load_schema, send_in_background
from conformance.run import Run


@pytest.fixture(scope="session")
def schema(run: Run) -> BaseSchema:
    """The contract in scope; without a private tenant the spec's examples (the seeded job, the seeded
    procurement) are shared data, so only generated values are sent."""
    schema = load_schema(run)
    if run.target.tenant is None:
        schema.config.phases.update(phases=["coverage", "fuzzing"])
    return schema


@pytest.fixture(scope="session")
def feedback(schema: BaseSchema) -> FeedbackSources:
    """The spec's constants, which schemathesis mixes into generated values (computed once per process), with
    schemathesis's checks loaded first, as its own lazy schemas do before building a test."""
    load_all_checks()
    return FeedbackSources(constants_value_source=make_constants_value_source(schema))


@pytest.mark.methods()
@pytest.mark.requirement(generated=True)
def test_generated(run: Run, schema: BaseSchema, feedback: FeedbackSources, method: str) -> None:
    """Generated requests to the method are answered as the contract says."""
    @settings(max_examples=run.target.profile.max_examples, deadline=None, suppress_health_check=list(HealthCheck))
    def send(case: Case) -> None:
        send_in_background(run, case)

    for result in schema.include(operation_id=method).get_all_operations():
        if not isinstance(result, Ok):
            raise result.err()  # the spec's definition of this method is malformed: say so, as an error
        build_operation_test(config=schema.config, operation=result.ok(), test_func=send, given_kwargs={},
                             feedback=feedback)()
