"""Rounds and their items: drafting, opening, closing, and carrying items to the next round."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.db import model_from_row
from permed_atlas.delphi._natural import natural_key
from permed_atlas.delphi._rewording import check_rewording
from permed_atlas.delphi.definition import ItemDraft, check_item_texts
from permed_atlas.delphi.errors import RoundStateError, StudyNotFoundError
from permed_atlas.delphi.models import CarryDecision, Item, Round
from permed_atlas.delphi.reasons import (
    OutcomeReason,
    carried_reason,
    dropped_reason,
    stored_reason,
    words_reason,
)
from permed_atlas.delphi.store.rows import get_row, item_model, new_item_row, round_model, utcnow
from permed_atlas.delphi.store.studies import study_of_round
from permed_atlas.delphi.tables import ItemRow, RoundRow
from permed_atlas.i18n import Message, gettext_noop, lazy_gettext, require_one_of

# a round's state named in the reader's language inside an error (the pages use the same words)
_STATUS_LABELS = {
    "draft": lazy_gettext("draft"),
    "open": lazy_gettext("open"),
    "closed": lazy_gettext("closed"),
}


def _refuse_unless(
    round_row: RoundRow | None, allowed: str, refusal: str, *, code: str | None = None
) -> None:
    """RoundStateError with ``refusal`` unless the round is ``allowed`` (or there is none).

    :param refusal: a msgid that may name the round's ``%(number)s``, its ``%(status)s`` (in the
        reader's words) and, with ``code``, the item's ``%(code)s``.
    """
    if round_row is None or round_row.status == allowed:
        return
    label = _STATUS_LABELS.get(round_row.status, round_row.status)
    names: dict[str, Any] = {"number": round_row.number, "status": label, "code": code}
    raise RoundStateError(Message(refusal, **names))


def list_rounds(session: Session, survey_id: int) -> list[Round]:
    """A survey's rounds, first to last."""
    rows = session.scalars(
        select(RoundRow).where(RoundRow.survey_id == survey_id).order_by(RoundRow.number)
    )
    return [round_model(r) for r in rows]


def get_round(session: Session, round_id: int) -> Round:
    """One round by id."""
    return round_model(get_row(session, RoundRow, round_id, "round"))


def previous_round(session: Session, round_: Round) -> Round | None:
    """The round before ``round_`` in its survey, if any."""
    row = session.scalar(
        select(RoundRow).where(
            RoundRow.survey_id == round_.survey_id, RoundRow.number == round_.number - 1
        )
    )
    return round_model(row) if row else None


def find_round(session: Session, survey_id: int, *, number: int | None = None) -> Round:
    """A survey's round by number, or its latest round.

    :param survey_id: the survey.
    :param number: the round number; the latest when None.
    """
    rounds = list_rounds(session, survey_id)
    if not rounds:
        raise StudyNotFoundError(Message("survey %(survey_id)s has no rounds", survey_id=survey_id))
    if number is None:
        return rounds[-1]
    for round_ in rounds:
        if round_.number == number:
            return round_
    raise StudyNotFoundError(
        Message(
            "survey %(survey_id)s has no round %(number)s; its rounds: %(rounds)s",
            survey_id=survey_id,
            number=number,
            rounds=", ".join(str(r.number) for r in rounds),
        )
    )


def list_items(session: Session, round_id: int) -> list[Item]:
    """A round's items in their display order."""
    rows = session.scalars(
        select(ItemRow).where(ItemRow.round_id == round_id).order_by(ItemRow.position, ItemRow.id)
    )
    return [item_model(r) for r in rows]


def get_item(session: Session, item_id: int) -> Item:
    """One item by id."""
    return item_model(get_row(session, ItemRow, item_id, "item"))


def open_round(session: Session, round_id: int, *, closes_at: datetime | None = None) -> Round:
    """Open a draft round for responses.

    :param round_id: the round.
    :param closes_at: the planned closing time shown to experts (closing stays a manual act).
    """
    row = get_row(session, RoundRow, round_id, "round")
    _refuse_unless(
        row,
        "draft",
        gettext_noop("round %(number)s is %(status)s, only a draft round can be opened"),
    )
    items = list_items(session, round_id)
    if not items:
        raise RoundStateError(Message("round %(number)s has no items to rate", number=row.number))
    # every expert must read every item in the language of their invitation
    languages = study_of_round(session, round_id).languages
    for item in items:
        check_item_texts(_draft_of(item), languages=languages)
    row.status = "open"
    row.closes_at = closes_at
    session.flush()
    return round_model(row)


