"""Round statistics from the store: item summaries, stability, Kendall's W, region breakdown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from permed_atlas.delphi.consensus import (
    compare_regions,
    compare_rounds,
    kendalls_w,
    summarise_ratings,
    suppress_small_groups,
)
from permed_atlas.delphi.feedback import build_feedback
from permed_atlas.delphi.models import (
    Item,
    ItemFeedback,
    ItemResult,
    Rating,
    Round,
    RoundResult,
    Study,
    Survey,
)
from permed_atlas.delphi.store import (
    count_invitations,
    get_round,
    get_study,
    get_survey,
    list_experts,
    list_items,
    list_ratings,
    previous_round,
    ratings_of_expert,
)
from permed_atlas.delphi.visibility import hidden_reason, round_results_visible

DEFAULT_MIN_GROUP_SIZE = 5


def compute_round_result(
    session: Session, round_id: int, *, min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> RoundResult:
    """Every statistic of one round, computed from the stored ratings.

    :param session: the platform database session.
    :param round_id: the round.
    :param min_group_size: region groups with fewer valid ratings are left out of the
        breakdown (with whatever else would let them be worked out from the total).
    """
    round_ = get_round(session, round_id)
    survey = get_survey(session, round_.survey_id)
    rule = get_study(session, survey.study_id).rule
    items = list_items(session, round_id)
    regions = {e.id: e.region for e in list_experts(session, survey.panel_id)}
    by_item = _by_item(list_ratings(session, round_id))
    earlier = previous_round(session, round_)
    earlier_by_item = _by_item(list_ratings(session, earlier.id)) if earlier else {}
    # the panel a verdict is judged over (the rule's min_valid_share)
    n_invited = count_invitations(session, round_id)
    results: list[ItemResult] = []
    for item in items:
        ratings = by_item.get(item.id, {})
        per_region: dict[str, list[int | None]] = defaultdict(list)
        for expert_id, value in ratings.items():
            per_region[regions.get(expert_id, "Other")].append(value)
        shown = suppress_small_groups(per_region, min_size=min_group_size)
        stability = None
        if item.previous_item_id is not None and item.previous_item_id in earlier_by_item:
            stability = compare_rounds(earlier_by_item[item.previous_item_id], ratings)
        results.append(
            ItemResult(
                item=item,
                summary=summarise_ratings(list(ratings.values()), rule=rule, n_invited=n_invited),
                stability=stability,
                regions=compare_regions(shown, rule=rule) if len(shown) > 1 else None,
            )
        )
    matrix: dict[int, dict[int, int | None]] = defaultdict(dict)
    for item_id, ratings in by_item.items():
        for expert_id, value in ratings.items():
            matrix[expert_id][item_id] = value
    return RoundResult(
        round=round_,
        survey=survey,
        rule=rule,
        items=tuple(results),
        kendall=kendalls_w(matrix, [i.id for i in items]),
        n_invited=n_invited,
        n_responded=len(matrix),
    )


def _by_item(ratings: list[Rating]) -> dict[int, dict[int, int | None]]:
    grouped: dict[int, dict[int, int | None]] = defaultdict(dict)
    for rating in ratings:
        grouped[rating.item_id][rating.expert_id] = rating.value
    return grouped


def feedback_for_expert(
    session: Session,
    round_id: int,
    *,
    expert_id: int,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> dict[int, ItemFeedback]:
    """Controlled feedback per item of round ``round_id`` for one expert (empty in round one).

    :param round_id: the round the expert is answering.
    :param expert_id: the expert.
    :param min_group_size: items with fewer valid ratings show no group figures.
    """
    round_ = get_round(session, round_id)
    earlier = previous_round(session, round_)
    # controlled feedback is of a closed round only: an open round's figures would let
    # an expert follow the others' saves
    if earlier is None or earlier.status != "closed":
        return {}
    survey = get_survey(session, round_.survey_id)
    rule = get_study(session, survey.study_id).rule
    previous_items = {i.id: i for i in list_items(session, earlier.id)}
    by_item = _by_item(list_ratings(session, earlier.id))
    n_invited = count_invitations(session, earlier.id)
    summaries = {
        item_id: summarise_ratings(
            list(by_item.get(item_id, {}).values()), rule=rule, n_invited=n_invited
        )
        for item_id in previous_items
    }
    own = {k: r.value for k, r in ratings_of_expert(session, earlier.id, expert_id).items()}
    feedback: dict[int, ItemFeedback] = {}
    for item in list_items(session, round_id):
        entry = build_feedback(
            item,
            previous=previous_items,
            summaries=summaries,
            own_ratings=own,
            min_group_size=min_group_size,
        )
        if entry is not None:
            feedback[item.id] = entry
    return feedback


@dataclass(frozen=True)
class RoundView:
    """A round as one viewer may see it: ``result`` is None when its figures are hidden."""

    study: Study
    survey: Survey
    round: Round
    items: tuple[Item, ...]
    result: RoundResult | None
    hidden_reason: str | None
    n_invited: int


def view_round(
    session: Session,
    round_id: int,
    *,
    coordinator: bool,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> RoundView:
    """A round with its figures only when the viewer may see them (see :mod:`.visibility`).

    Nothing is computed from the ratings of a hidden round, so nothing can leak from it.

    :param round_id: the round.
    :param coordinator: the viewer coordinates the study (an editor).
    :param min_group_size: the smallest region group shown.
    """
    round_ = get_round(session, round_id)
    survey = get_survey(session, round_.survey_id)
    study = get_study(session, survey.study_id)
    n_invited = count_invitations(session, round_id)
    if not round_results_visible(study, round_, coordinator=coordinator):
        items = tuple(list_items(session, round_id))
        return RoundView(
            study, survey, round_, items, None, hidden_reason(study, round_), n_invited
        )
    result = compute_round_result(session, round_id, min_group_size=min_group_size)
    items = tuple(entry.item for entry in result.items)
    return RoundView(study, survey, round_, items, result, None, n_invited)
