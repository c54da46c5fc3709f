"""conformance.source: where a run's contract comes from (`--spec bundled|URL|PATH`); conformance.served: a spec
the target serves, compared with the contract and never obeyed."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conformance.target import served
from conformance.target.spec_source import SpecSource, resolve
from conformance.wire.bounds import Bounds
from conformance.wire.transport import Transport
from spec import operations
from spec.documents import bundled

SPEC_DIR = Path(__file__).resolve().parents[1] / "spec"
LIVE_DOC = {"openapi": "3.1.0", "info": {"title": "live", "version": "x"}, "paths": {}}
Routes = dict[str, tuple[int, str, bytes]]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must not go through a proxy from the environment."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def http() -> Iterator[Transport]:
    """The suite's HTTP edge, with a short timeout."""
    transport = Transport(Bounds(timeout=2.0))
    yield transport
    transport.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Routes], str]]:
    """serve(routes) -> base URL of a tiny HTTP server answering {path: (status, content type, bytes)}."""
    servers: list[ThreadingHTTPServer] = []

    def start(routes: Routes) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, content_type, body = routes.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_bundled_is_the_checked_in_spec_with_its_sha256(http: Transport) -> None:
    source = resolve("bundled", http)
    raw = (SPEC_DIR / "openapi.json").read_bytes()
    assert isinstance(source, SpecSource) and source.origin == "bundled"
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.document == bundled() == json.loads(raw)
    assert len(operations(source.document)) == 14
    assert source.describe() == {"origin": "bundled", "location": "spec/openapi.json", "sha256": source.sha256}


def test_a_path_is_loaded_as_a_file(tmp_path: Path, http: Transport) -> None:
    raw = json.dumps(LIVE_DOC).encode()
    path = tmp_path / "my-openapi.json"
    path.write_bytes(raw)
    source = resolve(str(path), http)
    assert (source.origin, source.location, source.document) == ("file", str(path), LIVE_DOC)
    assert source.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_url_is_fetched(serve: Callable[[Routes], str], http: Transport) -> None:
    raw = json.dumps(LIVE_DOC).encode()
    base = serve({"/spec.json": (200, "application/json", raw)})
    source = resolve(base + "/spec.json", http)
    assert (source.origin, source.location, source.document) == ("live", base + "/spec.json", LIVE_DOC)


@pytest.mark.parametrize("document", [[], {"openapi": "3.1.0"}, {"paths": {"/x": "not an object"}}],
                         ids=["not-an-object", "no-paths", "a-path-that-is-not-an-object"])
def test_a_document_that_is_not_openapi_is_refused(tmp_path: Path, http: Transport, document: object) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="not an OpenAPI document"):
        resolve(str(path), http)


def test_auto_is_no_longer_obeying_the_target(http: Transport) -> None:
    with pytest.raises(ValueError, match="compared"):
        resolve("auto", http)


# -- a served spec, compared ----------------------------------------------------------------------


def test_the_bundled_spec_served_as_it_is_has_no_difference() -> None:
    assert served.compare(bundled(), bundled()) == []


def test_a_served_spec_that_differs_is_described_not_obeyed() -> None:
    theirs = copy.deepcopy(bundled())
    path = "/api/2026-01/repairer.jobs.get"
    theirs["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] = []
    del theirs["paths"]["/api/2026-01/tier1.prepare"]
    theirs["components"]["schemas"]["RepairerJobsGetErrorV1"]["properties"]["type"]["enum"].append("teapot")
    differences = served.compare(theirs, bundled())
    assert any("tier1.prepare: not served" in d for d in differences)
    assert any("repairer.jobs.get: required request fields []" in d for d in differences)
    assert any("repairer.jobs.get: error kinds" in d and "teapot" in d for d in differences)


@pytest.mark.parametrize("document", [[], {"paths": []}, {"paths": {"/x": "not an object", "/y": {"post": 5}}},
                                      {"paths": {"/api/2026-01/repairer.jobs.get": {"post": {
                                          "operationId": "repairer.jobs.get", "requestBody": "x"}}}}],
                         ids=["list", "paths-a-list", "paths-not-objects", "request-body-not-an-object"])
def test_a_malformed_served_spec_is_a_difference_never_a_crash(document: object) -> None:
    differences = served.compare(document, bundled())
    assert differences and all(isinstance(d, str) for d in differences)


def test_fetch_reports_what_the_target_serves(serve: Callable[[Routes], str], http: Transport) -> None:
    raw = json.dumps(LIVE_DOC).encode()
    found = served.fetch(http, serve({"/openapi.json": (200, "application/json", raw)}))
    assert found is not None and found.sha256 == hashlib.sha256(raw).hexdigest()
    assert any("not served" in d for d in found.differences)
    not_json = served.fetch(http, serve({"/openapi.json": (200, "text/html", b"<html>")}))
    assert not_json is not None and not_json.differences == ["the served /openapi.json is not JSON"]
    assert served.fetch(http, serve({})) is None
