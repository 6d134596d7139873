"""Getting real data from public sources: the OpenAlex API and PubMed's E-utilities.

Each fetch writes what it gets into the data directory as it arrives and can be
resumed; the landscape ingest then reads the files.
"""

from permed_atlas.sources.errors import FetchError, FetchStateError, SourceError
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

__all__ = [
    "FetchError",
    "FetchStateError",
    "FetchSummary",
    "IncompleteResponseError",
    "OpenAlexQuery",
    "PubMedQuery",
    "RateLimiter",
    "RetryPolicy",
    "RetryingClient",
    "SourceError",
    "fetch_openalex_pages",
    "fetch_pubmed_batches",
    "parse_retry_after",
]
