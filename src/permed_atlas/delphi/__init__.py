"""Delphi consensus surveys: studies, panels, rounds, ratings, consensus statistics, synthesis.

Other capabilities use the names below only; the roadmap reads :func:`list_actions`.
"""

from permed_atlas.delphi.consensus import summarise_ratings
from permed_atlas.delphi.demo import load_demo_study
from permed_atlas.delphi.errors import (
    DelphiError,
    DuplicateSubmissionError,
    InvalidTokenError,
    PanelFileError,
    RatingError,
    RoundClosedError,
    RoundStateError,
    StudyFileError,
    StudyNotFoundError,
)
from permed_atlas.delphi.models import (
    Action,
    ConsensusRule,
    Expert,
    Item,
    ItemSummary,
    Round,
    Study,
    Subtopic,
    Survey,
)
from permed_atlas.delphi.reason_parsing import parse_english_reason
from permed_atlas.delphi.store import get_study, list_actions, list_studies, list_subtopics

__all__ = [
    "Action",
    "ConsensusRule",
    "DelphiError",
    "DuplicateSubmissionError",
    "Expert",
    "InvalidTokenError",
    "Item",
    "ItemSummary",
    "PanelFileError",
    "RatingError",
    "Round",
    "RoundClosedError",
    "RoundStateError",
    "Study",
    "StudyFileError",
    "StudyNotFoundError",
    "Subtopic",
    "Survey",
    "get_study",
    "list_actions",
    "list_studies",
    "list_subtopics",
    "load_demo_study",
    "parse_english_reason",
    "summarise_ratings",
]
