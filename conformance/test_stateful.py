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

from conformance import run as run_module
from conformance.generated import call_and_judge, load_schema, requirements_verified

RUN = run_module.active()
SCHEMA = load_schema(RUN)


class Chains(SCHEMA.as_state_machine()):  # type: ignore[misc]
    def call(self, case: Case, **kwargs: Any) -> Response:
        return call_and_judge(RUN, case, chained=True)

    def validate_response(self, response: Response, case: Case, *args: Any, **kwargs: Any) -> None:
        """Already judged in `call`, with each failure tied to its requirement."""


@pytest.mark.requirement(*requirements_verified(RUN, RUN.in_scope()))
class TestLinkedChains(Chains.TestCase):  # type: ignore[name-defined,misc]
    settings = settings(max_examples=RUN.target.profile.stateful_examples,
                        stateful_step_count=RUN.target.profile.stateful_steps,
                        phases=[Phase.explicit, Phase.generate], deadline=None,
                        suppress_health_check=list(HealthCheck))
