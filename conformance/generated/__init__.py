"""Tests generated from the contract by schemathesis: one property test per method (test_generated.py), the
stateful chains along the spec's links (test_stateful.py), and the glue that sends and judges their cases
(cases.py)."""
