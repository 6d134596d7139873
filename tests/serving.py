"""An ASGI app served by uvicorn on a free loopback port in a daemon thread, for tests that
need a real server beside the one under test (a federation node the hub asks)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any


def serve_in_thread(app: Any) -> tuple[Any, threading.Thread, int]:
    """Start ``app`` and wait (at most 15 s) until it listens.

    :return: the server (set ``should_exit`` to stop it), its thread and its port.
    """
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return server, thread, port
