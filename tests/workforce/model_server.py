"""A small local HTTP server speaking the OpenAI chat-completions protocol, for the tests of
"Ask the advisor"."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ModelServer:
    """What the server received, and whether it should fail."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200


@contextlib.contextmanager
def running_model_server() -> Iterator[tuple[str, ModelServer]]:
    """Serve ``POST /v1/chat/completions`` on a free local port; yields (base URL, state)."""
    state = ModelServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append(json.loads(self.rfile.read(length)))
            state.headers.append(dict(self.headers))
            if self.path != "/v1/chat/completions" or state.status != 200:
                self.send_response(500 if self.path == "/v1/chat/completions" else 404)
                self.end_headers()
                return
            body = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": "local-model-7b",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "Keep your supervision log: the CCM is 3 months away.",
                        },
                        "finish_reason": "stop",
                    }
                ],
            }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
