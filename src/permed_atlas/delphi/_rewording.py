"""Pure: an edit that rewords a text in one of its two languages only.

Experts rate the text of their own language: an English statement reworded while its Chinese
one stays as it was has the Chinese-speaking experts rate the old statement. An edit of an
item's statement or a pillar's title that changes one language of a text that has both is
refused, unless the editor confirms that the other language still says the same (a typo fix).
The round plan's rewordings are checked the same way (``store.rounds._check_rewording``).
"""

from __future__ import annotations

from collections.abc import Mapping

from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.i18n import Message

CONFIRM_FIELD = "other_language_matches"
"""The form field (and JSON key) by which the editor confirms the other language still matches."""

AUDIT_KEY = "still_matches"
"""The audit detail's key naming the text the editor confirmed unchanged in meaning."""


def texts_of(record: object, field: str) -> dict[str, str]:
    """``{field: ..., field_zh: ...}`` of a record (an Item, a Survey).

    :param field: ``statement`` or ``title``.
    """
    return {name: str(getattr(record, name) or "") for name in (field, field + "_zh")}


def reworded_alone(
    old: Mapping[str, str | None], new: Mapping[str, str | None], field: str
) -> tuple[str, str] | None:
    """The (reworded, left as it was) field names when an edit rewords ``field`` in one
    language only; None for any other edit.

    Only a text that has both languages counts; a new text that is missing or blank keeps
    the old one, as the store's edits do.

    :param old: the texts before, e.g. ``{"statement": ..., "statement_zh": ...}``.
    :param new: the texts the edit gives (None where it gives none).
    :param field: ``statement`` or ``title``.
    """
    names = (field, field + "_zh")
    before = {name: str(old.get(name) or "").strip() for name in names}
    if not all(before.values()):
        return None
    changed = [name for name in names if (new.get(name) or "").strip() not in ("", before[name])]
    if len(changed) != 1:
        return None
    left = names[1] if changed[0] == names[0] else names[0]
    return changed[0], left


def check_rewording(
    old: Mapping[str, str | None],
    new: Mapping[str, str | None],
    field: str,
    *,
    what: Message,
    confirmed: bool,
) -> None:
    """Refuse an edit that rewords ``field`` in one language only, unless ``confirmed``.

    :param what: the thing edited, e.g. ``Message("item %(code)s", code="'P1-03'")``.
    :param confirmed: the editor confirmed the other language still says the same.
    """
    alone = reworded_alone(old, new, field)
    if alone is None or confirmed:
        return
    changed, left = alone
    raise StudyFileError(
        Message(
            "%(what)s: %(changed)s was reworded but %(left)s was not; reword %(left)s too, "
            "or confirm that it still says the same",
            what=what,
            changed=changed,
            left=left,
        ),
        field=left,
    )


def confirmation(before: object, after: object, field: str) -> dict[str, object]:
    """The audit detail of an edit from ``before`` to ``after`` that reworded ``field`` in one
    language only (which the store lets through only when confirmed): ``{"still_matches":
    "statement_zh"}``, the text confirmed; ``{}`` for any other edit.

    :param field: ``statement`` or ``title``.
    """
    alone = reworded_alone(texts_of(before, field), texts_of(after, field), field)
    return {AUDIT_KEY: alone[1]} if alone else {}
