"""Synthesis: coders group final items into sub-topics and merge them into actions.

:func:`list_actions` is the public read the roadmap capability uses to link its
actions back to the Delphi items they came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.db import model_from_row
from permed_atlas.delphi._natural import natural_key
from permed_atlas.delphi.errors import RoundStateError, StudyNotFoundError
from permed_atlas.delphi.models import Action, Subtopic
from permed_atlas.delphi.store.rows import get_row
from permed_atlas.delphi.tables import (
    ActionItemRow,
    ActionRow,
    ItemRow,
    RoundRow,
    StudyRow,
    SubtopicRow,
    SurveyRow,
)
from permed_atlas.i18n import Message


def save_subtopic(session: Session, study_id: int, *, code: str, label: str) -> Subtopic:
    """Create or rename a sub-topic of a study.

    :param study_id: the study.
    :param code: the sub-topic's short code, e.g. ``DATA-STD``.
    :param label: its readable name.
    """
    get_row(session, StudyRow, study_id, "study")
    if not code.strip() or not label.strip():
        raise RoundStateError(Message("a sub-topic needs a code and a label"))
    row = session.scalar(
        select(SubtopicRow).where(
            SubtopicRow.study_id == study_id, SubtopicRow.code == code.strip()
        )
    )
    if row is None:
        row = SubtopicRow(study_id=study_id, code=code.strip(), label=label.strip())
        session.add(row)
    else:
        row.label = label.strip()
    session.flush()
    return Subtopic(row.id, row.study_id, row.code, row.label)


def list_subtopics(session: Session, study_id: int) -> list[Subtopic]:
    """A study's sub-topics by code."""
    rows = session.scalars(
        select(SubtopicRow).where(SubtopicRow.study_id == study_id).order_by(SubtopicRow.code)
    )
    subtopics = [Subtopic(r.id, r.study_id, r.code, r.label) for r in rows]
    return sorted(subtopics, key=lambda s: natural_key(s.code))


def code_item(session: Session, item_id: int, *, study_id: int, subtopic: str) -> None:
    """Assign a final item to a sub-topic (the coders' step).

    :param item_id: an item with consensus to include.
    :param study_id: the study whose synthesis is being coded; the item must be in it.
    :param subtopic: the sub-topic code (must exist in the study).
    """
    item = get_row(session, ItemRow, item_id, "item")
    _require_in_study(session, item, study_id)
    known = {s.code for s in list_subtopics(session, study_id)}
    if subtopic not in known:
        raise RoundStateError(
            Message(
                "sub-topic %(subtopic)s is not defined in this study",
                subtopic=repr(subtopic),
            )
        )
    item.subtopic = subtopic
    session.flush()


def _require_in_study(session: Session, item: ItemRow, study_id: int) -> None:
    # an id posted on one study's synthesis form may name another study's item
    if _study_of_item(session, item) != study_id:
        raise StudyNotFoundError(
            Message(
                "item %(item_id)s is not in study %(study_id)s",
                item_id=item.id,
                study_id=study_id,
            )
        )


def _study_of_item(session: Session, item: ItemRow) -> int:
    study_id = session.scalar(
        select(SurveyRow.study_id)
        .join(RoundRow, RoundRow.survey_id == SurveyRow.id)
        .where(RoundRow.id == item.round_id)
    )
    assert study_id is not None
    return int(study_id)


def save_action(
    session: Session,
    study_id: int,
    *,
    code: str,
    title: str,
    description: str = "",
    pillar: str = "",
    subtopic_code: str = "",
    item_ids: Sequence[int] = (),
) -> Action:
    """Create or replace an action merging final items of a study.

    :param study_id: the study.
    :param code: the action's code, e.g. ``A1.2``.
    :param title: a short title.
    :param description: what the action is.
    :param pillar: the pillar it belongs to.
    :param subtopic_code: its sub-topic.
    :param item_ids: the final items merged into it (each must belong to the study and have
        reached consensus to include).
    """
    get_row(session, StudyRow, study_id, "study")
    if not code.strip() or not title.strip():
        raise RoundStateError(Message("an action needs a code and a title"))
    for item_id in item_ids:
        item = get_row(session, ItemRow, item_id, "item")
        _require_in_study(session, item, study_id)
        if item.outcome != "consensus_include":
            raise RoundStateError(
                Message("item %(code)s did not reach consensus to include", code=item.code)
            )
    row = session.scalar(
        select(ActionRow).where(ActionRow.study_id == study_id, ActionRow.code == code.strip())
    )
    if row is None:
        row = ActionRow(study_id=study_id, code=code.strip())
        session.add(row)
    row.title, row.description = title.strip(), description.strip()
    row.pillar, row.subtopic_code = pillar, subtopic_code
    session.flush()
    for link in session.scalars(select(ActionItemRow).where(ActionItemRow.action_id == row.id)):
        session.delete(link)
    session.flush()
    session.add_all(ActionItemRow(action_id=row.id, item_id=i) for i in dict.fromkeys(item_ids))
    session.flush()
    return _action(session, row)


def _action(session: Session, row: ActionRow) -> Action:
    linked = session.execute(
        select(ItemRow.id, ItemRow.code)
        .join(ActionItemRow, ActionItemRow.item_id == ItemRow.id)
        .where(ActionItemRow.action_id == row.id)
    ).all()
    linked = sorted(linked, key=lambda pair: natural_key(pair[1]))
    return model_from_row(
        Action,
        row,
        item_ids=tuple(i for i, _ in linked),
        item_codes=tuple(c for _, c in linked),
    )


def list_actions(session: Session, study_id: int) -> list[Action]:
    """The synthesised actions of a study with the Delphi items each merges.

    :param session: the platform database session.
    :param study_id: the study.
    """
    rows = session.scalars(select(ActionRow).where(ActionRow.study_id == study_id))
    # A1, A2 ... A10, not the database's A1, A10, A11, A2
    return sorted((_action(session, r) for r in rows), key=lambda a: natural_key(a.code))
