"""Delphi storage of invitations and responses: personal links, the rating form's saves.

Only a SHA-256 of each token is stored. Each save claims the invitation's next
revision with one conditional UPDATE, so concurrent saves never lose an answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.delphi._likert import parse_rating
from permed_atlas.delphi.errors import (
    DuplicateSubmissionError,
    InvalidTokenError,
    RatingError,
    RoundClosedError,
)
from permed_atlas.delphi.models import (
    Expert,
    Invitation,
    IssuedInvitation,
    Rating,
    Round,
    SubmissionResult,
)
from permed_atlas.delphi.store import _expert, _get, _round, aware, list_experts, list_items, utcnow
from permed_atlas.delphi.tables import (
    ExpertRow,
    InvitationRow,
    ItemRow,
    ResponseRow,
    RoundRow,
    SurveyRow,
)

TOKEN_BYTES = 32
RESPOND_PATH = "/delphi/respond/"


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invitation(row: InvitationRow, token: str | None = None) -> Invitation:
    return Invitation(
        row.id,
        row.round_id,
        row.expert_id,
        aware(row.expires_at),  # type: ignore[arg-type]
        row.revision,
        aware(row.last_saved_at),
        token,
    )


def issue_invitations(
    session: Session,
    round_id: int,
    *,
    base_url: str,
    valid_for: timedelta = timedelta(days=30),
    reissue: bool = False,
    now: datetime | None = None,
) -> list[IssuedInvitation]:
    """Create personal links for the round's panel; only the tokens' hashes are stored.

    A token cannot be shown again later: experts already invited are skipped unless
    ``reissue`` is set, which replaces their link (the old one stops working).

    :param round_id: the round.
    :param base_url: the site's public address, e.g. ``https://atlas.example.org``.
    :param valid_for: how long the links work.
    :param reissue: give already invited experts a new link.
    :param now: the current time.
    """
    now = now or utcnow()
    round_row = _get(session, RoundRow, round_id, "round")
    if round_row.status == "closed":
        raise RoundClosedError(f"round {round_row.number} is closed; no invitations")
    survey = session.get(SurveyRow, round_row.survey_id)
    assert survey is not None
    existing = {
        r.expert_id: r
        for r in session.scalars(select(InvitationRow).where(InvitationRow.round_id == round_id))
    }
    issued: list[IssuedInvitation] = []
    for expert in list_experts(session, survey.panel_id):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = existing.get(expert.id)
        if row is not None and not reissue:
            continue
        if row is None:
            row = InvitationRow(round_id=round_id, expert_id=expert.id, created_at=now, revision=0)
            session.add(row)
        row.token_hash = hash_token(token)
        row.expires_at = now + valid_for
        session.flush()
        link = f"{base_url.rstrip('/')}{RESPOND_PATH}{token}"
        issued.append(IssuedInvitation(expert, _invitation(row, token), link))
    return issued


def list_invitations(session: Session, round_id: int) -> list[Invitation]:
    """The round's invitations (without tokens, which are not kept)."""
    rows = session.scalars(
        select(InvitationRow).where(InvitationRow.round_id == round_id).order_by(InvitationRow.id)
    )
    return [_invitation(r) for r in rows]


def resolve_token(
    session: Session, token: str, *, now: datetime | None = None, for_writing: bool = False
) -> tuple[Invitation, Expert, Round]:
    """The invitation, expert and round behind a link token.

    :param token: the token from the link.
    :param now: the current time.
    :param for_writing: also refuse when the round does not take responses.
    """
    now = now or utcnow()
    row = session.scalar(
        select(InvitationRow).where(InvitationRow.token_hash == hash_token(token or ""))
    )
    if row is None:
        raise InvalidTokenError(
            "this invitation link is not valid; ask the study team for a new one"
        )
    if aware(row.expires_at) <= now:  # type: ignore[operator]
        raise InvalidTokenError(
            "this invitation link has expired; ask the study team for a new one"
        )
    round_row = session.get(RoundRow, row.round_id)
    expert_row = session.get(ExpertRow, row.expert_id)
    assert round_row is not None and expert_row is not None
    if for_writing and round_row.status != "open":
        state = "closed" if round_row.status == "closed" else "not open yet"
        raise RoundClosedError(
            f"round {round_row.number} is {state}; responses can no longer be changed"
            if state == "closed"
            else f"round {round_row.number} is {state}"
        )
    return _invitation(row), _expert(expert_row), _round(round_row)


def ratings_of_expert(session: Session, round_id: int, expert_id: int) -> dict[int, Rating]:
    """One expert's ratings in one round, by item id."""
    rows = session.scalars(
        select(ResponseRow)
        .join(ItemRow, ItemRow.id == ResponseRow.item_id)
        .where(ItemRow.round_id == round_id, ResponseRow.expert_id == expert_id)
    )
    return {r.item_id: _rating(r) for r in rows}


def _rating(row: ResponseRow) -> Rating:
    return Rating(row.item_id, row.expert_id, row.value, row.comment, aware(row.updated_at))  # type: ignore[arg-type]