def add_item(session: Session, round_id: int, draft: ItemDraft) -> Item:
    """Add a new item to a draft round (new items are addable before the round opens).

    :param round_id: the draft round.
    :param draft: the item.
    """
    row = get_row(session, RoundRow, round_id, "round")
    _refuse_unless(
        row,
        "draft",
        gettext_noop("round %(number)s is %(status)s; items change only in a draft round"),
    )
    if session.scalar(
        select(ItemRow.id).where(ItemRow.round_id == round_id, ItemRow.code == draft.code)
    ):
        raise RoundStateError(
            Message(
                "round %(number)s already has an item %(code)s",
                number=row.number,
                code=repr(draft.code),
            )
        )
    check_item_texts(draft, languages=study_of_round(session, round_id).languages)
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
        item = new_item_row(round_id, draft, position=last + 1)
    else:
        # the same code as an item of the previous round: it is that item carried on, so
        # stability and each expert's earlier answer stay linked
        same = draft.statement.strip() == earlier.statement
        item = new_item_row(
            round_id,
            draft,
            position=last + 1,
            origin="carried" if same else "edited",
            previous_item_id=earlier.id,
        )
        _set_reason(
            earlier,
            carried_reason(
                row.number,
                rerating=earlier.outcome.startswith("consensus"),
                reworded=not same,
                why="",
                earlier=_reason_of(earlier),
            ),
        )
        earlier.outcome = "carried"
    session.add(item)
    session.flush()
    return item_model(item)


def update_item(
    session: Session,
    item_id: int,
    *,
    statement: str | None = None,
    rationale: str | None = None,
    subtopic: str | None = None,
    statement_zh: str | None = None,
    rationale_zh: str | None = None,
    other_language_matches: bool = False,
) -> Item:
    """Edit an item of a draft round; a carried item becomes "edited".

    An item with a statement in both languages is not reworded in one of them only: the
    other language's experts would rate the old statement (a StudyFileError naming the item
    and the field), unless ``other_language_matches`` confirms it still says the same.

    :param item_id: the item.
    :param statement: the new wording, if it changes.
    :param rationale: the new rationale, if it changes.
    :param subtopic: the new sub-topic code, if it changes.
    :param statement_zh: the new Chinese wording, if it changes.
    :param rationale_zh: the new Chinese rationale, if it changes.
    :param other_language_matches: the editor confirms that the statement left as it was
        still says what the reworded one now says (a typo fix in one language).
    """
    row = get_row(session, ItemRow, item_id, "item")
    round_row = session.get(RoundRow, row.round_id)
    if subtopic is not None:
        row.subtopic = subtopic
    wording = {"statement": statement, "statement_zh": statement_zh}
    if any(v is not None for v in (statement, rationale, statement_zh, rationale_zh)):
        wording_fixed = gettext_noop("item %(code)s is in a %(status)s round; its wording is fixed")
        _refuse_unless(round_row, "draft", wording_fixed, code=row.code)
        check_rewording(
            {"statement": row.statement, "statement_zh": row.statement_zh},
            wording,
            "statement",
            what=Message("item %(code)s", code=repr(row.code)),
            confirmed=other_language_matches,
        )
        for name, value in wording.items():
            if value is not None and value.strip() and value.strip() != getattr(row, name):
                setattr(row, name, value.strip())
                if row.origin == "carried":
                    row.origin = "edited"
        if rationale is not None:
            row.rationale = rationale
        if rationale_zh is not None:
            row.rationale_zh = rationale_zh
        check_item_texts(
            _draft_of(item_model(row)), languages=study_of_round(session, row.round_id).languages
        )
    session.flush()
    return item_model(row)


def _draft_of(item: Item) -> ItemDraft:
    return model_from_row(ItemDraft, item)


def remove_item(session: Session, item_id: int, *, reason: str) -> Item:
    """Drop an item from a draft round; the item it came from records why.

    :param item_id: the item in a draft round.
    :param reason: why it was dropped (kept on the previous round's item).
    """
    row = get_row(session, ItemRow, item_id, "item")
    round_row = session.get(RoundRow, row.round_id)
    kept = gettext_noop("item %(code)s is in a %(status)s round and cannot be dropped")
    _refuse_unless(round_row, "draft", kept, code=row.code)
    if not reason.strip():
        raise RoundStateError(Message("give a reason for dropping the item"))
    if row.previous_item_id is not None:
        previous = session.get(ItemRow, row.previous_item_id)
        if previous is not None:
            previous.outcome = "dropped"
            _set_reason(previous, words_reason(reason.strip()))
    dropped = item_model(row)
    session.delete(row)
    session.flush()
    return dropped


