"""The store's shared pieces: its clock, and turning table rows into the core's models.

Every module of the store uses these; nothing outside the store needs them (the store's
functions return models, never rows).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.errors import StudyNotFoundError
from permed_atlas.delphi.models import ConsensusRule, Expert, Item, Round, Study, Survey
from permed_atlas.delphi.tables import ExpertRow, ItemRow, RoundRow, StudyRow, SurveyRow


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


def study_model(row: StudyRow) -> Study:
    rule = ConsensusRule(**json.loads(row.rule_json))
    return Study(
        row.id,
        row.slug,
        row.title,
        row.description,
        rule,
        aware(row.created_at),  # type: ignore[arg-type]
        aware(row.published_at),
        languages=tuple((row.languages or "en").split(",")),
        title_zh=row.title_zh or "",
        description_zh=row.description_zh or "",
    )


def expert_model(row: ExpertRow) -> Expert:
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
        row.language or "en",
    )


def survey_model(row: SurveyRow) -> Survey:
    return Survey(row.id, row.study_id, row.panel_id, row.pillar, row.title, row.title_zh or "")


def round_model(row: RoundRow) -> Round:
    return Round(
        row.id,
        row.survey_id,
        row.number,
        row.status,  # type: ignore[arg-type]
        aware(row.closes_at),
        aware(row.closed_at),
    )


def item_model(row: ItemRow) -> Item:
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
        row.statement_zh or "",
        row.rationale_zh or "",
    )


def get_row(session: Session, table: type, ident: int, what: str):  # type: ignore[no-untyped-def]
    """The row of ``table`` with id ``ident``; StudyNotFoundError naming ``what`` if none."""
    row = session.get(table, ident)
    if row is None:
        raise StudyNotFoundError(f"no {what} with id {ident}")
    return row


def new_item_row(
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
        statement_zh=draft.statement_zh,
        rationale_zh=draft.rationale_zh,
        subtopic=draft.subtopic,
        position=position,
        origin=origin,
        previous_item_id=previous_item_id,
        outcome="pending",
        outcome_reason="",
    )
