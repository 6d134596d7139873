"""An ASGI app served by uvicorn on a free loopback port in a daemon thread, for tests that
need real HTTP: the web app under load, or a federation node the hub asks."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


def free_port() -> int:
    """A loopback port nothing listens on at the moment of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_in_thread(app: Any, *, log_level: str = "error") -> tuple[Any, threading.Thread, int]:
    """Start ``app`` and wait (at most 15 s) until it listens.

    :param log_level: uvicorn's; ``"info"`` writes the access log, as ``permed serve`` does.
    :return: the server (set ``should_exit`` to stop it), its thread and its port.
    :raises RuntimeError: when it does not start.
    """
    import uvicorn

    port = free_port()
    # as `permed serve` runs it: forwarded headers are the app's business (trusted proxies)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level=log_level, lifespan="off", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, port