def mark_closed(session: Session, round_id: int, *, now: datetime | None = None) -> Round:
    """Close an open round to responses (its items' outcomes are recorded separately).

    :param round_id: the open round.
    :param now: the closing time.
    """
    row = get_row(session, RoundRow, round_id, "round")
    _refuse_unless(
        row,
        "open",
        gettext_noop("round %(number)s is %(status)s; only an open round can be closed"),
    )
    row.status = "closed"
    row.closed_at = now or utcnow()
    session.flush()
    return round_model(row)


def record_outcomes(session: Session, outcomes: Mapping[int, tuple[str, OutcomeReason]]) -> None:
    """Set items' outcomes and the reasons given for them.

    :param outcomes: item id -> (outcome, reason), e.g. ("consensus_include", the figures).
    """
    for item_id, (outcome, reason) in outcomes.items():
        row = get_row(session, ItemRow, item_id, "item")
        row.outcome = outcome
        _set_reason(row, reason)
    session.flush()


def _set_reason(row: ItemRow, reason: OutcomeReason) -> None:
    # the English for the API and exports, the key and values for pages in any language
    row.outcome_reason = reason.english()
    row.outcome_reason_json = reason.to_json()


def _reason_of(row: ItemRow) -> OutcomeReason:
    return stored_reason(row.outcome_reason, row.outcome_reason_json)


CARRY_MODES = ("pending", "all", "selected")


def start_next_round(
    session: Session,
    round_id: int,
    *,
    decisions: Mapping[str, CarryDecision] | None = None,
    new_items: Sequence[ItemDraft] = (),
    carry: str = "pending",
    selected: Collection[str] = (),
) -> Round:
    """Create the next (draft) round from a closed one.

    Which items go on: ``pending`` carries the items without consensus, ``all`` every
    item (consensus ones are re-rated), ``selected`` the codes in ``selected``. A
    decision can still drop or reword an item. Every carried item keeps its link to the
    earlier one (stability, the expert's own earlier answer); each carried or dropped
    item records why it moved, after the figures of its round.

    :param round_id: the closed round.
    :param decisions: item code -> decision, for items to drop or reword.
    :param new_items: items to add; a code of an earlier item not carried carries it
        with the new wording (the link is kept).
    :param carry: ``pending``, ``all`` or ``selected``.
    :param selected: the codes to carry when ``carry`` is ``selected``.
    """
    decisions = decisions or {}
    require_one_of(
        "carry must be one of %(options)s, not %(value)s",
        value=carry,
        options=CARRY_MODES,
        error=RoundStateError,
    )
    row = _last_closed_round(session, round_id)
    items = list_items(session, round_id)
    by_code = {i.code: i for i in items}
    _refuse_unknown_codes(row, {*decisions, *selected}, by_code)
    _check_rewording(decisions, by_code, languages=study_of_round(session, round_id).languages)
    nxt = RoundRow(survey_id=row.survey_id, number=row.number + 1, status="draft")
    session.add(nxt)
    session.flush()
    redraft = {d.code: d for d in new_items if d.code in by_code}
    position = 0
    for item in items:
        chosen = {
            "pending": item.outcome == "pending",
            "all": True,
            "selected": item.code in selected,
        }[carry]
        wanted = chosen or item.code in redraft
        decision = decisions.get(item.code, CarryDecision())
        if item.code in redraft:
            if chosen and not decision.drop:
                raise _already_carried(item.code, nxt.number)
            decision = CarryDecision(
                statement=redraft[item.code].statement,
                reason=decision.reason,
                statement_zh=redraft[item.code].statement_zh or None,
            )
        not_selected = not wanted and item.outcome == "pending" and not decision.drop
        if not_selected:
            decision = CarryDecision(drop=True, reason=decision.reason)
        if not wanted and not decision.drop:
            continue  # a consensus item that stays final
        _carry(session, item, decision, nxt, position := position + 1, not_selected=not_selected)
    for draft in new_items:
        if draft.code in by_code:
            continue
        position += 1
        session.add(new_item_row(nxt.id, draft, position=position))
    session.flush()
    return round_model(nxt)


