"""The rating form an expert sees behind a personal link (store-level: reads, never writes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from permed_atlas.delphi.models import FormItem, RatingForm
from permed_atlas.delphi.results import DEFAULT_MIN_GROUP_SIZE, feedback_for_expert
from permed_atlas.delphi.store import (
    get_survey,
    list_items,
    previous_round,
    ratings_of_expert,
    resolve_token,
    study_of_round,
)


def load_rating_form(
    session: Session,
    token: str,
    *,
    now: datetime | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> RatingForm:
    """The form behind a token: items, saved answers and the previous round's feedback.

    A closed round still shows (read-only) so that experts can see what they answered.

    :param session: the platform database session.
    :param token: the token from the invitation link.
    :param now: the current time.
    :param min_group_size: items with fewer valid ratings show no group figures.
    """
    invitation, expert, round_ = resolve_token(session, token, now=now)
    saved = ratings_of_expert(session, round_.id, expert.id)
    feedback = feedback_for_expert(
        session, round_.id, expert_id=expert.id, min_group_size=min_group_size
    )
    earlier = previous_round(session, round_)
    items = tuple(
        FormItem(
            item=item,
            rating=saved[item.id].value if item.id in saved else None,
            no_opinion=item.id in saved and saved[item.id].value is None,
            comment=saved[item.id].comment if item.id in saved else "",
            feedback=feedback.get(item.id),
        )
        for item in list_items(session, round_.id)
    )
    return RatingForm(
        invitation=invitation,
        expert=expert,
        round=round_,
        survey=get_survey(session, round_.survey_id),
        items=items,
        previous_round_number=earlier.number if earlier else None,
        study=study_of_round(session, round_.id),
    )
