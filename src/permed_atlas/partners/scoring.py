"""Pure scoring: turn similarity, recent output and co-author distance into one score.

``score = w_sim * similarity + w_act * activity + w_net * network`` where each part is
in 0..1: similarity is the cosine divided by the best cosine among the candidates,
activity is ``log(1 + recent works) / log(1 + most recent works of any candidate)``,
and network is 1 at co-author distance 2, 0.5 at distance 3 and 0 further away or
unreachable. Existing co-authors (distance 1) are dropped, or kept with
``- coauthor_penalty`` when asked.
"""

from __future__ import annotations

import math

from permed_atlas.partners.models import Weights

NETWORK_BONUS = {2: 1.0, 3: 0.5}


def network_part(distance: int | None) -> float:
    """The network part of the score for a co-author distance (None: unreachable).

    :param distance: hops in the co-author graph from the query's authors.
    """
    if distance is None:
        return 0.0
    return NETWORK_BONUS.get(distance, 0.0)


def activity_part(recent: int, *, most_recent: int) -> float:
    """Recent output on a log scale relative to the most active candidate.

    :param recent: the candidate's works in the recent window.
    :param most_recent: the largest such count among the candidates.
    """
    if most_recent <= 0 or recent <= 0:
        return 0.0
    return math.log1p(recent) / math.log1p(most_recent)


def combine(
    similarity: float, activity: float, network: float, *, distance: int | None, weights: Weights
) -> float:
    """The score of one candidate.

    :param similarity: normalised similarity, 0..1.
    :param activity: activity part, 0..1.
    :param network: network part, 0..1.
    :param distance: co-author distance, to apply the co-author penalty at 1.
    :param weights: the weights.
    """
    score = (
        weights.similarity * similarity + weights.activity * activity + weights.network * network
    )
    if distance == 1:
        score -= weights.coauthor_penalty
    return score
