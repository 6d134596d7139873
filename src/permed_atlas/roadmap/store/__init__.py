"""The roadmap's tables: each function takes a Session (the caller owns the transaction)
and returns models; all of the roadmap's SQL is here.

Every write of a roadmap or indicator is audited with ``permed_atlas.accounts.record_audit``;
observations are audited by :mod:`permed_atlas.roadmap.monitoring`, which checks them first.
A whole file (roadmap or observations) is checked before anything is added, so a bad file
leaves the database as it was.
"""

from permed_atlas.roadmap.store.observations import (
    add_observations,
    find_observation,
    list_observations,
    observations_by_indicator,
)
from permed_atlas.roadmap.store.roadmaps import (
    BUNDLED_DIR,
    DATA_DIR,
    DEMO_LABEL,
    DEMO_OBSERVATIONS,
    create_indicator,
    create_roadmap,
    get_indicator,
    get_roadmap,
    import_roadmap,
    list_indicators,
    list_roadmaps,
    load_bundled_roadmaps,
    read_roadmap_text,
)
from permed_atlas.roadmap.store.rows import (
    utcnow,
)

__all__ = [
    "BUNDLED_DIR",
    "DATA_DIR",
    "DEMO_LABEL",
    "DEMO_OBSERVATIONS",
    "add_observations",
    "create_indicator",
    "create_roadmap",
    "find_observation",
    "get_indicator",
    "get_roadmap",
    "import_roadmap",
    "list_indicators",
    "list_observations",
    "list_roadmaps",
    "load_bundled_roadmaps",
    "observations_by_indicator",
    "read_roadmap_text",
    "utcnow",
]
