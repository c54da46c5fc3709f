"""HTTP layer: routing, the framework behaviour around bodies, keep-alive, and server startup."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .app import App, dumps

PREFIX = "/api/2026-01/"
MAX_BODY = 8 * 1024 * 1024


class BodyError(Exception):
    pass


def _reject_constant(name):
    raise ValueError(name)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "independent-server/1.0"
    wbufsize = 64 * 1024  # headers and body leave in one write (no delayed-ACK stalls)
    disable_nagle_algorithm = True
    timeout = 120  # seconds a connection may sit idle / mid-body

    def log_message(self, fmt, *args):  # quiet unless asked
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    # Only POST is handled; every other verb gets http.server's own 501 (text/html).
    def do_POST(self):
        app = self.server.app
        try:
            raw = self._read_body()
        except BodyError:
            self.close_connection = True
            self._send(400, "text/plain; charset=utf-8", b"bad request")
            return
        path = urlsplit(self.path).path
        if not path.startswith(PREFIX):
            self._send(404, "text/plain; charset=utf-8", b"not found")
            return
        spec = app.method(path[len(PREFIX):])
        if spec is None:
            self._send(404, "text/plain; charset=utf-8", b"unknown method")
            return
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype and ctype != "application/json" and not (ctype.startswith("application/") and ctype.endswith("+json")):
            status, payload = app.error(spec, "bad_request")
            payload = "unsupported_media_type" if spec.bare else dict(payload, type="unsupported_media_type")
            self._json(415, payload)
            return
        try:
            text = raw.decode("utf-8")
            body = json.loads(text, parse_constant=_reject_constant) if text.strip() else {}
        except Exception:  # undecodable, unparseable, NaN/Infinity, absurdly deep nesting
            self._json(*app.error(spec, "bad_request"))
            return
        status, text = app.call(spec, self.headers, body)
        self._send(status, "application/json", text.encode("utf-8"))

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BodyError() from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise BodyError() from None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BodyError() from None
        if n < 0 or n > MAX_BODY:
            raise BodyError() from None
        data = self.rfile.read(n)
        if len(data) != n:
            raise BodyError() from None
        return data

    def _json(self, status, payload):
        self._send(status, "application/json", dumps(payload).encode("utf-8"))

    def _send(self, status, ctype, data):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, no_tenants=False, no_extensions=False, own_data=False, verbose=False):
        super().__init__(addr, Handler)
        self.app = App(no_tenants=no_tenants, no_extensions=no_extensions, own_data=own_data)
        self.verbose = verbose

    @property
    def procurement_ids(self):
        """Seeded procurements by status (own-data mode: our own random ids)."""
        return self.app.procurement_ids


class ServeResult(tuple):
    """(url, stop) tuple; also carries .server and .procurement_ids for own-data mode."""

    def __new__(cls, url, stop, server):
        obj = super().__new__(cls, (url, stop))
        obj.url, obj.stop, obj.server = url, stop, server
        obj.procurement_ids = server.procurement_ids
        return obj


def make_server(host="127.0.0.1", port=0, **flags) -> Server:
    return Server((host, port), **flags)


def serve_in_thread(no_tenants=False, no_extensions=False, own_data=False, host="127.0.0.1") -> ServeResult:
    server = make_server(host, 0, no_tenants=no_tenants, no_extensions=no_extensions, own_data=own_data)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="independent-server", daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]:d}"

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    stop.server = server
    return ServeResult(url, stop, server)


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m independent_server",
                                description="Independent clean-room server of the 2026-01 Integrations API")
    p.add_argument("--port", type=int, default=8123)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--no-tenants", action="store_true", help="ignore x-partifact-tenant: one shared world")
    p.add_argument("--no-extensions", action="store_true", help="the 3 proposed methods are unknown methods")
    p.add_argument("--own-data", action="store_true", help="a world of our own instead of the documented seed")
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    a = p.parse_args(argv)
    server = make_server(a.host, a.port, no_tenants=a.no_tenants, no_extensions=a.no_extensions,
                         own_data=a.own_data, verbose=a.verbose)
    host, port = server.server_address[:2]
    print(f"independent_server listening on http://{host}:{port:d} (tenants={not a.no_tenants}, "
          f"extensions={not a.no_extensions}, own_data={a.own_data})", file=sys.stderr)
    if a.own_data:
        ids = server.procurement_ids
        print(f"own-data job external id: {ids['job_external_id']} (job id {ids['job_id']})", file=sys.stderr)
        print("own-data procurement order_requested: {}".format(" ".join(ids["order_requested"])), file=sys.stderr)
        print("own-data procurement order_confirmed: {}".format(" ".join(ids["order_confirmed"])), file=sys.stderr)
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
