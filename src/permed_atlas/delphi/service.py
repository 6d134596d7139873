"""Delphi operations of several steps: each reads through the store, computes with the
core, and writes through the store, inside the caller's transaction (the caller commits).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from permed_atlas.delphi import store
from permed_atlas.delphi.consensus import item_outcome
from permed_atlas.delphi.models import RoundResult, SubmissionResult
from permed_atlas.delphi.results import compute_round_result
from permed_atlas.delphi.submission import RatingsSubmission, check_submission


def submit_ratings(
    session: Session,
    token: str,
    *,
    ratings: Mapping[int, object],
    comments: Mapping[int, str] | None = None,
    revision: int | None = None,
    now: datetime | None = None,
) -> SubmissionResult:
    """Save an expert's (possibly partial) answers, replacing what that expert saved before.

    The rating page and the JSON API both come here; the answers are parsed once, by
    :func:`check_submission`.

    :param token: the invitation token.
    :param ratings: item id -> 1-5, or "no opinion" (None, "na", ...). Items left out keep
        what was saved before.
    :param comments: item id -> comment.
    :param revision: the form's revision when it was shown; a stale one is a duplicate
        submission (nothing saved) when identical, an error otherwise. None skips the check.
    :param now: the current time.
    """
    now = now or store.utcnow()
    invitation, expert, round_ = store.resolve_token(session, token, now=now, for_writing=True)
    items = {i.id: i for i in store.list_items(session, round_.id)}
    stored = store.ratings_of_expert(session, round_.id, expert.id)
    parsed, kept = check_submission(
        RatingsSubmission(ratings, comments or {}, revision),
        items=items,
        round_number=round_.number,
        stored=set(stored),
    )
    return store.save_ratings(
        session, invitation, parsed=parsed, comments=kept, revision=revision, now=now
    )


def submit(
    session: Session, token: str, submission: RatingsSubmission, *, now: datetime | None = None
) -> SubmissionResult:
    """:func:`submit_ratings` for answers already gathered in a :class:`RatingsSubmission`."""
    return submit_ratings(
        session,
        token,
        ratings=submission.ratings,
        comments=submission.comments,
        revision=submission.revision,
        now=now,
    )


def close_round(session: Session, round_id: int, *, now: datetime | None = None) -> RoundResult:
    """Close an open round and record each item's outcome and the figures behind it.

    :param session: the platform database session.
    :param round_id: the open round.
    :param now: the closing time.
    """
    closed = store.mark_closed(session, round_id, now=now)
    result = compute_round_result(session, round_id)
    store.record_outcomes(
        session,
        {e.item.id: item_outcome(e.summary, round_number=closed.number) for e in result.items},
    )
    return compute_round_result(session, round_id)
