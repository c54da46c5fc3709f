"""Stateful property test: chains of calls along the spec's links (job -> parts -> basket -> procurements).

Each step is judged like a single property-test request, and sent at once: a chain is sequential by
nature (each step reads the previous response). Findings never stop the chains: the test fails or
warns once it has run them all. Shrinking is off: against a live server the state changes between
replays, which makes Hypothesis's shrinking slow and flaky. Every scenario works on what its own steps
created or found.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case, Response

from conformance.generated.cases import call_and_judge, load_schema
from conformance.run import Run


@pytest.mark.requirement(generated=True)
def test_linked_chains(run: Run) -> None:
    """Chains along the spec's links, each step judged as it is answered."""
    class Chains(load_schema(run).as_state_machine()):  # type: ignore[misc]
        def call(self, case: Case, **kwargs: Any) -> Response:
            return call_and_judge(run, case, chained=True)

        def validate_response(self, response: Response, case: Case, *args: Any, **kwargs: Any) -> None:
            """Already judged in `call`, with each failure tied to its requirement."""

    profile = run.target.profile
    Chains.run(settings=settings(max_examples=profile.stateful_examples, stateful_step_count=profile.stateful_steps,
                                 phases=[Phase.explicit, Phase.generate], deadline=None,
                                 suppress_health_check=list(HealthCheck)))
