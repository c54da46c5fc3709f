"""Loads the conformance plugin for every pytest run started from the repository root."""

pytest_plugins = ["conformance.plugin"]
