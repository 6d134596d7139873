"""Serve the web app with uvicorn: used by ``permed serve`` and ``permed demo``."""

from __future__ import annotations

import socket
from collections.abc import Callable

from permed_atlas.errors import SettingsError
from permed_atlas.i18n import Message
from permed_atlas.settings import Settings


def run_server(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
    say: Callable[[str], object] = print,
) -> None:
    """Build the app (migrating the platform database) and serve it until interrupted.

    :param settings: the platform settings; give the default host and port.
    :param host: address to listen on, instead of ``settings.host``.
    :param port: port to listen on, instead of ``settings.port``.
    :param workers: worker processes; more than one builds each app from the environment.
    :param say: prints the address the app listens on.
    """
    import uvicorn

    from permed_atlas.web.app import create_app

    bind_host = host or settings.host
    bind_port = port or settings.port
    refuse_an_unusable_address(bind_host, bind_port)
    app = create_app(settings)
    say(f"PerMed Atlas on http://{bind_host}:{bind_port}  (Ctrl-C stops it)")
    # uvicorn would believe X-Forwarded-For from loopback; the app's SecurityMiddleware
    # believes it only from PERMED_TRUSTED_PROXIES.
    if workers > 1:
        # Several workers need an import string; each builds its app from the environment.
        uvicorn.run(
            "permed_atlas.web.app:create_app",
            factory=True,
            host=bind_host,
            port=bind_port,
            workers=workers,
            log_level="info",
            proxy_headers=False,
        )
    else:
        uvicorn.run(app, host=bind_host, port=bind_port, log_level="info", proxy_headers=False)


def refuse_an_unusable_address(host: str, port: int) -> None:
    """Bind ``host:port`` once, before anything is printed or migrated.

    uvicorn finds a taken port only after the app has started and after the address was
    announced, then exits 3 with its own log lines; this says it first, in one line.

    :param host: the address to listen on.
    :param port: the port.
    :raises SettingsError: the address cannot be listened on (taken, or not this machine's).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            # as uvicorn binds: a port left in TIME_WAIT by the last run is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise SettingsError(
            Message(
                "cannot listen on %(host)s:%(port)s (%(reason)s): choose another with --host "
                "and --port, or PERMED_HOST and PERMED_PORT",
                host=host,
                port=str(port),
                reason=exc.strerror or str(exc),
            )
        ) from exc
