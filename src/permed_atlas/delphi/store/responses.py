"""Invitations and responses: personal links, the rating form's saves, counts.

Only a SHA-256 of each token is stored. Each save claims the invitation's next
revision with one conditional UPDATE, so concurrent saves never lose an answer.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, false, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.delphi.errors import (
    DuplicateSubmissionError,
    InvalidTokenError,
    RatingError,
    RoundClosedError,
    expert_error,
)
from permed_atlas.delphi.models import (
    Expert,
    Invitation,
    IssuedInvitation,
    Rating,
    Round,
    SubmissionResult,
)
from permed_atlas.delphi.store.rows import aware, expert_model, get_row, round_model, utcnow
from permed_atlas.delphi.store.studies import list_experts
from permed_atlas.delphi.tables import (
    ExpertRow,
    InvitationRow,
    ItemRow,
    ResponseRow,
    RoundRow,
    SurveyRow,
)
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.limits import MAX_ID

TOKEN_BYTES = 32
_SAVED_ELSEWHERE = gettext_noop(
    "these answers were saved from another window since this form was opened; "
    "reload the page to see what is stored, then save again"
)
RESPOND_PATH = "/delphi/respond/"
MAX_LINK_DAYS = 365
"""The longest a personal link may work, in days (the invitation form's bound)."""


def link_lifetime(days: object) -> timedelta:
    """How long new links work: ``days`` as typed on the form or given to ``--days``.

    :param days: a whole number of days, 1 to :data:`MAX_LINK_DAYS`.
    :raises RatingError: naming the field ``days``; a link that has expired when it is
        issued (0 days) or a number no date can hold would otherwise be stored or crash.
    """
    text = str(days).strip()
    value = int(text) if text.isdecimal() and len(text) <= len(str(MAX_LINK_DAYS)) else 0
    if not 1 <= value <= MAX_LINK_DAYS:
        raise RatingError(
            Message(
                "links work for 1 to %(max)s days, not %(days)s",
                max=MAX_LINK_DAYS,
                days=repr(text),
            ),
            field="days",
        )
    return timedelta(days=value)


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
    round_row = get_row(session, RoundRow, round_id, "round")
    if round_row.status == "closed":
        raise RoundClosedError(
            Message("round %(number)s is closed; no invitations", number=round_row.number)
        )
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
        raise expert_error(
            InvalidTokenError,
            gettext_noop("this invitation link is not valid; ask the study team for a new one"),
        )
    if aware(row.expires_at) <= now:  # type: ignore[operator]
        raise expert_error(
            InvalidTokenError,
            gettext_noop("this invitation link has expired; ask the study team for a new one"),
        )
    round_query = select(RoundRow).where(RoundRow.id == row.round_id)
    if for_writing:
        # PostgreSQL: a share lock on the round until the save commits, so closing the
        # round (an UPDATE of this row) waits for the save and counts it, and a save that
        # comes after the close reads the round as closed (SQLite: save_ratings' claim)
        round_query = round_query.with_for_update(read=True)
    round_row = session.scalar(round_query.execution_options(populate_existing=True))
    expert_row = session.get(ExpertRow, row.expert_id)
    assert round_row is not None and expert_row is not None
    if for_writing and round_row.status != "open":
        raise _not_open(round_row)
    return _invitation(row), expert_model(expert_row), round_model(round_row)


def _not_open(round_row: RoundRow) -> RoundClosedError:
    return expert_error(
        RoundClosedError,
        gettext_noop("round %(round)s is closed; responses can no longer be changed")
        if round_row.status == "closed"
        else gettext_noop("round %(round)s is not open yet"),
        round=round_row.number,
    )


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


def _claim_revision(
    session: Session, invitation: Invitation, *, revision: int | None, now: datetime
) -> bool:
    """Take the invitation's next revision; False when the form is stale or the round shut."""
    # Claim the next revision first, atomically: the UPDATE takes the write lock, so two
    # concurrent saves of the same form cannot both pass and what is read next is current;
    # and only while the round is open: a round closed since the link was read (its
    # outcomes computed without this save) takes nothing more
    still_open = exists().where(RoundRow.id == InvitationRow.round_id, RoundRow.status == "open")
    claim = update(InvitationRow).where(InvitationRow.id == invitation.id, still_open)
    if revision is not None:
        # a revision no counter can hold (a forged form) is stale like any other, not a
        # value SQLite refuses to bind
        claim = claim.where(
            InvitationRow.revision == revision if 0 <= revision <= MAX_ID else false()
        )
    # Core-level UPDATEs (no ORM session sync): the identity map can hold thousands of rows.
    result = session.execute(
        claim.values(revision=InvitationRow.revision + 1, last_saved_at=now).execution_options(
            synchronize_session=False
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def save_ratings(
    session: Session,
    invitation: Invitation,
    *,
    parsed: Mapping[int, int | None],
    comments: Mapping[int, str],
    revision: int | None,
    now: datetime,
) -> SubmissionResult:
    """Store checked answers of one expert, replacing what that expert saved before.

    :param invitation: the expert's invitation (from :func:`resolve_token`).
    :param parsed: item id -> 1-5 or None ("no opinion"), already checked.
    :param comments: item id -> comment, already checked.
    :param revision: the form's revision when it was shown; a stale one is a duplicate
        submission (nothing saved) when identical, an error otherwise. None skips the check.
    :param now: the time of the save.
    """
    claimed = _claim_revision(session, invitation, revision=revision, now=now)
    stored = ratings_of_expert(session, invitation.round_id, invitation.expert_id)
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
    if not claimed:
        round_row = session.get(RoundRow, invitation.round_id, populate_existing=True)
        if round_row is not None and round_row.status != "open":
            raise _not_open(round_row)
        if not changes:
            return SubmissionResult(
                saved=0, unchanged=len(parsed), revision=invitation.revision, duplicate=True
            )
        raise expert_error(DuplicateSubmissionError, _SAVED_ELSEWHERE)
    _write_responses(
        session,
        expert_id=invitation.expert_id,
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


def count_invitations(session: Session, round_id: int) -> int:
    """How many experts were invited to a round."""
    count = session.scalar(
        select(func.count()).select_from(InvitationRow).where(InvitationRow.round_id == round_id)
    )
    return int(count or 0)


def count_responses(session: Session, round_ids: Sequence[int]) -> int:
    """How many ratings are stored for the items of these rounds."""
    count = session.scalar(
        select(func.count())
        .select_from(ResponseRow)
        .join(ItemRow, ItemRow.id == ResponseRow.item_id)
        .where(ItemRow.round_id.in_(list(round_ids)))
    )
    return int(count or 0)


def add_responses(
    session: Session, rows: Iterable[tuple[int, int, int | None, str]], *, now: datetime
) -> None:
    """Store ratings as they were given elsewhere (a replayed study), without revisions.

    :param rows: (item id, expert id, rating or None, comment) each.
    :param now: the time recorded as each rating's last change.
    """
    session.add_all(
        ResponseRow(item_id=item_id, expert_id=expert_id, value=value, comment=comment,
                    updated_at=now)
        for item_id, expert_id, value, comment in rows
    )  # fmt: skip
    session.flush()


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
