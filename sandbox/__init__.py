"""The Rails Sandbox: a faithful, in-memory local implementation of the 2026-01 Integrations API.

`create_app()` returns the Starlette app; `sandbox.server.running(app)` serves it on a free loopback
port; `python -m sandbox` (or `rails-sandbox`) serves it from the command line.
"""

from .app import create_app

__all__ = ["create_app"]
