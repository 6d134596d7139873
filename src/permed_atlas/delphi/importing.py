"""Pure: read a study run elsewhere as a long responses CSV, or fail naming line and field.

One row per answer: ``expert`` (the panel reference), ``round`` (1, 2, ...), ``item``
(the item code), ``rating`` (1-5, blank or "NA" for no opinion) and optionally
``comment``, ``pillar`` (needed when the study has several), ``statement_zh`` (the
Chinese wording, for a study in Chinese) and ``statement`` (the
wording of an item that first appears after round 1). A file with any bad row yields
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from permed_atlas.delphi._csv import read_csv
from permed_atlas.delphi._likert import parse_rating
from permed_atlas.delphi.errors import ResponsesFileError
from permed_atlas.i18n import Message

RESPONSE_COLUMNS = ("expert", "round", "item", "rating")
OPTIONAL_RESPONSE_COLUMNS = ("comment", "pillar", "statement", "statement_zh")


@dataclass(frozen=True)
class ResponseDraft:
    """One valid row of a responses file."""

    line: int
    pillar: str
    expert: str
    round: int
    item: str
    rating: int | None
    comment: str
    statement: str
    statement_zh: str = ""


def parse_responses_csv(text: str, *, path: str) -> list[ResponseDraft]:
    """Parse a whole long responses file; the first bad row raises and nothing is returned.

    :param text: the file's content.
    :param path: the file name, for messages.
    """
    header, rows = read_csv(text, path=path, error=ResponsesFileError)
    for column in RESPONSE_COLUMNS:
        if column not in header:
            raise ResponsesFileError(
                Message(
                    "missing column (need %(columns)s)",
                    columns=", ".join(RESPONSE_COLUMNS),
                ),
                path=path,
                line=1,
                field=column,
            )
    drafts: list[ResponseDraft] = []
    seen: dict[tuple[str, str, int, str], int] = {}
    for line, cells in rows:
        draft = _parse_row(cells, line=line, path=path)
        key = (draft.pillar, draft.expert, draft.round, draft.item)
        if key in seen:
            raise ResponsesFileError(
                Message(
                    "expert %(expert)s already rated %(item)s in round %(round)s on line %(seen)s",
                    expert=draft.expert,
                    item=draft.item,
                    round=draft.round,
                    seen=seen[key],
                ),
                path=path,
                line=line,
                field="item",
            )
        seen[key] = line
        drafts.append(draft)
    if not drafts:
        raise ResponsesFileError(
            Message("no responses in the file"), path=path, line=None, field=None
        )
    return drafts


def _parse_row(cells: dict[str, str], *, line: int, path: str) -> ResponseDraft:
    def fail(field: str, message: str) -> ResponsesFileError:
        return ResponsesFileError(message, path=path, line=line, field=field)

    for column in ("expert", "round", "item"):
        if not cells.get(column):
            raise fail(column, Message("is empty"))
    raw_round = cells["round"]
    if not raw_round.isdecimal() or int(raw_round) < 1:
        raise fail(
            "round",
            Message("%(raw_round)s is not a round number (1, 2, ...)", raw_round=repr(raw_round)),
        )
    try:
        rating = parse_rating(cells.get("rating", ""))
    except ValueError as exc:
        raise fail("rating", str(exc)) from exc
    return ResponseDraft(
        line=line,
        pillar=cells.get("pillar", ""),
        expert=cells["expert"],
        round=int(raw_round),
        item=cells["item"],
        rating=rating,
        comment=cells.get("comment", ""),
        statement=cells.get("statement", ""),
        statement_zh=cells.get("statement_zh", ""),
    )
