"""Multi-step landscape operations the CLI, the web app and ``permed demo`` share.

- :func:`run_ingest`: ingest files → record each run → tag → index → publish a snapshot.
- :func:`complete_corpus`: tag what is untagged and rebuild a stale index.
- :func:`complete_and_publish`: the web app's upkeep (complete, then publish if changed).
- :func:`tagged_corpus`: a read-only connection after tagging what is untagged.
- :func:`retag_and_publish`: ``permed tag``.
- :func:`recorded_run`: a sync recorded in ``ingest_run`` from start to end;
  :func:`latest_ingest_runs`: ``permed ingest runs``.
"""

from permed_atlas.landscape.service.ingest import run_ingest
from permed_atlas.landscape.service.runs import latest_ingest_runs, recorded_run
from permed_atlas.landscape.service.upkeep import (
    Completion,
    complete_and_publish,
    complete_corpus,
    retag_and_publish,
    tagged_corpus,
)

__all__ = [
    "Completion",
    "complete_and_publish",
    "complete_corpus",
    "latest_ingest_runs",
    "recorded_run",
    "retag_and_publish",
    "run_ingest",
    "tagged_corpus",
]
