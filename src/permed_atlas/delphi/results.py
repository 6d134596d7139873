"""Round statistics from the store: item summaries, stability, Kendall's W, region breakdown."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from permed_atlas.delphi.consensus import (
    compare_regions,
    compare_rounds,
    kendalls_w,
    summarise_ratings,
)
from permed_atlas.delphi.feedback import build_feedback
from permed_atlas.delphi.models import ItemFeedback, ItemResult, Rating, RoundResult
from permed_atlas.delphi.responses import list_ratings, ratings_of_expert
from permed_atlas.delphi.store import (
    get_round,
    get_study,
    get_survey,
    list_experts,
    list_items,
    previous_round,
)
from permed_atlas.delphi.tables import InvitationRow


def compute_round_result(session: Session, round_id: int) -> RoundResult:
    """Every statistic of one round, computed from the stored ratings.

    :param session: the platform database session.
    :param round_id: the round.
    """
    round_ = get_round(session, round_id)
    survey = get_survey(session, round_.survey_id)
    rule = get_study(session, survey.study_id).rule
    items = list_items(session, round_id)
    regions = {e.id: e.region for e in list_experts(session, survey.panel_id)}
    by_item = _by_item(list_ratings(session, round_id))
    earlier = previous_round(session, round_)
    earlier_by_item = _by_item(list_ratings(session, earlier.id)) if earlier else {}
    results: list[ItemResult] = []
    for item in items:
        ratings = by_item.get(item.id, {})
        per_region: dict[str, list[int | None]] = defaultdict(list)
        for expert_id, value in ratings.items():
            per_region[regions.get(expert_id, "Other")].append(value)
        stability = None
        if item.previous_item_id is not None and item.previous_item_id in earlier_by_item:
            stability = compare_rounds(earlier_by_item[item.previous_item_id], ratings)
        results.append(
            ItemResult(
                item=item,
                summary=summarise_ratings(list(ratings.values()), rule=rule),
                stability=stability,
                regions=compare_regions(per_region, rule=rule) if len(per_region) > 1 else None,
            )
        )
    matrix: dict[int, dict[int, int | None]] = defaultdict(dict)
    for item_id, ratings in by_item.items():
        for expert_id, value in ratings.items():
            matrix[expert_id][item_id] = value
    n_invited = session.scalar(
        select(func.count()).select_from(InvitationRow).where(InvitationRow.round_id == round_id)
    )
    return RoundResult(
        round=round_,
        survey=survey,
        rule=rule,
        items=tuple(results),
        kendall=kendalls_w(matrix, [i.id for i in items]),
        n_invited=int(n_invited or 0),
        n_responded=len(matrix),
    )


def _by_item(ratings: list[Rating]) -> dict[int, dict[int, int | None]]:
    grouped: dict[int, dict[int, int | None]] = defaultdict(dict)
    for rating in ratings:
        grouped[rating.item_id][rating.expert_id] = rating.value
    return grouped


def feedback_for_expert(
    session: Session, round_id: int, *, expert_id: int
) -> dict[int, ItemFeedback]:
    """Controlled feedback per item of round ``round_id`` for one expert (empty in round one).

    :param round_id: the round the expert is answering.
    :param expert_id: the expert.
    """
    round_ = get_round(session, round_id)
    earlier = previous_round(session, round_)
    if earlier is None:
        return {}
    survey = get_survey(session, round_.survey_id)
    rule = get_study(session, survey.study_id).rule
    previous_items = {i.id: i for i in list_items(session, earlier.id)}
    by_item = _by_item(list_ratings(session, earlier.id))
    summaries = {
        item_id: summarise_ratings(list(by_item.get(item_id, {}).values()), rule=rule)
        for item_id in previous_items
    }
    own = {k: r.value for k, r in ratings_of_expert(session, earlier.id, expert_id).items()}
    feedback: dict[int, ItemFeedback] = {}
    for item in list_items(session, round_id):
        entry = build_feedback(item, previous=previous_items, summaries=summaries, own_ratings=own)
        if entry is not None:
            feedback[item.id] = entry
    return feedback
