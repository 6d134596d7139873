"""The end of a coordinator's write: audited, committed, and back to the round or study page.

The pages' addresses are spelled here once; the audit log's target names in ``_targets``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from permed_atlas.accounts import User
from permed_atlas.delphi._targets import round_target, study_target
from permed_atlas.web.deps import audited_redirect


@dataclass(frozen=True)
class _BackTo:
    """The end of a write on one kind of record (a round, a study) and its page."""

    target_of: Callable[[int], str]
    pages: str

    def __call__(
        self,
        session: Session,
        user: User,
        ident: int,
        action: str,
        *,
        target: str | None = None,
        detail: dict[str, object] | None = None,
        page: str = "",
    ) -> RedirectResponse:
        """Audit ``action`` (on the record, unless ``target`` names something in it), commit,
        and go to the record's page (or its sub-page ``page``, e.g. ``/synthesis``)."""
        return audited_redirect(
            session,
            user,
            action=action,
            target=target or self.target_of(ident),
            url=f"{self.pages}/{ident}{page}",
            detail=detail,
        )


to_round = _BackTo(round_target, "/delphi/rounds")
to_study = _BackTo(study_target, "/delphi/studies")
