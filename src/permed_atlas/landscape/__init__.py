"""The PM science and technology landscape: publications and patents, tagged and counted."""

from permed_atlas.landscape.errors import (
    IngestError,
    LandscapeError,
    RecordError,
    RegionError,
    TaggingRuleError,
)
from permed_atlas.landscape.models import Contributor, Institution, Term, Work

__all__ = [
    "Contributor",
    "IngestError",
    "Institution",
    "LandscapeError",
    "RecordError",
    "RegionError",
    "TaggingRuleError",
    "Term",
    "Work",
]
