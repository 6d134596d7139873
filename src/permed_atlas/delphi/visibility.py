"""Pure: who may see a Delphi study's results, and when (the anonymity policy).

While a round is open its figures change with every save, so anyone who may see
them can recover one expert's ratings by comparing two snapshots. Hence:

- coordinators (editors) see every round's figures at any time;
- experts see the controlled feedback of a *closed* round beside the next round's
  items, behind their personal link (see :mod:`.feedback`), and nothing else;
- everyone else sees figures only of closed rounds of a study its coordinators have
  published; never those of an open or draft round;
- region groups smaller than the ``min_group_size`` setting are never shown
  (:func:`suppress_small_groups` in :mod:`.consensus`).
"""

from __future__ import annotations

from permed_atlas.delphi.errors import ResultsNotPublishedError
from permed_atlas.delphi.models import Round, Study
from permed_atlas.i18n import Message, lazy_gettext

_STATUS_WORDS = {"draft": lazy_gettext("draft"), "open": lazy_gettext("open")}


def round_results_visible(study: Study, round_: Round, *, coordinator: bool) -> bool:
    """Whether a viewer may see a round's distributions, statistics and verdicts.

    :param study: the round's study.
    :param round_: the round.
    :param coordinator: the viewer coordinates the study (an editor).
    """
    if coordinator:
        return True
    return study.published and round_.status == "closed"


def study_results_visible(study: Study, *, coordinator: bool) -> bool:
    """Whether a viewer may see a study's reports, statistics exports and synthesis.

    :param study: the study.
    :param coordinator: the viewer coordinates the study (an editor).
    """
    return coordinator or study.published


def require_study_results(study: Study, *, coordinator: bool) -> None:
    """Raise :class:`ResultsNotPublishedError` unless the viewer may see the study's results.

    :param study: the study.
    :param coordinator: the viewer coordinates the study (an editor).
    """
    if not study_results_visible(study, coordinator=coordinator):
        raise ResultsNotPublishedError(
            Message(
                "the results of study %(slug)s are not published yet; its "
                "coordinators publish them when the study ends",
                slug=repr(study.slug),
            )
        )


def hidden_reason(study: Study, round_: Round) -> str:
    """Why a round's figures are not shown to a viewer who is not a coordinator."""
    if round_.status != "closed":
        return Message(
            "Round %(number)s is %(status)s: its ratings stay confidential while experts can "
            "still answer; only the study's coordinators see figures.",
            number=round_.number,
            status=_STATUS_WORDS.get(round_.status, round_.status),
        )
    return Message(
        "The coordinators have not published this study's results yet; experts see the "
        "group feedback beside the next round's items."
    )
