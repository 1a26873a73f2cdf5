"""A scripted webhook receiver on a free 127.0.0.1 port (stdlib http.server in a thread)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    """One scripted answer: status, headers, body; ``hang`` holds the reply until released."""

    status: int = 200
    headers: dict = field(default_factory=dict)
    body: str = ""
    hang: bool = False


@dataclass
class Received:
    """One request as the receiver saw it, and what it answered."""

    headers: dict
    body: bytes
    status: int
    late: bool = False  # answered only after the client had given up (a duplicate may follow)

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookServer:
    """Answers POSTs from ``script`` in order, then 200; keeps every request.

    ``release()`` frees answers held with ``hang=True`` (after the client gave up).
    """

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.received: list[Received] = []
        self._released = threading.Event()
        self._lock = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server hook name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server._lock:
                    answer = server.script.pop(0) if server.script else Answer()
                    server.received.append(Received({name.lower(): value for name, value in self.headers.items()},
                                                    body, answer.status, answer.hang))
                    server._lock.notify_all()
                if answer.hang:
                    server._released.wait(30)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    payload = answer.body.encode()
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting (the slow-reply script)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/hooks/helpdesk"

    def wait_until(self, predicate, timeout: float = 30.0) -> bool:
        """Block until ``predicate(received)`` holds (checked at each request) or the timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self.received), timeout)

    def release(self) -> None:
        self._released.set()

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, in arrival order."""
        return [r for r in self.received if 200 <= r.status < 300 and not r.late]

    def serve(self) -> threading.Thread:
        thread = threading.Thread(target=self._httpd.serve_forever, name="webhook-server", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def running_webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer()
    thread = server.serve()
    try:
        yield server
    finally:
        server.stop()
        thread.join(10)


def signature_valid(secret: str, received: Received) -> bool:
    """Standard Webhooks verification, written from the specification (not from our code)."""
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    message_id = received.headers["webhook-id"]
    timestamp = received.headers["webhook-timestamp"]
    expected = base64.b64encode(
        hmac.new(key, f"{message_id}.{timestamp}.".encode() + received.body, hashlib.sha256).digest()
    ).decode()
    offered = [part.split(",", 1)[1] for part in received.headers["webhook-signature"].split() if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, signature) for signature in offered)
