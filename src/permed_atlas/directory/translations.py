"""Chinese texts an English edit has left behind: marked for review, not silently kept.

An entry's ``name_zh`` and ``summary_zh`` are written from its English ``name`` and
``summary``. When an edit changes the English but not the Chinese, the Chinese may now say
something else: it is kept (a Chinese reader still gets most of it) but listed in
``zh_to_review`` until someone edits it or clears the mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from permed_atlas.datafiles import Where, read_texts
from permed_atlas.directory.models import REVIEW_FIELD, TRANSLATED, DirectoryEntry
from permed_atlas.i18n import Message


def mark_translations_to_review(before: DirectoryEntry, after: DirectoryEntry) -> DirectoryEntry:
    """``after`` with the Chinese texts to review after the edit from ``before``.

    A Chinese text is marked when its English changed and it did not; editing it clears the
    mark. An edit that sets the list itself (an editor who checked the Chinese and cleared
    the mark, or added one) is kept as it is. A mark on a missing Chinese text is dropped.

    :param before: the entry as it was.
    :param after: the edited entry, its ``zh_to_review`` as the edit left it.
    """
    marked = set(after.zh_to_review)
    if marked == set(before.zh_to_review):
        for english, chinese in TRANSLATED.items():
            if after.details.get(chinese) != before.details.get(chinese):
                marked.discard(chinese)
            elif getattr(after, english) != getattr(before, english):
                marked.add(chinese)
    details = {key: value for key, value in after.details.items() if key != REVIEW_FIELD}
    kept = tuple(chinese for chinese in TRANSLATED.values() if chinese in marked)
    kept = tuple(chinese for chinese in kept if details.get(chinese))
    if kept:
        details[REVIEW_FIELD] = kept
    return replace(after, details=details)


def read_to_review(
    data: Mapping[str, Any], *, where: Where, details: Mapping[str, Any]
) -> tuple[str, ...]:
    """The ``zh_to_review`` an entry's mapping gives: Chinese texts it has, in a fixed order.

    :param data: the entry's fields (a file's, a form's or a request's).
    :param where: the file and entry, for the error.
    :param details: the entry's details read so far (a mark on a missing text is dropped).
    """
    names = read_texts(data.get(REVIEW_FIELD), where=where, field=REVIEW_FIELD)
    for name in names:
        if name not in TRANSLATED.values():
            raise where.fail(
                REVIEW_FIELD,
                Message(
                    "names %(field)s, which is not a Chinese text (%(options)s)",
                    field=repr(name),
                    options=", ".join(TRANSLATED.values()),
                ),
            )
    return tuple(name for name in TRANSLATED.values() if name in names and details.get(name))
