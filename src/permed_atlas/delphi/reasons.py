"""An item's outcome reason: a message key and its values, stored beside its English text.

``item_outcome`` and the round store build an :class:`OutcomeReason` (``no_consensus`` with
the round and the figures; ``carried_rerating`` then the earlier reason, ...). The store keeps
both its English (``delphi_item.outcome_reason``: the JSON API, CSV and XLSX give it as it
is) and its key and values as JSON (``outcome_reason_json``), so a page or report renders it
from the key in the reader's language, with the same figures. Keys, not msgids, are stored:
rewording an English message changes no stored row.

A coordinator's own words (why an item was dropped or reworded) are a ``words`` value and
stay as written. A row written before keys were stored has no JSON until migration
delphi_0005 reads its English back (:mod:`permed_atlas.delphi.reason_parsing`); one it cannot
read is shown as its stored English, marked untranslated on a Chinese page, and a later step
that builds on it (carried, dropped) keeps that English as a ``stored`` value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from permed_atlas.i18n import gettext_noop, localized
from permed_atlas.i18n.composed import Message

__all__ = [
    "REASON_MESSAGES",
    "OutcomeReason",
    "carried_reason",
    "closing_reason",
    "dropped_reason",
    "outcome_reason_shown",
    "stored_reason",
    "too_few_valid_reason",
    "words_reason",
]

REASON_MESSAGES: dict[str, str] = {
    "consensus_include": gettext_noop("consensus to include in round %(round)s (%(figures)s)"),
    "consensus_exclude": gettext_noop("consensus to exclude in round %(round)s (%(figures)s)"),
    "no_consensus": gettext_noop("no consensus in round %(round)s (%(figures)s)"),
    "figures": gettext_noop(
        "share agree %(agree)s, share disagree %(disagree)s, median %(median)s, "
        "IQR %(iqr)s, n=%(n)s"
    ),
    "no_valid_ratings": gettext_noop("no valid ratings"),
    "no_verdict": gettext_noop("no verdict in round %(round)s, %(why)s (%(figures)s)"),
    "too_few_valid": gettext_noop(
        "too few valid ratings: %(valid)s of %(answers)s answers, the rule needs at least "
        "%(needed)s"
    ),
    "too_few_valid_invited": gettext_noop(
        "too few valid ratings: %(valid)s of %(invited)s invited experts (%(answers)s "
        "answered), the rule needs at least %(needed)s"
    ),
    "carried": gettext_noop("carried to round %(round)s"),
    "carried_rerating": gettext_noop("carried to round %(round)s for re-rating"),
    "carried_reworded": gettext_noop("carried to round %(round)s reworded"),
    "carried_rerating_reworded": gettext_noop("carried to round %(round)s for re-rating reworded"),
    "dropped": gettext_noop("dropped before round %(round)s"),
    "not_selected": gettext_noop("not selected for round %(round)s"),
    "no_reason_given": gettext_noop("no reason given"),
    "with_why": gettext_noop("%(step)s: %(why)s"),
    "then": gettext_noop("%(step)s; %(earlier)s"),
}
"""Key -> English message of every reason template (the catalog translates the message)."""

# Keys whose one value ``text`` is shown as it is: the coordinator's words, and the English
# of a row stored before keys were.
_PLAIN_KEYS = ("words", "stored")


@dataclass(frozen=True)
class OutcomeReason:
    """A reason as a key of :data:`REASON_MESSAGES` (or ``words``/``stored``) and its values.

    :param key: the template.
    :param values: its placeholders' values: numbers, texts or nested reasons.
    """

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def message(self) -> str:
        """A :class:`Message` (English as ``str``, translated where shown); plain text for
        the coordinator's words and stored English."""
        if self.key in _PLAIN_KEYS:
            return str(self.values["text"])
        values = {
            name: value.message() if isinstance(value, OutcomeReason) else value
            for name, value in _FORMATS.get(self.key, dict)(self.values).items()
        }
        return Message(REASON_MESSAGES[self.key], **values)

    def english(self) -> str:
        """The English text, as the ``outcome_reason`` column keeps it."""
        return str.__str__(self.message())

    def as_data(self) -> dict[str, Any]:
        """The key and values as JSON-ready data (nested reasons as nested objects)."""
        values = {
            name: value.as_data() if isinstance(value, OutcomeReason) else value
            for name, value in self.values.items()
        }
        return {"key": self.key, "values": values}

    def to_json(self) -> str:
        """:meth:`as_data` as JSON, for the ``outcome_reason_json`` column."""
        return json.dumps(self.as_data(), ensure_ascii=False, sort_keys=True)


def _format_figures(values: Mapping[str, Any]) -> dict[str, Any]:
    # the figures are stored as numbers; shares show as whole percentages in every language
    return {
        "agree": f"{values['share_agree']:.0%}",
        "disagree": f"{values['share_disagree']:.0%}",
        "median": f"{values['median']:g}",
        "iqr": f"{values['iqr']:g}",
        "n": values["n"],
    }


_FORMATS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {"figures": _format_figures}


