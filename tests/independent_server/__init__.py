"""A test subject, not part of the suite: a clean-room server of the 2026-01 Integrations API that
another engineer wrote from the documents alone (api-reference.txt and NOTES.md). Standard library only.

Why it is here: where the documents are silent it made its own choices (README.md, "Choices where the
documents are silent"), so the pass matrix (tests/test_pass_matrix.py) runs the whole suite against it
as the strongest evidence that the suite judges by the documents and does not overfit our sandbox.
Copied as written; only reformatted to the project's ruff rules, with no change of behaviour.

    from tests.independent_server import serve_in_thread
    url, stop = serve_in_thread(no_tenants=False, no_extensions=False, own_data=False)
    handle = serve_in_thread(own_data=True); handle.procurement_ids  # also handle.server
"""
from .server import Server, ServeResult, main, make_server, serve_in_thread

__all__ = ["ServeResult", "Server", "main", "make_server", "serve_in_thread"]
