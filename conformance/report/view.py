"""The run's session as the report hooks see it."""

from __future__ import annotations

from typing import Any, Protocol

import pytest

from conformance.target import Target
from conformance.verdict.results import RequirementResult, RunResults


class Session(Protocol):
    """What the reports need of the run's session (conformance/session.py's, which registers their hooks: the
    hooks depend on this shape only, so the session and the reports do not import each other)."""

    config: pytest.Config
    results: RunResults | None
    target: Target | None
    outcome: list[RequirementResult] | None  # the final results, once the session finished
    summary: dict[str, Any] | None

    def option(self, name: str) -> Any: ...

    def run_summary(self) -> dict[str, Any]: ...