def closing_reason(
    verdict: str,
    *,
    round_number: int,
    share_agree: float | None,
    share_disagree: float | None,
    median: float | None,
    iqr: float | None,
    n_valid: int,
    shortfall: OutcomeReason | None = None,
) -> OutcomeReason:
    """Why an item has its outcome when its round closes, with the figures behind it.

    :param verdict: ``include``, ``exclude`` or ``none``.
    :param round_number: the round that closed.
    :param share_agree: the item's share agree (None when nobody gave a valid rating).
    :param shortfall: why it has no verdict for want of valid ratings
        (:func:`too_few_valid_reason`), or None.
    """
    if share_agree is None:
        figures = OutcomeReason("no_valid_ratings")
    else:
        figures = OutcomeReason(
            "figures",
            {
                "share_agree": share_agree,
                "share_disagree": share_disagree,
                "median": median,
                "iqr": iqr,
                "n": n_valid,
            },
        )
    if shortfall is not None:
        return OutcomeReason(
            "no_verdict", {"round": round_number, "why": shortfall, "figures": figures}
        )
    key = {"include": "consensus_include", "exclude": "consensus_exclude"}
    return OutcomeReason(
        key.get(verdict, "no_consensus"), {"round": round_number, "figures": figures}
    )


def too_few_valid_reason(
    *, n_valid: int, n_responses: int, n_invited: int, valid_needed: int
) -> OutcomeReason:
    """An item with fewer valid ratings than the consensus rule needs for a verdict.

    :param n_valid: its valid ratings.
    :param n_responses: its answers, "no opinion" included.
    :param n_invited: the experts invited to its round (0 where the round had none).
    :param valid_needed: the valid ratings the rule needs.
    """
    values = {"valid": n_valid, "answers": n_responses, "needed": valid_needed}
    if n_invited >= n_responses and n_invited > 0:
        return OutcomeReason("too_few_valid_invited", {**values, "invited": n_invited})
    return OutcomeReason("too_few_valid", values)


def carried_reason(
    round_number: int,
    *,
    rerating: bool,
    reworded: bool,
    why: str,
    earlier: OutcomeReason,
) -> OutcomeReason:
    """An item carried to the next round, before its earlier reason.

    :param round_number: the round it is carried to.
    :param rerating: it had reached consensus and is rated again.
    :param reworded: its statement changed.
    :param why: the coordinator's words ("" for none).
    :param earlier: the reason recorded when its round closed.
    """
    key = "carried" + ("_rerating" if rerating else "") + ("_reworded" if reworded else "")
    step = OutcomeReason(key, {"round": round_number})
    if why:
        step = OutcomeReason("with_why", {"step": step, "why": words_reason(why)})
    return OutcomeReason("then", {"step": step, "earlier": earlier})


def dropped_reason(
    round_number: int, *, why: str, not_selected: bool, earlier: OutcomeReason
) -> OutcomeReason:
    """An item left out of the next round, before its earlier reason.

    :param round_number: the round it is not carried to.
    :param why: the coordinator's words ("" for none).
    :param not_selected: the coordinator carried selected items and not this one.
    :param earlier: the reason recorded when its round closed.
    """
    if why:
        because = words_reason(why)
    elif not_selected:
        because = OutcomeReason("not_selected", {"round": round_number})
    else:
        because = OutcomeReason("no_reason_given")
    step = OutcomeReason("dropped", {"round": round_number})
    return OutcomeReason(
        "then",
        {"step": OutcomeReason("with_why", {"step": step, "why": because}), "earlier": earlier},
    )


def words_reason(text: str) -> OutcomeReason:
    """The coordinator's own words, kept as written.

    :param text: what the coordinator wrote.
    """
    return OutcomeReason("words", {"text": text})


def stored_reason(english: str, stored_json: str | None) -> OutcomeReason:
    """The reason of a stored row: from its JSON, or its English when it has none.

    :param english: the row's ``outcome_reason``.
    :param stored_json: the row's ``outcome_reason_json`` (None before keys were stored).
    """
    reason = _read(stored_json)
    if reason is None or reason.english() != english:
        # before keys were stored, or a JSON that no longer says what the English says:
        # the English is the record
        return OutcomeReason("stored", {"text": english})
    return reason


def outcome_reason_shown(english: str, stored_json: str | None) -> object:
    """A stored reason for a page or report, in the current language.

    A row without a readable JSON shows its English, marked untranslated on a Chinese page.

    :param english: the row's ``outcome_reason``.
    :param stored_json: the row's ``outcome_reason_json``.
    """
    reason = stored_reason(english, stored_json)
    if reason.key == "stored":
        return localized(english, {})
    return reason.message()


def _read(stored_json: str | None) -> OutcomeReason | None:
    if not stored_json:
        return None
    try:
        return _from_data(json.loads(stored_json))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # unreadable (or a key from a newer version): the English is shown


def _from_data(data: Any) -> OutcomeReason:
    key, values = data["key"], data["values"]
    if key not in REASON_MESSAGES and key not in _PLAIN_KEYS:
        raise KeyError(key)
    return OutcomeReason(
        key,
        {
            name: _from_data(value) if isinstance(value, dict) else value
            for name, value in values.items()
        },
    )
