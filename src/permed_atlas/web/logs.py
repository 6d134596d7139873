"""Log lines without credentials: an expert's personal rating link carries its token in the path.

Whoever holds the link can rate as that expert, so the token must not reach uvicorn's access
log (one line per request, kept by whoever runs the server) or the app's error log; both
show ``/delphi/respond/[redacted]`` instead.
"""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/delphi/respond/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact_path(path: str) -> str:
    """``path`` (or a request line) with the token of a rating link replaced.

    :param path: a URL path, possibly with its query string.
    """
    return _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", path)


class RedactCredentials(logging.Filter):
    """Redacts rating-link tokens in a record's arguments (uvicorn's access log passes the
    path as one) and in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


def redact_server_logs() -> None:
    """Install :class:`RedactCredentials` on uvicorn's access log (once per process).

    Called from ``create_app``, which each uvicorn worker runs after configuring its logging.
    """
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCredentials) for f in access.filters):
        access.addFilter(RedactCredentials())
