"""Independent clean-room server of the 2026-01 Integrations API (standard library only).

    from independent_server import serve_in_thread
    url, stop = serve_in_thread(no_tenants=False, no_extensions=False, own_data=False)
    handle = serve_in_thread(own_data=True); handle.procurement_ids  # also handle.server
"""
from .server import Server, ServeResult, main, make_server, serve_in_thread

__all__ = ["Server", "ServeResult", "main", "make_server", "serve_in_thread"]
