"""Study set-up in the store: pillars added and renamed, results published or withdrawn.

Each function takes a Session and leaves the transaction to the caller.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.delphi.errors import RoundStateError
from permed_atlas.delphi.models import Study, Survey
from permed_atlas.delphi.store import _get, _study, _survey, list_panels, utcnow
from permed_atlas.delphi.tables import PanelRow, RoundRow, StudyRow, SurveyRow


def set_published(
    session: Session, study_id: int, *, published: bool, now: datetime | None = None
) -> Study:
    """Publish a study's results (closed rounds, reports, synthesis) or withdraw them.

    :param study_id: the study.
    :param published: True to publish, False to make the results coordinator-only again.
    :param now: the publication time.
    """
    row = _get(session, StudyRow, study_id, "study")
    if published and row.published_at is None:
        row.published_at = now or utcnow()
    elif not published:
        row.published_at = None
    session.flush()
    return _study(row)


def add_survey(
    session: Session, study_id: int, *, pillar: str, title: str, panel_id: int | None = None
) -> Survey:
    """Add a pillar (one survey) to a study, with an empty draft first round.

    :param study_id: the study.
    :param pillar: the pillar's short code, e.g. ``P4``; unique in the study.
    :param title: the survey's title.
    :param panel_id: the panel rating it; the study's first panel (created if none).
    """
    _get(session, StudyRow, study_id, "study")
    pillar, title = pillar.strip(), title.strip()
    if not pillar or not title:
        raise RoundStateError("a pillar needs a code and a title")
    if session.scalar(
        select(SurveyRow.id).where(SurveyRow.study_id == study_id, SurveyRow.pillar == pillar)
    ):
        raise RoundStateError(f"the study already has a pillar {pillar!r}")
    if panel_id is None:
        panels = list_panels(session, study_id)
        if panels:
            panel_id = panels[0].id
        else:
            panel_row = PanelRow(study_id=study_id, name="Panel")
            session.add(panel_row)
            session.flush()
            panel_id = panel_row.id
    survey = SurveyRow(study_id=study_id, panel_id=panel_id, pillar=pillar, title=title)
    session.add(survey)
    session.flush()
    session.add(RoundRow(survey_id=survey.id, number=1, status="draft"))
    session.flush()
    return _survey(survey)


def update_survey(session: Session, survey_id: int, *, title: str) -> Survey:
    """Rename a pillar's survey.

    :param survey_id: the survey.
    :param title: the new title.
    """
    row = _get(session, SurveyRow, survey_id, "survey")
    if not title.strip():
        raise RoundStateError("a pillar needs a title")
    row.title = title.strip()
    session.flush()
    return _survey(row)
