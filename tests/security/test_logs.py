"""Secrets stay out of the server's logs: the access log of a real uvicorn, as `permed serve`
runs it, never shows a rating link's token, a password, the session cookie or the CSRF token."""

from __future__ import annotations

import logging

import httpx
from tests.security.load import build_study, serve

PASSWORD = "correct-horse-battery"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_access_log_shows_no_token_of_a_rating_link(app, make_user) -> None:  # type: ignore[no-untyped-def]
    study = build_study(app, experts=1, items=2, slug="logs")
    token = next(iter(study.tokens.values()))
    make_user("ed@example.org", "editor", PASSWORD)
    lines = _Lines()
    access = logging.getLogger("uvicorn.access")
    with serve(app, log_level="info") as base_url, httpx.Client(base_url=base_url) as http:
        # uvicorn's logging setup drops the handlers it finds: add ours once it runs
        access.addHandler(lines)
        try:
            assert http.get(f"/delphi/respond/{token}").status_code == 200
            assert http.get(f"/api/v1/delphi/respond/{token}?lang=zh").status_code == 200
            csrf = http.get("/api/v1/auth/session").json()["csrf_token"]
            login = http.post(
                "/api/v1/auth/login",
                json={"email": "ed@example.org", "password": PASSWORD},
                headers={"X-CSRF-Token": csrf},
            )
            assert login.status_code == 200
            cookie = http.cookies["permed_session"]
        finally:
            access.removeHandler(lines)
    logged = "\n".join(lines.lines)
    assert (
        "/delphi/respond/[redacted]" in logged
        and "/api/v1/delphi/respond/[redacted]?lang=zh" in logged
    )
    for secret in (token, PASSWORD, cookie, csrf, login.json()["csrf_token"]):
        assert secret not in logged
