"""Getting real data from public sources: the OpenAlex API, PubMed's E-utilities and the
OpenAlex snapshot.

Each fetch or sync writes what it gets into the data directory as it arrives and can be
resumed; the landscape ingest then reads the files.
"""

from permed_atlas.sources.errors import (
    DownloadError,
    FetchError,
    FetchStateError,
    SnapshotError,
    SourceError,
)
from permed_atlas.sources.http import (
    IncompleteResponseError,
    RateLimiter,
    RetryingClient,
    RetryPolicy,
    parse_retry_after,
)
from permed_atlas.sources.models import FetchSummary
from permed_atlas.sources.openalex_api import OpenAlexQuery, fetch_openalex_pages
from permed_atlas.sources.pubmed_eutils import PubMedQuery, fetch_pubmed_batches
from permed_atlas.sources.snapshot_manifest import Manifest, Part, parse_manifest

__all__ = [
    "DownloadError",
    "FetchError",
    "FetchStateError",
    "FetchSummary",
    "IncompleteResponseError",
    "Manifest",
    "OpenAlexQuery",
    "Part",
    "PubMedQuery",
    "RateLimiter",
    "RetryPolicy",
    "RetryingClient",
    "SnapshotError",
    "SourceError",
    "fetch_openalex_pages",
    "fetch_pubmed_batches",
    "parse_manifest",
    "parse_retry_after",
]
