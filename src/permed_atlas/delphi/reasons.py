"""An item's stored outcome reason, shown in the reader's language.

``item_outcome`` and the round store compose the reason in English from fixed templates
(``"consensus to include in round 1 (share agree 80%, ..., n=10)"``, ``"carried to round 2
for re-rating; ..."``) and keep it as text: the JSON API, CSV and XLSX give it as it is. A
page or report reads the text back into the same templates as a :class:`Message`, so it shows
in the coordinator's language with the figures unchanged, and no migration is needed. A
coordinator's own words (why an item was dropped or reworded) stay as written; a text that
matches no template is shown as stored.
"""

from __future__ import annotations

import re

from permed_atlas.i18n import gettext_noop
from permed_atlas.i18n.composed import Message

__all__ = ["outcome_reason_message"]

_CLOSED = {
    "consensus to include": gettext_noop("consensus to include in round %(round)s (%(figures)s)"),
    "consensus to exclude": gettext_noop("consensus to exclude in round %(round)s (%(figures)s)"),
    "no consensus": gettext_noop("no consensus in round %(round)s (%(figures)s)"),
}
_CARRIED = {
    ("", ""): gettext_noop("carried to round %(round)s"),
    (" for re-rating", ""): gettext_noop("carried to round %(round)s for re-rating"),
    ("", " reworded"): gettext_noop("carried to round %(round)s reworded"),
    (" for re-rating", " reworded"): gettext_noop(
        "carried to round %(round)s for re-rating reworded"
    ),
}
_CLOSED_RE = re.compile(
    r"(?P<label>consensus to include|consensus to exclude|no consensus) "
    r"in round (?P<round>\d+) \((?P<figures>.*)\)"
)
_FIGURES_RE = re.compile(
    r"share agree (?P<agree>\d+%), share disagree (?P<disagree>\d+%), "
    r"median (?P<median>[^,]+), IQR (?P<iqr>[^,]+), n=(?P<n>\d+)"
)
_CARRIED_RE = re.compile(
    r"carried to round (?P<round>\d+)(?P<again> for re-rating)?(?P<reworded> reworded)?"
)
_DROPPED_RE = re.compile(r"dropped before round (?P<round>\d+)")


def outcome_reason_message(text: str) -> str:
    """``text`` as a :class:`Message` translated where shown, or as it is if no template fits.

    ``str()`` of the result is ``text`` unchanged.

    :param text: an item's ``outcome_reason`` as stored.
    """
    parsed = _parse(text)
    return text if parsed is None else parsed


def _parse(text: str) -> str | None:
    if text == "":
        return ""  # an earlier reason never recorded (not a Message: gettext("") is the header)
    closed = _CLOSED_RE.fullmatch(text)
    if closed:
        figures = _figures(closed["figures"])
        if figures is None:
            return None
        return Message(_CLOSED[closed["label"]], round=closed["round"], figures=figures)
    carried = _CARRIED_RE.match(text)
    if carried:
        flags = (carried["again"] or "", carried["reworded"] or "")
        step = Message(_CARRIED[flags], round=carried["round"])
        return _with_earlier(step, text[carried.end() :])
    dropped = _DROPPED_RE.match(text)
    if dropped:
        step = Message(gettext_noop("dropped before round %(round)s"), round=dropped["round"])
        return _with_earlier(step, text[dropped.end() :])
    return None


def _figures(text: str) -> Message | None:
    if text == "no valid ratings":
        return Message(gettext_noop("no valid ratings"))
    match = _FIGURES_RE.fullmatch(text)
    if match is None:
        return None
    return Message(
        gettext_noop(
            "share agree %(agree)s, share disagree %(disagree)s, median %(median)s, "
            "IQR %(iqr)s, n=%(n)s"
        ),
        **match.groupdict(),
    )


def _with_earlier(step: Message, rest: str) -> str | None:
    """``step`` followed by ``rest``: ``"; <earlier reason>"`` or ``": <why>; <earlier>"``."""
    if rest.startswith("; "):
        earlier = _parse(rest[2:])
        return None if earlier is None else _then(step, earlier)
    if not rest.startswith(": "):
        return None
    # The coordinator's words may hold "; " too: the earlier reason is the first tail that
    # reads back as a stored reason.
    words = rest[2:]
    for cut in (m.start() for m in re.finditer("; ", words)):
        earlier = _parse(words[cut + 2 :])
        if earlier is not None:
            why: str = words[:cut]
            if why == "no reason given":
                why = Message(gettext_noop("no reason given"))
            return _then(Message(gettext_noop("%(step)s: %(why)s"), step=step, why=why), earlier)
    return None


def _then(step: Message, earlier: str) -> Message:
    return Message(gettext_noop("%(step)s; %(earlier)s"), step=step, earlier=earlier)
