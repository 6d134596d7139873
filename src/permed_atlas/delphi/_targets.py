"""The audit log's names of a Delphi study and round (``delphi_study:12``, ``delphi_round:3``).

Spelled once for the web forms, the JSON API and the CLI, so that a record's history is
found under one target whichever way it was changed.
"""

from __future__ import annotations


def study_target(study_id: int) -> str:
    """The audit target of a study, e.g. ``delphi_study:12``."""
    return f"delphi_study:{study_id}"


def round_target(round_id: int) -> str:
    """The audit target of a round, e.g. ``delphi_round:3``."""
    return f"delphi_round:{round_id}"
