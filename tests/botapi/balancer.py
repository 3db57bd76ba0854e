"""A load balancer for the tests: the one public webhook URL in front of N bot replicas.
Each POST goes to the next replica in turn; a replica that does not answer (killed) is skipped,
as a load balancer's health check would; the replica's answer is passed back as it is."""
from __future__ import annotations

import itertools
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs, e.g. http://127.0.0.1:8443
        self._turn = itertools.count()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def forward(self, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        start = next(self._turn)
        for i in range(len(self.backends)):
            backend = self.backends[(start + i) % len(self.backends)]
            request = urllib.request.Request(backend + path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
            except OSError:
                continue  # that replica is down: the next one
        return 502, b""

    def start(self) -> "Balancer":
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                keep = {k: v for k, v in self.headers.items() if k.lower() in
                        ("content-type", "x-telegram-bot-api-secret-token")}
                status, answer = balancer.forward(self.path, body, keep)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True, name="test-balancer").start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
