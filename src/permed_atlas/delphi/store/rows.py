"""The store's shared pieces: its clock, and turning table rows into the core's models.

Every module of the store uses these; nothing outside the store needs them (the store's
functions return models, never rows).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from permed_atlas.db import model_from_row
from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.errors import StudyNotFoundError
from permed_atlas.delphi.models import ConsensusRule, Expert, Item, Round, Study, Survey
from permed_atlas.delphi.tables import ExpertRow, ItemRow, RoundRow, StudyRow, SurveyRow
from permed_atlas.i18n import Message, lazy_gettext
from permed_atlas.limits import MAX_ID


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
    return model_from_row(
        Study,
        row,
        rule=ConsensusRule(**json.loads(row.rule_json)),
        created_at=aware(row.created_at),
        published_at=aware(row.published_at),
        languages=tuple((row.languages or "en").split(",")),
        title_zh=row.title_zh or "",
        description_zh=row.description_zh or "",
    )


def expert_model(row: ExpertRow) -> Expert:
    email = "" if row.email.startswith(NO_EMAIL_PREFIX) else row.email
    return model_from_row(Expert, row, email=email, language=row.language or "en")


def survey_model(row: SurveyRow) -> Survey:
    return model_from_row(Survey, row, title_zh=row.title_zh or "")


def round_model(row: RoundRow) -> Round:
    return model_from_row(
        Round, row, closes_at=aware(row.closes_at), closed_at=aware(row.closed_at)
    )


def item_model(row: ItemRow) -> Item:
    return model_from_row(
        Item, row, statement_zh=row.statement_zh or "", rationale_zh=row.rationale_zh or ""
    )


# what get_row's callers look up, named in the reader's language when it is not found
_KINDS = {
    "item": lazy_gettext("item"),
    "panel": lazy_gettext("panel"),
    "round": lazy_gettext("round"),
    "study": lazy_gettext("study"),
    "survey": lazy_gettext("survey"),
}


def get_row(session: Session, table: type, ident: int, what: str):  # type: ignore[no-untyped-def]
    """The row of ``table`` with id ``ident``; StudyNotFoundError naming ``what`` if none."""
    # an id from a form or a JSON body may be any integer; SQLite refuses to bind one
    # beyond 64 bits (a 500), and no row has one below 1
    row = session.get(table, ident) if 1 <= ident <= MAX_ID else None
    if row is None:
        raise StudyNotFoundError(
            Message(
                "no %(what)s with id %(ident)s",
                what=_KINDS.get(what, what),
                ident=ident,
            )
        )
    return row


def new_item_row(
    round_id: int,
    draft: ItemDraft,
    *,
    position: int,
    origin: str = "new",
    previous_item_id: int | None = None,
) -> ItemRow:
    # the draft's fields (code, texts, subtopic) are the row's columns of the same names
    return ItemRow(
        round_id=round_id,
        **asdict(draft),
        position=position,
        origin=origin,
        previous_item_id=previous_item_id,
        outcome="pending",
        outcome_reason="",
    )
