"""Studies, their panels and experts, and their surveys (one per pillar)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.delphi._rewording import check_rewording
from permed_atlas.delphi.definition import StudyDraft, require_texts
from permed_atlas.delphi.errors import PanelFileError, RoundStateError, StudyNotFoundError
from permed_atlas.delphi.models import Expert, Panel, Study, Survey
from permed_atlas.delphi.panel import ExpertDraft
from permed_atlas.delphi.store.rows import (
    NO_EMAIL_PREFIX,
    expert_model,
    get_row,
    new_item_row,
    study_model,
    survey_model,
    utcnow,
)
from permed_atlas.delphi.tables import ExpertRow, PanelRow, RoundRow, StudyRow, SurveyRow
from permed_atlas.i18n import Message, require_one_of
from permed_atlas.limits import MAX_ID


def create_study(session: Session, draft: StudyDraft, *, now: datetime | None = None) -> Study:
    """Store a study with its panels, surveys and each survey's first (draft) round.

    :param session: the platform database session.
    :param draft: a validated definition (see :func:`parse_study_definition`).
    :param now: creation time; the current time by default.
    """
    if session.scalar(select(StudyRow.id).where(StudyRow.slug == draft.slug)) is not None:
        raise RoundStateError(
            Message("a study with slug %(slug)s already exists", slug=repr(draft.slug))
        )
    study = StudyRow(
        slug=draft.slug,
        title=draft.title,
        description=draft.description,
        rule_json=json.dumps(dataclasses.asdict(draft.rule)),
        created_at=now or utcnow(),
        languages=",".join(draft.languages),
        title_zh=draft.title_zh,
        description_zh=draft.description_zh,
    )
    session.add(study)
    session.flush()
    panels: dict[str, PanelRow] = {}
    for name in draft.panels:
        panels[name] = PanelRow(study_id=study.id, name=name)
        session.add(panels[name])
    session.flush()
    for survey_draft in draft.surveys:
        survey = SurveyRow(
            study_id=study.id,
            panel_id=panels[survey_draft.panel].id,
            pillar=survey_draft.pillar,
            title=survey_draft.title,
            title_zh=survey_draft.title_zh,
        )
        session.add(survey)
        session.flush()
        first = RoundRow(survey_id=survey.id, number=1, status="draft")
        session.add(first)
        session.flush()
        for position, item in enumerate(survey_draft.items, start=1):
            session.add(new_item_row(first.id, item, position=position))
    session.flush()
    return study_model(study)


def list_studies(session: Session) -> list[Study]:
    """All studies, newest first."""
    rows = session.scalars(
        select(StudyRow).order_by(StudyRow.created_at.desc(), StudyRow.id.desc())
    )
    return [study_model(r) for r in rows]


def study_of_round(session: Session, round_id: int) -> Study:
    """The study a round belongs to."""
    row = session.scalar(
        select(StudyRow)
        .join(SurveyRow, SurveyRow.study_id == StudyRow.id)
        .join(RoundRow, RoundRow.survey_id == SurveyRow.id)
        .where(RoundRow.id == round_id)
    )
    if row is None:
        raise StudyNotFoundError(Message("no round with id %(round_id)s", round_id=round_id))
    return study_model(row)


def get_study(session: Session, study: int | str) -> Study:
    """One study by id or slug.

    :param study: the id, or the slug.
    """
    if isinstance(study, int) or str(study).isdecimal():
        # a number no key can hold names no study (SQLite would refuse to bind it)
        row = session.get(StudyRow, int(study)) if int(study) <= MAX_ID else None
    else:
        row = session.scalar(select(StudyRow).where(StudyRow.slug == study))
    if row is None:
        raise StudyNotFoundError(Message("no study %(study)s", study=repr(study)))
    return study_model(row)


def list_panels(session: Session, study_id: int) -> list[Panel]:
    """The panels of a study."""
    rows = session.scalars(
        select(PanelRow).where(PanelRow.study_id == study_id).order_by(PanelRow.id)
    )
    return [Panel(r.id, r.study_id, r.name) for r in rows]


def get_panel(session: Session, study_id: int, *, name: str | None = None) -> Panel:
    """A study's panel by name (the first panel when no name is given).

    :param name: the panel's name.
    """
    panels = list_panels(session, study_id)
    for panel in panels:
        if name is None or panel.name == name:
            return panel
    raise StudyNotFoundError(
        Message(
            "study %(study_id)s has no panel %(name)s",
            study_id=study_id,
            name=repr(name),
        )
    )


def import_panel(
    session: Session, drafts: Sequence[ExpertDraft], *, panel_id: int, path: str = "panel.csv"
) -> list[Expert]:
    """Add experts to a panel; a row clashing with a stored expert stops the whole import.

    :param session: the platform database session.
    :param drafts: rows from :func:`parse_panel_csv` (already checked among themselves).
    :param panel_id: the panel to add them to.
    :param path: the file name, for messages.
    """
    panel = get_row(session, PanelRow, panel_id, "panel")
    languages = study_model(get_row(session, StudyRow, panel.study_id, "study")).languages
    stored = session.execute(
        select(ExpertRow.email, ExpertRow.ref).where(ExpertRow.panel_id == panel_id)
    ).all()
    emails = {e.lower() for e, _ in stored if not e.startswith(NO_EMAIL_PREFIX)}
    refs = {r for _, r in stored}
    rows: list[ExpertRow] = []
    for draft in drafts:
        if draft.email and draft.email.lower() in emails:
            raise PanelFileError(
                Message("already on this panel"),
                path=path,
                line=draft.line or None,
                field="email",
            )
        if not draft.ref_given and draft.ref in refs:
            # a ref the file did not give: the next free number (experts added one by one)
            number = 1
            while f"E{number:03d}" in refs:
                number += 1
            ref = f"E{number:03d}"
            draft = dataclasses.replace(draft, ref=ref, name=draft.name or ref)
        if draft.ref in refs:
            raise PanelFileError(
                Message("ref %(ref)s already on this panel", ref=repr(draft.ref)),
                path=path,
                line=draft.line or None,
                field="ref",
            )
        language = draft.language or languages[0]
        require_one_of(
            "%(value)s is not a language of this study (%(options)s)",
            value=language,
            options=languages,
            error=partial(PanelFileError, path=path, line=draft.line or None, field="language"),
        )
        refs.add(draft.ref)
        if draft.email:
            emails.add(draft.email.lower())
        rows.append(
            ExpertRow(
                panel_id=panel_id,
                ref=draft.ref,
                name=draft.name,
                email=draft.email or f"{NO_EMAIL_PREFIX}{draft.ref}",
                region=draft.region,
                country=draft.country,
                expertise=draft.expertise,
                organisation=draft.organisation,
                language=language,
            )
        )
    session.add_all(rows)
    session.flush()
    return [expert_model(r) for r in rows]


def list_experts(session: Session, panel_id: int) -> list[Expert]:
    """A panel's experts in the order they were imported."""
    rows = session.scalars(
        select(ExpertRow).where(ExpertRow.panel_id == panel_id).order_by(ExpertRow.id)
    )
    return [expert_model(r) for r in rows]


