"""Serving the app with uvicorn: in the foreground (`serve`) or on a background thread (`running`).

Why `running` binds the socket itself: with port 0 the OS picks a free port, and binding before the
thread starts means the URL is known and connectable as soon as uvicorn reports it has started. The
conformance suite uses it to start the embedded sandbox.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn


def _config(app: Any, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
        ws="none",
    )


def serve(app: Any, host: str = "127.0.0.1", port: int = 8080, log_level: str = "info") -> None:
    """Serve in the foreground until interrupted."""
    uvicorn.Server(_config(app, host, port, log_level)).run()


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread's owner
        pass


@contextlib.contextmanager
def running(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    startup_timeout: float = 10.0,
    log_level: str = "warning",
) -> Iterator[str]:
    """Run `app` on a background thread; yield its base URL ("http://127.0.0.1:PORT"); stop it on exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP;
    # with proto 0 every response body waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    actual_port = sock.getsockname()[1]
    server = _ThreadServer(_config(app, host, actual_port, log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox:{actual_port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start on {host}:{actual_port}")
            time.sleep(0.005)
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        yield f"http://{shown}:{actual_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5.0)
        sock.close()
