"""The study and round pages, shown on a visit and again when an editor's edit is refused.

A refused edit (an item's statement or a pillar's title reworded in one language only) comes
back as the same page, with the error beside the form it came from and what was typed kept,
so the editor can confirm or finish the edit instead of typing it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from permed_atlas.accounts import User
from permed_atlas.delphi import store
from permed_atlas.delphi.charts import distribution_svg
from permed_atlas.delphi.consensus import describe_methods
from permed_atlas.delphi.results import view_round
from permed_atlas.delphi.visibility import study_results_visible
from permed_atlas.web.deps import is_editor, render


@dataclass(frozen=True)
class RefusedEdit:
    """An edit the store refused: the record's id, the form's fields as typed, and why."""

    record_id: int
    error: str
    values: Mapping[str, str] = field(default_factory=dict)


def _status(refused: RefusedEdit | None) -> int:
    return 200 if refused is None else 422


def render_study(
    request: Request,
    session: Session,
    study_id: int,
    *,
    user: User | None,
    refused: RefusedEdit | None = None,
) -> Response:
    """The study page; with ``refused``, a pillar's rename shown again with its error.

    :param refused: the refused rename (``record_id`` is the survey's id).
    """
    study = store.get_study(session, study_id)
    surveys = [(s, store.list_rounds(session, s.id)) for s in store.list_surveys(session, study.id)]
    panels = [
        (p, len(store.list_experts(session, p.id))) for p in store.list_panels(session, study.id)
    ]
    return render(
        request,
        "delphi/study.html",
        {
            "study": study,
            "surveys": surveys,
            "panels": panels,
            "is_editor": is_editor(user),
            "results_visible": study_results_visible(study, coordinator=is_editor(user)),
            "actions": store.list_actions(session, study.id),
            "refused": refused,
        },
        status_code=_status(refused),
    )


def render_round(
    request: Request,
    session: Session,
    round_id: int,
    *,
    user: User | None,
    min_group_size: int,
    refused: RefusedEdit | None = None,
) -> Response:
    """The round page; with ``refused``, an item's edit shown again with its error.

    :param min_group_size: the smallest region group shown.
    :param refused: the refused edit (``record_id`` is the item's id).
    """
    view = view_round(session, round_id, coordinator=is_editor(user), min_group_size=min_group_size)
    next_round = [
        r for r in store.list_rounds(session, view.survey.id) if r.number == view.round.number + 1
    ]
    return render(
        request,
        "delphi/round.html",
        {
            "view": view,
            "study": view.study,
            "result": view.result,
            "is_editor": is_editor(user),
            "next_round": next_round[0] if next_round else None,
            "distribution_svg": distribution_svg,
            "rule_text": view.study.rule.describe(),
            "methods_text": describe_methods(view.study.rule, min_group_size=min_group_size),
            "invitations": store.list_invitations(session, round_id),
            "refused": refused,
        },
        status_code=_status(refused),
    )
