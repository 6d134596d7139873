"""Read a stored English outcome reason back into its key and values (the delphi_0005 backfill).

Rows written before ``outcome_reason_json`` existed (delphi_0004) keep only their English. That
English was composed from the templates of :data:`~permed_atlas.delphi.reasons.REASON_MESSAGES`
in the shapes :mod:`permed_atlas.delphi.reasons` builds::

    reason  = closing | step "; " reason          (then: a step, then the earlier reason)
    closing = consensus_include | consensus_exclude | no_consensus   (round, figures)
    figures = figures (shares, median, IQR, n) | no_valid_ratings
    step    = carried* | carried* ": " words | dropped ": " (not_selected | no_reason_given | words)

:func:`parse_english_reason` tries every way the text splits into that shape, keeps the readings
whose English, composed again from the current templates, is the stored text exactly, and
returns the one reading, or None where there is none (English from older templates, a reason
written by hand) or more than one (a coordinator's words that themselves read as a reason).
None leaves the row as it was: shown as its English, marked untranslated on a Chinese page.

The figures come back as the English shows them: a share as its whole percentage (0.83 for
"83%"), so the reason renders the same in every language although the stored share was finer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from permed_atlas.delphi.reasons import REASON_MESSAGES, OutcomeReason, words_reason

__all__ = ["parse_english_reason"]

_CLOSING_KEYS = ("consensus_include", "consensus_exclude", "no_consensus")
_CARRIED_KEYS = ("carried", "carried_rerating", "carried_reworded", "carried_rerating_reworded")
_INT, _PERCENT, _NUMBER = r"\d+", r"\d+%", r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def parse_english_reason(text: str) -> OutcomeReason | None:
    """The one reason whose English is ``text`` under the current templates, else None.

    :param text: a row's stored ``outcome_reason``.
    """
    readings = {r.to_json(): r for r in _reasons(text) if r.english() == text}
    return next(iter(readings.values())) if len(readings) == 1 else None


@functools.cache
def _pattern(key: str, **groups: str) -> re.Pattern[str]:
    """The template of ``key`` as a regular expression, each placeholder a named group."""
    parts = _PLACEHOLDER.split(REASON_MESSAGES[key])
    # split() alternates literal text and placeholder names: literal, name, literal, ...
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>{groups.get(part, '.+')})"
        for index, part in enumerate(parts)
    )
    return re.compile(regex)


def _splits(text: str, key: str) -> Iterator[tuple[str, str]]:
    """Every (left, right) reading of ``text`` as the two-placeholder template of ``key``."""
    parts = _PLACEHOLDER.split(REASON_MESSAGES[key])
    if len(parts) != 5 or parts[0] or parts[4]:
        return  # a reworded template of another shape: nothing reads as it
    separator, start = parts[2], text.find(parts[2])
    while start > 0:
        yield text[:start], text[start + len(separator) :]
        start = text.find(separator, start + 1)


@functools.lru_cache(maxsize=4096)
def _reasons(text: str) -> tuple[OutcomeReason, ...]:
    found = list(_closings(text))
    for step_text, earlier_text in _splits(text, "then"):
        for step in _steps(step_text):
            found += [OutcomeReason("then", {"step": step, "earlier": earlier})
                      for earlier in _reasons(earlier_text)]  # fmt: skip
    return tuple(found)


def _closings(text: str) -> Iterator[OutcomeReason]:
    for key in _CLOSING_KEYS:
        match = _pattern(key, round=_INT).fullmatch(text)
        if match:
            for figures in _figures(match["figures"]):
                yield OutcomeReason(key, {"round": int(match["round"]), "figures": figures})


def _figures(text: str) -> Iterator[OutcomeReason]:
    if text == REASON_MESSAGES["no_valid_ratings"]:
        yield OutcomeReason("no_valid_ratings")
    pattern = _pattern("figures", agree=_PERCENT, disagree=_PERCENT, median=_NUMBER,
                       iqr=_NUMBER, n=_INT)  # fmt: skip
    match = pattern.fullmatch(text)
    if match:
        yield OutcomeReason(
            "figures",
            {
                "share_agree": int(match["agree"][:-1]) / 100,
                "share_disagree": int(match["disagree"][:-1]) / 100,
                "median": float(match["median"]),
                "iqr": float(match["iqr"]),
                "n": int(match["n"]),
            },
        )


def _steps(text: str) -> Iterator[OutcomeReason]:
    yield from _rounds(text, _CARRIED_KEYS)
    for step_text, why in _splits(text, "with_why"):
        for step in _rounds(step_text, (*_CARRIED_KEYS, "dropped")):
            # carried_reason writes the coordinator's words; dropped_reason may write a template
            reasons = _why_dropped(why) if step.key == "dropped" else [words_reason(why)]
            yield from (OutcomeReason("with_why", {"step": step, "why": r}) for r in reasons)


def _rounds(text: str, keys: tuple[str, ...]) -> Iterator[OutcomeReason]:
    for key in keys:
        match = _pattern(key, round=_INT).fullmatch(text)
        if match:
            yield OutcomeReason(key, {"round": int(match["round"])})


def _why_dropped(text: str) -> list[OutcomeReason]:
    # the code writes these two templates when the coordinator gave no words: read them so,
    # not as words that happen to say the same
    templates = list(_rounds(text, ("not_selected",)))
    if text == REASON_MESSAGES["no_reason_given"]:
        templates.append(OutcomeReason("no_reason_given"))
    return templates or [words_reason(text)]
