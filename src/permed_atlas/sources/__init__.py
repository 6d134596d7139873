"""Real data in: the OpenAlex snapshot (and, from the ``fetch`` commands, the APIs)."""

from permed_atlas.sources.errors import DownloadError, SnapshotError, SourceError
from permed_atlas.sources.snapshot_manifest import Manifest, Part, parse_manifest

__all__ = [
    "DownloadError",
    "Manifest",
    "Part",
    "SnapshotError",
    "SourceError",
    "parse_manifest",
]
