"""A real HTTP server on 127.0.0.1 for source tests: each path answered by a route (a function of the request)
or by a script of replies (one per request, the last one repeated), every request recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a stalled server)
    declared_length: int | None = None  # a Content-Length other than the body's: the connection drops early
    endless: bool = False  # no Content-Length, the body repeated until the client hangs up


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    at: float  # time.monotonic() on arrival


Route = Callable[[Seen], Reply]
NOT_FOUND = Reply(404, b"not found")


class ScriptedServer:
    """Threaded HTTP/1.0 (a body without Content-Length ends when the connection closes); use as a context
    manager, or `start()` and `stop()`. Routes win over scripts; a path with neither is a 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.scripts: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        # A short poll interval keeps shutdown() (and so each test's teardown) quick.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                reply = server._answer(self.path, {k.lower(): v for k, v in self.headers.items()})
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if not reply.endless:
                        length = len(reply.body) if reply.declared_length is None else reply.declared_length
                        self.send_header("Content-Length", str(length))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    while reply.endless:
                        self.wfile.write(reply.body)
                except OSError:
                    pass  # the client hung up: timed out, or refused more bytes

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def _answer(self, target: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(target)
        seen = Seen(parts.path, parse_qs(parts.query), headers, time.monotonic())
        with self.lock:
            self.requests.append(seen)
            route = self.routes.get(seen.path)
            if route is None:
                script = self.scripts.get(seen.path) or [NOT_FOUND]
                return script.pop(0) if len(script) > 1 else script[0]
        return route(seen)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer `path` with these replies in turn, then the last one again and again."""
        with self.lock:
            self.scripts[path] = list(replies)

    def hits(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.requests if seen.path == path]

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# A small RSS 2.0 feed of one posting, as a source would serve it (unit and integration tests).
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Acme jobs</title><link>https://acme.example/jobs</link>
<item><title>Platform Engineer</title><guid isPermaLink="false">job-1</guid>
<link>https://acme.example/jobs/1</link>
<description>&lt;p&gt;Run the platform.&lt;/p&gt;
&lt;ul&gt;&lt;li&gt;Kubernetes&lt;/li&gt;&lt;/ul&gt;</description>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate></item>
</channel></rss>"""
