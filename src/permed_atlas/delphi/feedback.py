"""Pure: the controlled feedback shown beside an item in round two and later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from permed_atlas.delphi.models import Item, ItemFeedback, ItemSummary


def build_feedback(
    item: Item,
    *,
    previous: Mapping[int, Item],
    summaries: Mapping[int, ItemSummary],
    own_ratings: Mapping[int, int | None],
    min_group_size: int = 1,
) -> ItemFeedback | None:
    """The previous round's group distribution and the expert's own earlier rating, if any.

    :param item: an item of the current round.
    :param previous: previous round's items by id.
    :param summaries: previous round's item summaries by item id.
    :param own_ratings: this expert's previous-round ratings by item id (None = no opinion);
        an item missing here was not rated at all.
    :param min_group_size: with fewer valid ratings the group's figures are withheld: the
        expert, knowing their own answer, could work out the few others'.
    """
    if item.previous_item_id is None or item.previous_item_id not in previous:
        return None
    earlier = previous[item.previous_item_id]
    summary = summaries.get(earlier.id)
    if summary is None:
        return None
    feedback = ItemFeedback(
        previous_code=earlier.code,
        counts=summary.counts,
        n_no_opinion=summary.n_no_opinion,
        share_agree=summary.share_agree,
        median=summary.median,
        own_rating=own_ratings.get(earlier.id),
        own_rated=earlier.id in own_ratings,
    )
    if summary.n_valid < min_group_size:
        return replace(
            feedback,
            counts=(0, 0, 0, 0, 0),
            n_no_opinion=0,
            share_agree=None,
            median=None,
            withheld=True,
        )
    return feedback