def list_surveys(session: Session, study_id: int) -> list[Survey]:
    """A study's surveys, one per pillar."""
    rows = session.scalars(
        select(SurveyRow).where(SurveyRow.study_id == study_id).order_by(SurveyRow.id)
    )
    return [survey_model(r) for r in rows]


def get_survey(session: Session, survey_id: int) -> Survey:
    """One survey by id."""
    return survey_model(get_row(session, SurveyRow, survey_id, "survey"))


def get_survey_by_pillar(session: Session, study_id: int, pillar: str) -> Survey:
    """A study's survey for one pillar.

    :param study_id: the study.
    :param pillar: the pillar's code, e.g. ``P1``.
    """
    row = session.scalar(
        select(SurveyRow).where(SurveyRow.study_id == study_id, SurveyRow.pillar == pillar)
    )
    if row is None:
        pillars = session.scalars(
            select(SurveyRow.pillar).where(SurveyRow.study_id == study_id).order_by(SurveyRow.id)
        ).all()
        raise StudyNotFoundError(
            Message(
                "study %(study_id)s has no survey for pillar %(pillar)s; its pillars: %(pillars)s",
                study_id=study_id,
                pillar=repr(pillar),
                pillars=", ".join(pillars) or "-",
            )
        )
    return survey_model(row)


