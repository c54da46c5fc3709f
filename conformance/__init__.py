"""Conformance suite for the 2026-01 Integrations API."""

__version__ = "0.1.0"
