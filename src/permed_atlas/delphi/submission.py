"""An expert's save of the rating form, read and checked in one place (pure).

The page's form (``rating_<item id>``, ``comment_<item id>``, ``revision``) and the JSON
API's body both become a :class:`RatingsSubmission`; :func:`check_submission` turns its
raw answers into ratings, the one parse both go through.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from permed_atlas.delphi._likert import parse_rating
from permed_atlas.delphi.errors import RatingError, expert_error
from permed_atlas.delphi.models import Item
from permed_atlas.i18n import gettext_noop


@dataclass(frozen=True)
class RatingsSubmission:
    """Raw answers of one save: item id -> rating as given (1-5, "na", None, ...) and comment.

    ``revision`` is the form's revision when it was shown (None skips the stale-form check).
    """

    ratings: Mapping[int, object] = field(default_factory=dict)
    comments: Mapping[int, str] = field(default_factory=dict)
    revision: int | None = None


def submission_from_form(form: Mapping[str, Any]) -> RatingsSubmission:
    """The answers in the rating page's form fields; other fields are ignored.

    :param form: the posted form (``rating_12=4``, ``comment_12=...``, ``revision=3``).
    """
    # isdecimal, not isdigit: "rating_²" passes isdigit and then int() fails (a 500)
    ratings = {
        int(k[7:]): str(v) for k, v in form.items() if k.startswith("rating_") and k[7:].isdecimal()
    }
    comments = {
        int(k[8:]): str(v)
        for k, v in form.items()
        if k.startswith("comment_") and k[8:].isdecimal()
    }
    raw_revision = str(form.get("revision") or "")
    revision = int(raw_revision) if raw_revision.isdecimal() else None
    return RatingsSubmission(ratings, comments, revision)


def check_submission(
    submission: RatingsSubmission,
    *,
    items: Mapping[int, Item],
    round_number: int,
    stored: Collection[int],
) -> tuple[dict[int, int | None], dict[int, str]]:
    """The ratings to save (None is "no opinion") and the comments that go with them.

    :param submission: the raw answers.
    :param items: the round's items by id.
    :param round_number: the round, for messages.
    :param stored: ids of the items this expert has saved a rating for already.
    :raises RatingError: naming the item (and its form field) that is wrong.
    """
    parsed: dict[int, int | None] = {}
    for item_id in set(submission.ratings) | set(submission.comments):
        if item_id not in items:
            raise expert_error(
                RatingError,
                gettext_noop("item %(item)s is not part of round %(round)s"),
                field=f"item_{item_id}",
                item=item_id,
                round=round_number,
            )
    for item_id, raw in submission.ratings.items():
        try:
            parsed[item_id] = parse_rating(raw)
        except ValueError as exc:
            raise expert_error(
                RatingError,
                gettext_noop("item %(code)s: rating must be 1-5 or 'no opinion', not %(value)s"),
                field=f"item_{item_id}",
                code=items[item_id].code,
                value=repr(raw),
            ) from exc
    # A comment belongs to a rating: blank comments on unrated items are just empty form
    # fields, a written one needs a rating (or "no opinion") so nothing is stored half-way.
    comments = {
        k: v for k, v in submission.comments.items() if k in parsed or k in stored or v.strip()
    }
    for item_id in comments:
        if item_id not in parsed and item_id not in stored:
            raise expert_error(
                RatingError,
                gettext_noop("item %(code)s: choose a rating or 'no opinion' to save the comment"),
                field=f"item_{item_id}",
                code=items[item_id].code,
            )
    return parsed, comments