def set_published(
    session: Session, study_id: int, *, published: bool, now: datetime | None = None
) -> Study:
    """Publish a study's results (closed rounds, reports, synthesis) or withdraw them.

    :param study_id: the study.
    :param published: True to publish, False to make the results coordinator-only again.
    :param now: the publication time.
    """
    row = get_row(session, StudyRow, study_id, "study")
    if published and row.published_at is None:
        row.published_at = now or utcnow()
    elif not published:
        row.published_at = None
    session.flush()
    return study_model(row)


def add_survey(
    session: Session,
    study_id: int,
    *,
    pillar: str,
    title: str,
    panel_id: int | None = None,
    title_zh: str = "",
) -> Survey:
    """Add a pillar (one survey) to a study, with an empty draft first round.

    :param study_id: the study.
    :param pillar: the pillar's short code, e.g. ``P4``; unique in the study.
    :param title: the survey's title.
    :param panel_id: the panel rating it; the study's first panel (created if none).
    :param title_zh: the Chinese title.
    """
    study = study_model(get_row(session, StudyRow, study_id, "study"))
    pillar, title, title_zh = pillar.strip(), title.strip(), title_zh.strip()
    if not pillar or not (title or title_zh):
        raise RoundStateError(Message("a pillar needs a code and a title"))
    require_texts(
        {"title": title, "title_zh": title_zh},
        "title",
        languages=study.languages,
        what=f"pillar {pillar!r}",
        where="",
    )
    if session.scalar(
        select(SurveyRow.id).where(SurveyRow.study_id == study_id, SurveyRow.pillar == pillar)
    ):
        raise RoundStateError(
            Message("the study already has a pillar %(pillar)s", pillar=repr(pillar))
        )
    if panel_id is None:
        panels = list_panels(session, study_id)
        if panels:
            panel_id = panels[0].id
        else:
            panel_row = PanelRow(study_id=study_id, name="Panel")
            session.add(panel_row)
            session.flush()
            panel_id = panel_row.id
    survey = SurveyRow(
        study_id=study_id, panel_id=panel_id, pillar=pillar, title=title, title_zh=title_zh
    )
    session.add(survey)
    session.flush()
    session.add(RoundRow(survey_id=survey.id, number=1, status="draft"))
    session.flush()
    return survey_model(survey)


def update_survey(
    session: Session,
    survey_id: int,
    *,
    title: str | None = None,
    title_zh: str | None = None,
    other_language_matches: bool = False,
) -> Survey:
    """Rename a pillar's survey.

    A title in both languages is not reworded in one of them only (a StudyFileError naming
    the pillar and the field), unless ``other_language_matches`` confirms the other title
    still says the same.

    :param survey_id: the survey.
    :param title: the new title (None keeps it).
    :param title_zh: the new Chinese title (None keeps it).
    :param other_language_matches: the editor confirms that the title left as it was still
        says what the reworded one now says (a typo fix in one language).
    """
    row = get_row(session, SurveyRow, survey_id, "survey")
    study = study_model(get_row(session, StudyRow, row.study_id, "study"))
    check_rewording(
        {"title": row.title, "title_zh": row.title_zh},
        {"title": title, "title_zh": title_zh},
        "title",
        what=Message("pillar %(pillar)s", pillar=repr(row.pillar)),
        confirmed=other_language_matches,
    )
    title = row.title if title is None else title.strip()
    title_zh = row.title_zh if title_zh is None else title_zh.strip()
    if not title and not title_zh:
        raise RoundStateError(Message("a pillar needs a title"))
    require_texts(
        {"title": title, "title_zh": title_zh},
        "title",
        languages=study.languages,
        what=f"pillar {row.pillar!r}",
        where="",
    )
    row.title = title
    row.title_zh = title_zh
    session.flush()
    return survey_model(row)
