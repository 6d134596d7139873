"""Round management: close a round, then carry its non-consensus items into the next one."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.delphi._natural import natural_key
from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.errors import RoundStateError
from permed_atlas.delphi.models import CarryDecision, Item, ItemSummary, Round, RoundResult
from permed_atlas.delphi.results import compute_round_result
from permed_atlas.delphi.store import _get, _round, list_items, utcnow
from permed_atlas.delphi.tables import ItemRow, RoundRow


def _figures(summary: ItemSummary) -> str:
    if summary.share_agree is None:
        return "no valid ratings"
    return (
        f"share agree {summary.share_agree:.0%}, share disagree {summary.share_disagree:.0%}, "
        f"median {summary.median:g}, IQR {summary.iqr:g}, n={summary.n_valid}"
    )


def close_round(session: Session, round_id: int, *, now: datetime | None = None) -> RoundResult:
    """Close an open round and record each item's outcome and the figures behind it.

    :param session: the platform database session.
    :param round_id: the open round.
    :param now: the closing time.
    """
    row = _get(session, RoundRow, round_id, "round")
    if row.status != "open":
        raise RoundStateError(
            f"round {row.number} is {row.status}; only an open round can be closed"
        )
    row.status = "closed"
    row.closed_at = now or utcnow()
    session.flush()
    result = compute_round_result(session, round_id)
    for entry in result.items:
        item_row = session.get(ItemRow, entry.item.id)
        assert item_row is not None
        verdict = entry.summary.verdict
        item_row.outcome = {"include": "consensus_include", "exclude": "consensus_exclude"}.get(
            verdict, "pending"
        )
        label = {"include": "consensus to include", "exclude": "consensus to exclude"}.get(
            verdict, "no consensus"
        )
        item_row.outcome_reason = f"{label} in round {row.number} ({_figures(entry.summary)})"
    session.flush()
    return compute_round_result(session, round_id)


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
    if carry not in CARRY_MODES:
        raise RoundStateError(f"carry must be one of {', '.join(CARRY_MODES)}, not {carry!r}")
    row = _get(session, RoundRow, round_id, "round")
    if row.status != "closed":
        raise RoundStateError(
            f"round {row.number} is {row.status}; close it before starting the next"
        )
    if session.scalar(
        select(RoundRow.id).where(
            RoundRow.survey_id == row.survey_id, RoundRow.number == row.number + 1
        )
    ):
        raise RoundStateError(f"round {row.number + 1} already exists")
    items = list_items(session, round_id)
    by_code = {i.code: i for i in items}
    unknown = sorted((set(decisions) | set(selected)) - set(by_code))
    if unknown:
        raise RoundStateError(f"round {row.number} has no item {', '.join(unknown)}")
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
                raise RoundStateError(
                    f"new item {item.code!r} is already carried to round {nxt.number}; "
                    "reword it with a decision instead"
                )
            decision = CarryDecision(statement=redraft[item.code].statement, reason=decision.reason)
        if not wanted and item.outcome == "pending" and not decision.drop:
            decision = CarryDecision(
                drop=True, reason=decision.reason or f"not selected for round {nxt.number}"
            )
        if not wanted and not decision.drop:
            continue  # a consensus item that stays final
        _carry(session, item, decision, nxt, position := position + 1)
    for draft in new_items:
        if draft.code in by_code:
            continue
        position += 1
        session.add(
            ItemRow(
                round_id=nxt.id,
                code=draft.code,
                statement=draft.statement,
                rationale=draft.rationale,
                subtopic=draft.subtopic,
                position=position,
                origin="new",
                outcome="pending",
                outcome_reason="",
            )
        )
    session.flush()
    return _round(nxt)


def _carry(
    session: Session, item: Item, decision: CarryDecision, nxt: RoundRow, position: int
) -> None:
    old = session.get(ItemRow, item.id)
    assert old is not None
    figures = old.outcome_reason
    if decision.drop:
        if item.outcome != "pending":
            return  # a consensus item not carried stays final; nothing to drop
        old.outcome = "dropped"
        old.outcome_reason = (
            f"dropped before round {nxt.number}: {decision.reason or 'no reason given'}; {figures}"
        )
        return
    reworded = decision.statement is not None and decision.statement.strip() != item.statement
    old.outcome = "carried"
    why = f": {decision.reason}" if decision.reason else ""
    # a consensus item re-rated is final only if the new round agrees again
    again = " for re-rating" if item.outcome != "pending" else ""
    old.outcome_reason = (
        f"carried to round {nxt.number}{again}{' reworded' if reworded else ''}{why}; {figures}"
    )
    session.add(
        ItemRow(
            round_id=nxt.id,
            code=item.code,
            statement=decision.statement.strip()
            if reworded and decision.statement
            else item.statement,
            rationale=item.rationale,
            subtopic=item.subtopic,
            position=position,
            origin="edited" if reworded else "carried",
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
    from permed_atlas.delphi.store import _item

    return sorted((_item(r) for r in rows), key=lambda i: natural_key(i.code))
