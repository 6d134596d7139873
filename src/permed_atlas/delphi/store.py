"""Delphi storage: studies, panels, rounds, items, invitations and responses.

Every function takes a Session and leaves the transaction to the caller; what
comes back are the frozen dataclasses of :mod:`permed_atlas.delphi.models`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.delphi.definition import ItemDraft, StudyDraft
from permed_atlas.delphi.errors import (
    PanelFileError,
    RoundStateError,
    StudyNotFoundError,
)
from permed_atlas.delphi.models import (
    ConsensusRule,
    Expert,
    Item,
    Panel,
    Round,
    Study,
    Survey,
)
from permed_atlas.delphi.panel import ExpertDraft
from permed_atlas.delphi.tables import (
    ExpertRow,
    ItemRow,
    PanelRow,
    RoundRow,
    StudyRow,
    SurveyRow,
)


def utcnow() -> datetime:
    """The current time in UTC (the store's one clock; callers may pass their own ``now``)."""
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """``value`` with UTC attached when the database gave it back naive (SQLite does)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# Experts without e-mail (pseudonymous panels) keep the NOT NULL, unique-per-panel e-mail
# column: they are stored as this prefix plus their ref, unique in the panel as refs are,
# and never an address (no "@"). Making the column nullable would need a table copy on
# SQLite, whose DROP TABLE cascades to every invitation and response of the panel.
NO_EMAIL_PREFIX = "no-email:"

# -- conversions ---------------------------------------------------------------------------


def _study(row: StudyRow) -> Study:
    rule = ConsensusRule(**json.loads(row.rule_json))
    return Study(
        row.id,
        row.slug,
        row.title,
        row.description,
        rule,
        aware(row.created_at),  # type: ignore[arg-type]
        aware(row.published_at),
    )


def _expert(row: ExpertRow) -> Expert:
    return Expert(
        row.id,
        row.panel_id,
        row.ref,
        row.name,
        "" if row.email.startswith(NO_EMAIL_PREFIX) else row.email,
        row.region,
        row.country,
        row.expertise,
        row.organisation,
    )


def _survey(row: SurveyRow) -> Survey:
    return Survey(row.id, row.study_id, row.panel_id, row.pillar, row.title)


def _round(row: RoundRow) -> Round:
    return Round(
        row.id,
        row.survey_id,
        row.number,
        row.status,  # type: ignore[arg-type]
        aware(row.closes_at),
        aware(row.closed_at),
    )


def _item(row: ItemRow) -> Item:
    return Item(
        row.id,
        row.round_id,
        row.code,
        row.statement,
        row.rationale,
        row.subtopic,
        row.position,
        row.origin,  # type: ignore[arg-type]
        row.previous_item_id,
        row.outcome,  # type: ignore[arg-type]
        row.outcome_reason,
    )


def _get(session: Session, table: type, ident: int, what: str):  # type: ignore[no-untyped-def]
    row = session.get(table, ident)
    if row is None:
        raise StudyNotFoundError(f"no {what} with id {ident}")
    return row


# -- studies, panels, surveys ----------------------------------------------------------------


def create_study(session: Session, draft: StudyDraft, *, now: datetime | None = None) -> Study:
    """Store a study with its panels, surveys and each survey's first (draft) round.

    :param session: the platform database session.
    :param draft: a validated definition (see :func:`parse_study_definition`).
    :param now: creation time; the current time by default.
    """
    if session.scalar(select(StudyRow.id).where(StudyRow.slug == draft.slug)) is not None:
        raise RoundStateError(f"a study with slug {draft.slug!r} already exists")
    study = StudyRow(
        slug=draft.slug,
        title=draft.title,
        description=draft.description,
        rule_json=json.dumps(dataclasses.asdict(draft.rule)),
        created_at=now or utcnow(),
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
        )
        session.add(survey)
        session.flush()
        first = RoundRow(survey_id=survey.id, number=1, status="draft")
        session.add(first)
        session.flush()
        for position, item in enumerate(survey_draft.items, start=1):
            session.add(_item_row(first.id, item, position=position))
    session.flush()
    return _study(study)


def _item_row(
    round_id: int,
    draft: ItemDraft,
    *,
    position: int,
    origin: str = "new",
    previous_item_id: int | None = None,
) -> ItemRow:
    return ItemRow(
        round_id=round_id,
        code=draft.code,
        statement=draft.statement,
        rationale=draft.rationale,
        subtopic=draft.subtopic,
        position=position,
        origin=origin,
        previous_item_id=previous_item_id,
        outcome="pending",
        outcome_reason="",
    )


def list_studies(session: Session) -> list[Study]:
    """All studies, newest first."""
    rows = session.scalars(
        select(StudyRow).order_by(StudyRow.created_at.desc(), StudyRow.id.desc())
    )
    return [_study(r) for r in rows]


def get_study(session: Session, study: int | str) -> Study:
    """One study by id or slug.

    :param study: the id, or the slug.
    """
    if isinstance(study, int) or str(study).isdigit():
        row = session.get(StudyRow, int(study))
    else:
        row = session.scalar(select(StudyRow).where(StudyRow.slug == study))
    if row is None:
        raise StudyNotFoundError(f"no study {study!r}")
    return _study(row)


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
    raise StudyNotFoundError(f"study {study_id} has no panel {name!r}")


def import_panel(
    session: Session, drafts: Sequence[ExpertDraft], *, panel_id: int, path: str = "panel.csv"
) -> list[Expert]:
    """Add experts to a panel; a row clashing with a stored expert stops the whole import.

    :param session: the platform database session.
    :param drafts: rows from :func:`parse_panel_csv` (already checked among themselves).
    :param panel_id: the panel to add them to.
    :param path: the file name, for messages.
    """
    _get(session, PanelRow, panel_id, "panel")
    stored = session.execute(
        select(ExpertRow.email, ExpertRow.ref).where(ExpertRow.panel_id == panel_id)
    ).all()
    emails = {e.lower() for e, _ in stored if not e.startswith(NO_EMAIL_PREFIX)}
    refs = {r for _, r in stored}
    rows: list[ExpertRow] = []
    for draft in drafts:
        if draft.email and draft.email.lower() in emails:
            raise PanelFileError(
                "already on this panel", path=path, line=draft.line or None, field="email"
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
                f"ref {draft.ref!r} already on this panel",
                path=path,
                line=draft.line or None,
                field="ref",
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
            )
        )
    session.add_all(rows)
    session.flush()
    return [_expert(r) for r in rows]


def list_experts(session: Session, panel_id: int) -> list[Expert]:
    """A panel's experts in the order they were imported."""
    rows = session.scalars(
        select(ExpertRow).where(ExpertRow.panel_id == panel_id).order_by(ExpertRow.id)
    )
    return [_expert(r) for r in rows]


def list_surveys(session: Session, study_id: int) -> list[Survey]:
    """A study's surveys, one per pillar."""
    rows = session.scalars(
        select(SurveyRow).where(SurveyRow.study_id == study_id).order_by(SurveyRow.id)
    )
    return [_survey(r) for r in rows]


def get_survey(session: Session, survey_id: int) -> Survey:
    """One survey by id."""
    return _survey(_get(session, SurveyRow, survey_id, "survey"))


# -- rounds and items ------------------------------------------------------------------------


def list_rounds(session: Session, survey_id: int) -> list[Round]:
    """A survey's rounds, first to last."""
    rows = session.scalars(
        select(RoundRow).where(RoundRow.survey_id == survey_id).order_by(RoundRow.number)
    )
    return [_round(r) for r in rows]


def get_round(session: Session, round_id: int) -> Round:
    """One round by id."""
    return _round(_get(session, RoundRow, round_id, "round"))


def previous_round(session: Session, round_: Round) -> Round | None:
    """The round before ``round_`` in its survey, if any."""
    row = session.scalar(
        select(RoundRow).where(
            RoundRow.survey_id == round_.survey_id, RoundRow.number == round_.number - 1
        )
    )
    return _round(row) if row else None


def list_items(session: Session, round_id: int) -> list[Item]:
    """A round's items in their display order."""
    rows = session.scalars(
        select(ItemRow).where(ItemRow.round_id == round_id).order_by(ItemRow.position, ItemRow.id)
    )
    return [_item(r) for r in rows]


def get_item(session: Session, item_id: int) -> Item:
    """One item by id."""
    return _item(_get(session, ItemRow, item_id, "item"))


def open_round(session: Session, round_id: int, *, closes_at: datetime | None = None) -> Round:
    """Open a draft round for responses.

    :param round_id: the round.
    :param closes_at: the planned closing time shown to experts (closing stays a manual act).
    """
    row = _get(session, RoundRow, round_id, "round")
    if row.status != "draft":
        raise RoundStateError(
            f"round {row.number} is {row.status}, only a draft round can be opened"
        )
    if not session.scalar(select(ItemRow.id).where(ItemRow.round_id == round_id).limit(1)):
        raise RoundStateError(f"round {row.number} has no items to rate")
    row.status = "open"
    row.closes_at = closes_at
    session.flush()
    return _round(row)


def add_item(session: Session, round_id: int, draft: ItemDraft) -> Item:
    """Add a new item to a draft round (new items are addable before the round opens).

    :param round_id: the draft round.
    :param draft: the item.
    """
    row = _get(session, RoundRow, round_id, "round")
    if row.status != "draft":
        raise RoundStateError(
            f"round {row.number} is {row.status}; items change only in a draft round"
        )
    if session.scalar(
        select(ItemRow.id).where(ItemRow.round_id == round_id, ItemRow.code == draft.code)
    ):
        raise RoundStateError(f"round {row.number} already has an item {draft.code!r}")
    last = max((i.position for i in list_items(session, round_id)), default=0)
    earlier = session.scalar(
        select(ItemRow)
        .join(RoundRow, RoundRow.id == ItemRow.round_id)
        .where(
            RoundRow.survey_id == row.survey_id,
            RoundRow.number == row.number - 1,
            ItemRow.code == draft.code,
        )
    )
    if earlier is None:
        item = _item_row(round_id, draft, position=last + 1)
    else:
        # the same code as an item of the previous round: it is that item carried on, so
        # stability and each expert's earlier answer stay linked
        same = draft.statement.strip() == earlier.statement
        item = _item_row(
            round_id,
            draft,
            position=last + 1,
            origin="carried" if same else "edited",
            previous_item_id=earlier.id,
        )
        again = " for re-rating" if earlier.outcome.startswith("consensus") else ""
        earlier.outcome_reason = (
            f"carried to round {row.number}{again}{'' if same else ' reworded'}; "
            f"{earlier.outcome_reason}"
        )
        earlier.outcome = "carried"
    session.add(item)
    session.flush()
    return _item(item)


def update_item(
    session: Session,
    item_id: int,
    *,
    statement: str | None = None,
    rationale: str | None = None,
    subtopic: str | None = None,
) -> Item:
    """Edit an item of a draft round; a carried item becomes "edited".

    :param item_id: the item.
    :param statement: the new wording, if it changes.
    :param rationale: the new rationale, if it changes.
    :param subtopic: the new sub-topic code, if it changes.
    """
    row = _get(session, ItemRow, item_id, "item")
    round_row = session.get(RoundRow, row.round_id)
    if subtopic is not None:
        row.subtopic = subtopic
    if statement is not None or rationale is not None:
        if round_row is not None and round_row.status != "draft":
            raise RoundStateError(
                f"item {row.code} is in a {round_row.status} round; its wording is fixed"
            )
        if statement is not None and statement.strip() and statement.strip() != row.statement:
            row.statement = statement.strip()
            if row.origin == "carried":
                row.origin = "edited"
        if rationale is not None:
            row.rationale = rationale
    session.flush()
    return _item(row)


def remove_item(session: Session, item_id: int, *, reason: str) -> Item:
    """Drop an item from a draft round; the item it came from records why.

    :param item_id: the item in a draft round.
    :param reason: why it was dropped (kept on the previous round's item).
    """
    row = _get(session, ItemRow, item_id, "item")
    round_row = session.get(RoundRow, row.round_id)
    if round_row is not None and round_row.status != "draft":
        raise RoundStateError(
            f"item {row.code} is in a {round_row.status} round and cannot be dropped"
        )
    if not reason.strip():
        raise RoundStateError("give a reason for dropping the item")
    if row.previous_item_id is not None:
        previous = session.get(ItemRow, row.previous_item_id)
        if previous is not None:
            previous.outcome = "dropped"
            previous.outcome_reason = reason.strip()
    dropped = _item(row)
    session.delete(row)
    session.flush()
    return dropped


def get_survey_by_pillar(session: Session, study_id: int, pillar: str) -> Survey:
    """A study's survey for one pillar.

    :param study_id: the study.
    :param pillar: the pillar's code, e.g. ``P1``.
    """
    row = session.scalar(
        select(SurveyRow).where(SurveyRow.study_id == study_id, SurveyRow.pillar == pillar)
    )
    if row is None:
        raise StudyNotFoundError(f"study {study_id} has no survey for pillar {pillar!r}")
    return _survey(row)


def find_round(session: Session, survey_id: int, *, number: int | None = None) -> Round:
    """A survey's round by number, or its latest round.

    :param survey_id: the survey.
    :param number: the round number; the latest when None.
    """
    rounds = list_rounds(session, survey_id)
    if not rounds:
        raise StudyNotFoundError(f"survey {survey_id} has no rounds")
    if number is None:
        return rounds[-1]
    for round_ in rounds:
        if round_.number == number:
            return round_
    raise StudyNotFoundError(f"survey {survey_id} has no round {number}")
