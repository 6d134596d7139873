"""Store a study run elsewhere: replay its rounds from a long responses file.

Each round goes through the same steps as a study run here (carry into the next
round, open, answers, close), so outcomes, stability and the links between rounds
are the platform's own. The caller owns the transaction: any error leaves nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from permed_atlas.delphi.definition import ItemDraft, check_item_texts
from permed_atlas.delphi.errors import ResponsesFileError, StudyFileError
from permed_atlas.delphi.importing import ResponseDraft
from permed_atlas.delphi.models import Round, Survey
from permed_atlas.delphi.service import close_round
from permed_atlas.delphi.store import (
    add_item,
    add_responses,
    count_responses,
    list_experts,
    list_items,
    list_rounds,
    list_surveys,
    open_round,
    start_next_round,
    study_of_round,
    utcnow,
)
from permed_atlas.i18n import Message


@dataclass(frozen=True)
class ReplaySummary:
    """What an import stored, per pillar: rounds and responses."""

    pillar: str
    rounds: int
    responses: int


def import_responses(
    session: Session,
    study_id: int,
    drafts: Sequence[ResponseDraft],
    *,
    path: str,
    pillar: str | None = None,
    now: datetime | None = None,
) -> list[ReplaySummary]:
    """Replay every round of the responses into a study whose surveys have not started.

    :param session: the platform database session (the caller commits or rolls back).
    :param study_id: the study (created from its YAML; panel imported).
    :param drafts: rows from :func:`parse_responses_csv`.
    :param path: the file name, for messages.
    :param pillar: the pillar of rows without a ``pillar`` cell.
    :param now: the time recorded as each round's closing.
    """
    now = now or utcnow()
    surveys = {s.pillar: s for s in list_surveys(session, study_id)}
    grouped: dict[str, list[ResponseDraft]] = defaultdict(list)
    for draft in drafts:
        name = draft.pillar or pillar or (next(iter(surveys)) if len(surveys) == 1 else "")
        if name not in surveys:
            raise ResponsesFileError(
                f"pillar {name!r} is not in the study ({', '.join(surveys)})"
                if name
                else "the study has several pillars: add a pillar column or --pillar",
                path=path,
                line=draft.line,
                field="pillar",
            )
        grouped[name].append(draft)
    return [
        _replay_survey(session, surveys[name], rows, path=path, now=now)
        for name, rows in grouped.items()
    ]


def _replay_survey(
    session: Session, survey: Survey, rows: list[ResponseDraft], *, path: str, now: datetime
) -> ReplaySummary:
    rounds = list_rounds(session, survey.id)
    answered = count_responses(session, [r.id for r in rounds])
    if len(rounds) != 1 or rounds[0].status != "draft" or answered:
        raise ResponsesFileError(
            Message(
                "pillar %(pillar)s has started already; import into a fresh study",
                pillar=survey.pillar,
            ),
            path=path,
            line=None,
            field=None,
        )
    experts = {e.ref: e.id for e in list_experts(session, survey.panel_id)}
    by_round: dict[int, list[ResponseDraft]] = defaultdict(list)
    for row in rows:
        if row.expert not in experts:
            raise ResponsesFileError(
                Message(
                    "expert %(expert)s is not on the panel (import the panel first)",
                    expert=repr(row.expert),
                ),
                path=path,
                line=row.line,
                field="expert",
            )
        by_round[row.round].append(row)
    numbers = sorted(by_round)
    if numbers != list(range(1, len(numbers) + 1)):
        missing = min(set(range(1, numbers[-1] + 1)) - set(numbers))
        raise ResponsesFileError(
            Message(
                "pillar %(pillar)s has no responses in round %(missing)s",
                pillar=survey.pillar,
                missing=missing,
            ),
            path=path,
            line=None,
            field="round",
        )
    round_ = rounds[0]
    stored = 0
    for number in numbers:
        answers = by_round[number]
        if number > 1:
            round_ = _next_round(session, round_.id, answers, path=path)
        items = {i.code: i.id for i in list_items(session, round_.id)}
        for code, row in {a.item: a for a in answers}.items():
            if code not in items and number == 1:
                items[code] = _new_item(session, round_.id, row, path=path)
        open_round(session, round_.id)
        add_responses(
            session,
            ((items[a.item], experts[a.expert], a.rating, a.comment) for a in answers),
            now=now,
        )
        stored += len(answers)
        close_round(session, round_.id, now=now)
    return ReplaySummary(survey.pillar, len(numbers), stored)


def _new_item(session: Session, round_id: int, row: ResponseDraft, *, path: str) -> int:
    if not (row.statement or row.statement_zh):
        raise ResponsesFileError(
            Message(
                "item %(item)s is not in the study; give its wording in a statement column",
                item=repr(row.item),
            ),
            path=path,
            line=row.line,
            field="item",
        )
    draft = _item_draft(session, round_id, row, path=path)
    return add_item(session, round_id, draft).id


def _item_draft(session: Session, round_id: int, row: ResponseDraft, *, path: str) -> ItemDraft:
    """The item a row words, with the texts each of the study's languages needs."""
    draft = ItemDraft(code=row.item, statement=row.statement, statement_zh=row.statement_zh)
    try:
        check_item_texts(draft, languages=study_of_round(session, round_id).languages)
    except StudyFileError as exc:
        raise ResponsesFileError(str(exc), path=path, line=row.line, field=exc.field) from exc
    return draft


def _next_round(
    session: Session, round_id: int, answers: list[ResponseDraft], *, path: str
) -> Round:
    earlier = {i.code for i in list_items(session, round_id)}
    codes = list(dict.fromkeys(a.item for a in answers))
    first_rows = {a.item: a for a in reversed(answers)}
    new_items = []
    for code in codes:
        if code in earlier:
            continue
        row = first_rows[code]
        if not (row.statement or row.statement_zh):
            raise ResponsesFileError(
                Message(
                    "item %(code)s first appears in round %(round)s; give its "
                    "wording in a statement column",
                    code=repr(code),
                    round=row.round,
                ),
                path=path,
                line=row.line,
                field="statement",
            )
        new_items.append(_item_draft(session, round_id, row, path=path))
    # items the other study did not rate again were not carried: "selected" says so
    return start_next_round(
        session,
        round_id,
        carry="selected",
        selected=[c for c in codes if c in earlier],
        new_items=new_items,
    )
