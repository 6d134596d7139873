"""The end of a coordinator's write: audited, committed, and back to the round or study page.

The pages' addresses and the audit log's target names are spelled here once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from permed_atlas.accounts import User
from permed_atlas.web.deps import audited_redirect


def to_round(
    session: Session,
    user: User,
    round_id: int,
    action: str,
    *,
    target: str | None = None,
    detail: dict[str, object] | None = None,
) -> RedirectResponse:
    """Audit ``action`` (on the round, unless ``target`` names something in it), commit,
    and go to the round's page."""
    return audited_redirect(
        session,
        user,
        action=action,
        target=target or f"delphi_round:{round_id}",
        url=f"/delphi/rounds/{round_id}",
        detail=detail,
    )


def to_study(
    session: Session,
    user: User,
    study_id: int,
    action: str,
    *,
    target: str | None = None,
    detail: dict[str, object] | None = None,
    page: str = "",
) -> RedirectResponse:
    """Audit ``action`` (on the study, unless ``target`` names something in it), commit,
    and go to the study's page (or its sub-page ``page``, e.g. ``/synthesis``)."""
    return audited_redirect(
        session,
        user,
        action=action,
        target=target or f"delphi_study:{study_id}",
        url=f"/delphi/studies/{study_id}{page}",
        detail=detail,
    )
