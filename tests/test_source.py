"""conformance.source: where a run's contract comes from (`--spec PATH|URL|auto|bundled`)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conformance.source import SpecSource, fetch_live, resolve
from conformance.transport import Transport
from contract import operations
from contract.documents import bundled

SPEC_DIR = Path(__file__).resolve().parents[1] / "contract"
LIVE_DOC = {"openapi": "3.1.0", "info": {"title": "live", "version": "x"}, "paths": {}}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback requests must not go through a proxy from the environment."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def http() -> Iterator[Transport]:
    """The suite's HTTP edge, with a short timeout."""
    transport = Transport(timeout=2.0)
    yield transport
    transport.close()


@pytest.fixture
def closed_port() -> str:
    """A loopback base URL on which nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def serve() -> Iterator:
    """serve(routes) -> base URL of a tiny HTTP server answering {path: (status, content type, bytes)}."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, tuple[int, str, bytes]]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, content_type, body = routes.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_bundled_is_the_checked_in_spec_with_its_sha256(closed_port, http):
    source = resolve("bundled", closed_port, http)
    assert isinstance(source, SpecSource)
    assert source.origin == "bundled"
    raw = (SPEC_DIR / "openapi.json").read_bytes()
    assert raw == (SPEC_DIR / "openapi.json").read_bytes()
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.document == bundled() == json.loads(raw)
    assert len(operations(source.document)) == 14
    assert source.describe() == {
        "origin": "bundled",
        "location": "contract/openapi.json",
        "sha256": source.sha256,
    }


def test_a_path_is_loaded_as_a_file(tmp_path, closed_port, http):
    raw = json.dumps(LIVE_DOC).encode()
    path = tmp_path / "my-openapi.json"
    path.write_bytes(raw)
    source = resolve(str(path), closed_port, http)
    assert (source.origin, source.location) == ("file", str(path))
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.document == LIVE_DOC


def test_fetch_live_is_none_when_the_connection_is_refused(closed_port, http):
    assert fetch_live(http, closed_port) is None


def test_fetch_live_returns_the_served_document(serve, http):
    raw = json.dumps(LIVE_DOC).encode()
    base = serve({"/openapi.json": (200, "application/json", raw)})
    source = fetch_live(http, base + "/")
    assert source is not None
    assert (source.origin, source.location) == ("live", base + "/openapi.json")
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.document == LIVE_DOC


@pytest.mark.parametrize(
    "route",
    [
        (404, "text/plain", b"not here"),
        (200, "text/html", b"<html>not json</html>"),
        (200, "application/json", b'{"openapi": "3.1.0"}'),  # JSON, but no paths: not an OpenAPI spec
    ],
    ids=["404", "not-json", "no-paths"],
)
def test_fetch_live_is_none_when_nothing_usable_is_served(serve, route, http):
    assert fetch_live(http, serve({"/openapi.json": route})) is None


def test_auto_prefers_the_live_spec_and_falls_back_to_bundled(serve, closed_port, http):
    raw = json.dumps(LIVE_DOC).encode()
    base = serve({"/openapi.json": (200, "application/json", raw)})
    assert resolve("auto", base, http).origin == "live"
    fallback = resolve("auto", closed_port, http)
    assert fallback.origin == "bundled"
    assert fallback.sha256 == hashlib.sha256((SPEC_DIR / "openapi.json").read_bytes()).hexdigest()


def test_a_url_is_fetched_as_live(serve, http):
    raw = json.dumps(LIVE_DOC).encode()
    base = serve({"/spec.json": (200, "application/json", raw)})
    source = resolve(base + "/spec.json", "http://unused.invalid", http)
    assert (source.origin, source.location, source.document) == ("live", base + "/spec.json", LIVE_DOC)
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
