"""Fixtures: a local HTTP server for download tests, fast retries, a clean environment."""

import http.server
import socket
import threading

import pytest


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves server.files; honours "Range: bytes=N-"; can drop or ignore ranges per path."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        path = self.path.split("?")[0]
        server.requests.append((path, self.headers.get("Range")))
        if path not in server.files:
            self.send_error(404)
            return
        payload = server.files[path]
        start = 0
        range_header = self.headers.get("Range")
        if range_header and path not in server.ignore_range:
            start = int(range_header.split("=")[1].split("-")[0])
            if start >= len(payload):
                self.send_response(416)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}")
        else:
            self.send_response(200)
        body = payload[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.drops.get(path, 0) > 0:
            server.drops[path] -= 1
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


@pytest.fixture
def http_server():
    """A local HTTP server on 127.0.0.1: set .files[path] = bytes, .drops[path] = count."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.files, server.drops, server.ignore_range, server.requests = {}, {}, set(), []
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def dead_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    """No waiting between download retries, and no mirror settings leaking in from outside."""
    from ember.vision.datasets import download

    monkeypatch.setattr(download, "RETRY_BACKOFF", 0.0)
    for var in ("EMBER_DATASETS_MIRROR", "EMBER_CIFAR10_URL", "EMBER_CIFAR100_URL",
                "EMBER_MNIST_URL", "EMBER_FASHIONMNIST_URL", "EMBER_CIFAR10_SOURCE",
                "EMBER_CACHE_DIR", "EMBER_DECODE_WORKERS"):
        monkeypatch.delenv(var, raising=False)