def _refuse_unknown_codes(row: RoundRow, asked: Collection[str], known: Collection[str]) -> None:
    unknown = sorted(set(asked) - set(known))
    if unknown:
        raise RoundStateError(
            Message(
                "round %(number)s has no item %(unknown)s",
                number=row.number,
                unknown=", ".join(unknown),
            )
        )


def _already_carried(code: str, number: int) -> RoundStateError:
    return RoundStateError(
        Message(
            "new item %(code)s is already carried to round %(number)s; "
            "reword it with a decision instead",
            code=repr(code),
            number=number,
        )
    )


def _check_rewording(
    decisions: Mapping[str, CarryDecision], items: Mapping[str, Item], *, languages: tuple[str, ...]
) -> None:
    """Refuse a rewording in one language only: the other's experts would rate the old text."""
    for code, decision in decisions.items():
        changed = {
            "statement": decision.statement is not None
            and decision.statement.strip() not in ("", items[code].statement),
            "statement_zh": decision.statement_zh is not None
            and decision.statement_zh.strip() not in ("", items[code].statement_zh),
        }
        if (
            "zh" in languages
            and "en" in languages
            and changed["statement"] != changed["statement_zh"]
        ):
            missing = "statement_zh" if changed["statement"] else "statement"
            raise RoundStateError(
                Message(
                    "item %(code)s: reworded in one language only; a study in "
                    "English and Chinese needs the new %(missing)s too",
                    code=repr(code),
                    missing=missing,
                )
            )


def _last_closed_round(session: Session, round_id: int) -> RoundRow:
    """The row of a closed round that no round follows yet."""
    row: RoundRow = get_row(session, RoundRow, round_id, "round")
    _refuse_unless(
        row,
        "closed",
        gettext_noop("round %(number)s is %(status)s; close it before starting the next"),
    )
    if session.scalar(
        select(RoundRow.id).where(
            RoundRow.survey_id == row.survey_id, RoundRow.number == row.number + 1
        )
    ):
        raise RoundStateError(Message("round %(value)s already exists", value=row.number + 1))
    return row


def _carry(
    session: Session,
    item: Item,
    decision: CarryDecision,
    nxt: RoundRow,
    position: int,
    *,
    not_selected: bool = False,
) -> None:
    old = session.get(ItemRow, item.id)
    assert old is not None
    figures = _reason_of(old)
    if decision.drop:
        if item.outcome != "pending":
            return  # a consensus item not carried stays final; nothing to drop
        old.outcome = "dropped"
        _set_reason(
            old,
            dropped_reason(
                nxt.number, why=decision.reason, not_selected=not_selected, earlier=figures
            ),
        )
        return
    reworded = decision.statement is not None and decision.statement.strip() != item.statement
    reworded_zh = (
        decision.statement_zh is not None
        and decision.statement_zh.strip() != item.statement_zh
        and bool(decision.statement_zh.strip())
    )
    old.outcome = "carried"
    _set_reason(
        old,
        carried_reason(
            nxt.number,
            # a consensus item re-rated is final only if the new round agrees again
            rerating=item.outcome != "pending",
            reworded=reworded or reworded_zh,
            why=decision.reason,
            earlier=figures,
        ),
    )
    session.add(
        ItemRow(
            round_id=nxt.id,
            code=item.code,
            statement=decision.statement.strip()
            if reworded and decision.statement
            else item.statement,
            statement_zh=decision.statement_zh.strip()
            if reworded_zh and decision.statement_zh
            else item.statement_zh,
            rationale=item.rationale,
            rationale_zh=item.rationale_zh,
            subtopic=item.subtopic,
            position=position,
            origin="edited" if reworded or reworded_zh else "carried",
            previous_item_id=item.id,
            outcome="pending",
            outcome_reason="",
        )
    )


def list_final_items(session: Session, survey_id: int) -> list[Item]:
    """Items that reached consensus to include, in any round of a survey (the survey's final list).

    :param survey_id: the survey.
    """
    rows = session.scalars(
        select(ItemRow)
        .join(RoundRow, RoundRow.id == ItemRow.round_id)
        .where(RoundRow.survey_id == survey_id, ItemRow.outcome == "consensus_include")
    )
    return sorted((item_model(r) for r in rows), key=lambda i: natural_key(i.code))