def list_ratings(session: Session, round_id: int) -> list[Rating]:
    """Every rating of a round."""
    rows = session.scalars(
        select(ResponseRow)
        .join(ItemRow, ItemRow.id == ResponseRow.item_id)
        .where(ItemRow.round_id == round_id)
        .order_by(ResponseRow.item_id, ResponseRow.expert_id)
    )
    return [_rating(r) for r in rows]


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

    :param token: the invitation token.
    :param ratings: item id -> 1-5, or "no opinion" (None, "na", ...). Items left out keep
        what was saved before.
    :param comments: item id -> comment.
    :param revision: the form's revision when it was shown; a stale one is a duplicate
        submission (nothing saved) when identical, an error otherwise. None skips the check.
    :param now: the current time.
    """
    now = now or utcnow()
    comments = comments or {}
    invitation, expert, round_ = resolve_token(session, token, now=now, for_writing=True)
    items = {i.id: i for i in list_items(session, round_.id)}
    parsed: dict[int, int | None] = {}
    for item_id in set(ratings) | set(comments):
        if item_id not in items:
            raise RatingError(
                f"item {item_id} is not part of round {round_.number}", field=f"item_{item_id}"
            )
    for item_id, raw in ratings.items():
        try:
            parsed[item_id] = parse_rating(raw)
        except ValueError as exc:
            raise RatingError(
                f"item {items[item_id].code}: {exc}", field=f"item_{item_id}"
            ) from exc
    stored = ratings_of_expert(session, round_.id, expert.id)
    # A comment belongs to a rating: blank comments on unrated items are just empty form
    # fields, a written one needs a rating (or "no opinion") so nothing is stored half-way.
    comments = {k: v for k, v in comments.items() if k in parsed or k in stored or v.strip()}
    for item_id in comments:
        if item_id not in parsed and item_id not in stored:
            raise RatingError(
                f"item {items[item_id].code}: choose a rating or 'no opinion' to save the comment",
                field=f"item_{item_id}",
            )
    # Claim the next revision first, atomically: the UPDATE takes the write lock, so two
    # concurrent saves of the same form cannot both pass and what is read next is current.
    claim = update(InvitationRow).where(InvitationRow.id == invitation.id)
    if revision is not None:
        claim = claim.where(InvitationRow.revision == revision)
    # Core-level UPDATEs (no ORM session sync): the identity map can hold thousands of rows.
    result = session.execute(
        claim.values(revision=InvitationRow.revision + 1, last_saved_at=now).execution_options(
            synchronize_session=False
        )
    )
    stored = ratings_of_expert(session, round_.id, expert.id)
    wanted = {
        item_id: (
            parsed[item_id]
            if item_id in parsed
            else stored[item_id].value
            if item_id in stored
            else None,
            (
                comments[item_id]
                if item_id in comments
                else stored[item_id].comment
                if item_id in stored
                else ""
            ).strip(),
        )
        for item_id in set(parsed) | set(comments)
    }
    changes = {
        item_id
        for item_id, (value, comment) in wanted.items()
        if item_id not in stored
        or (stored[item_id].value, stored[item_id].comment) != (value, comment)
    }
    if result.rowcount == 0:  # type: ignore[attr-defined]
        if not changes:
            return SubmissionResult(
                saved=0, unchanged=len(parsed), revision=invitation.revision, duplicate=True
            )
        raise DuplicateSubmissionError(
            "these answers were saved from another window since this form was opened; "
            "reload the page to see what is stored, then save again"
        )
    _write_responses(
        session,
        expert_id=expert.id,
        wanted={k: wanted[k] for k in changes},
        existing=set(stored),
        now=now,
    )
    session.flush()
    new_revision = session.scalar(
        select(InvitationRow.revision).where(InvitationRow.id == invitation.id)
    )
    return SubmissionResult(
        saved=len(changes),
        unchanged=len(parsed) - len(changes & set(parsed)),
        revision=int(new_revision or 0),
        duplicate=False,
    )


def _write_responses(
    session: Session,
    *,
    expert_id: int,
    wanted: Mapping[int, tuple[int | None, str]],
    existing: set[int],
    now: datetime,
) -> None:
    for item_id in sorted(set(wanted) & existing):
        value, comment = wanted[item_id]
        session.execute(
            update(ResponseRow)
            .where(ResponseRow.item_id == item_id, ResponseRow.expert_id == expert_id)
            .values(value=value, comment=comment, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    new = sorted(set(wanted) - existing)
    if not new:
        return
    try:
        with session.begin_nested():
            session.execute(
                insert(ResponseRow),
                [
                    {
                        "item_id": i,
                        "expert_id": expert_id,
                        "value": wanted[i][0],
                        "comment": wanted[i][1],
                        "updated_at": now,
                    }
                    for i in new
                ],
            )
    except IntegrityError:
        # Another save of the same expert inserted some of these first (possible on
        # PostgreSQL under READ COMMITTED): fall back to one row at a time.
        for item_id in new:
            value, comment = wanted[item_id]
            updated = session.execute(
                update(ResponseRow)
                .where(ResponseRow.item_id == item_id, ResponseRow.expert_id == expert_id)
                .values(value=value, comment=comment, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if updated.rowcount == 0:  # type: ignore[attr-defined]
                session.add(
                    ResponseRow(
                        item_id=item_id,
                        expert_id=expert_id,
                        value=value,
                        comment=comment,
                        updated_at=now,
                    )
                )
                session.flush()
