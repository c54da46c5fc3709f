"""Hand-written conformance checks, one module per area."""
