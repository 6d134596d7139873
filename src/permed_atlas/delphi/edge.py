"""Helpers shared by the Delphi page and API routes."""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse

from permed_atlas.delphi.errors import (
    DelphiError,
    DuplicateSubmissionError,
    InvalidTokenError,
    RatingError,
    RoundClosedError,
)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def respond_status(exc: DelphiError) -> int:
    """The HTTP status of an error on the rating form."""
    if isinstance(exc, InvalidTokenError):
        return 404
    if isinstance(exc, RoundClosedError | DuplicateSubmissionError):
        return 409
    if isinstance(exc, RatingError):
        return 422
    return 400


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def is_editor(user: Any) -> bool:
    from permed_atlas.accounts import role_at_least

    return user is not None and role_at_least(user.role, "editor")


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
