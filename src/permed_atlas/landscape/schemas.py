"""Pydantic I/O of the landscape's JSON API (the web edge's view of the core records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from permed_atlas.api_schemas import schema_of
from permed_atlas.landscape.search_query import SearchHit
from permed_atlas.landscape.store.work_detail import AffiliationView, ContributorView


class FacetValuePublic(BaseModel):
    value: str
    label: str
    count: int
    selected: bool


# A search hit and a work's contributors are their core records as plain data, so their models
# take the records' fields (a hit adds its links).
SearchHitPublic = schema_of(
    SearchHit,
    name="SearchHitPublic",
    base=BaseModel,
    fields={
        "url": (str, Field(description="the work's page")),
        "api_url": (str, Field(description="the work's JSON")),
    },
)


class SearchQueryPublic(BaseModel):
    q: str
    region: list[str]
    country: list[str]
    institution: list[str]
    topic: list[str]
    year_from: int | None
    year_to: int | None
    kind: str | None
    eu_cn: bool | None
    pm_relevant: bool | None
    sort: str
    page: int
    page_size: int


class SearchResultPublic(BaseModel):
    query: SearchQueryPublic
    total: int
    pages: int
    terms: list[str] = Field(description="the index terms the text was split into")
    hits: list[SearchHitPublic]  # type: ignore[valid-type]
    facets: dict[str, list[FacetValuePublic]]
    links: dict[str, str] = Field(description="this result as a page, CSV and Parquet")


AffiliationPublic = schema_of(AffiliationView, name="AffiliationPublic", base=BaseModel)
ContributorPublic = schema_of(
    ContributorView,
    name="ContributorPublic",
    base=BaseModel,
    nested={AffiliationView: AffiliationPublic},
)


class TopicTagPublic(BaseModel):
    topic: str
    label: str
    rule_id: str


class LinkPublic(BaseModel):
    label: str
    url: str


class WorkPublic(BaseModel):
    work: dict[str, Any] = Field(description="every stored field of the work")
    contributors: list[ContributorPublic]  # type: ignore[valid-type]
    terms: dict[str, list[str]]
    countries: list[str]
    regions: list[str]
    topics: list[TopicTagPublic]
    pm_relevant: bool | None
    eu_cn: bool | None
    synthetic: bool = Field(
        description="written by the demo generator: its identifiers are invented, so no links out"
    )
    links: list[LinkPublic]
    explanation: dict[str, Any] | None = Field(
        description="why the work has its tags (countries with evidence, rules that fired)"
    )


class IndicatorTablePublic(BaseModel):
    name: str
    title: str
    rows: list[dict[str, Any]]
    csv_url: str


class DashboardPublic(BaseModel):
    filter: dict[str, Any]
    regions: list[str]
    region_labels: dict[str, str] = Field(description="region code -> name, as the search shows")
    country_labels: dict[str, str] = Field(description="country code -> name, for the tables")
    indicators: dict[str, IndicatorTablePublic]
    charts: dict[str, dict[str, Any]] = Field(description="Vega-Lite specs, one per chart")
    small_base: int = Field(description="a share of fewer works than this is marked as small")
    chart_notes: dict[str, list[str]] = Field(
        description="per chart, what a reader must know: a hidden share and why, small bases"
    )


class NetworkNodePublic(BaseModel):
    id: str
    label: str
    country: str
    works: int
    cluster: int
    side: str = Field(description="EU27 or CN when the node's country is in it, else empty")
    side_colour: str
    cluster_colour: str


class NetworkEdgePublic(BaseModel):
    source: str
    target: str
    weight: int


class NetworkSidePublic(BaseModel):
    key: str
    label: str
    colour: str
    nodes: int


class NetworkClusterPublic(BaseModel):
    cluster: int
    colour: str
    nodes: int
    top: list[str] = Field(description="its largest members")


class NetworkLegendPublic(BaseModel):
    sides: list[NetworkSidePublic]
    clusters: list[NetworkClusterPublic]


class NetworkPublic(BaseModel):
    level: str
    filter: dict[str, Any]
    max_nodes: int
    min_weight: int
    regions: list[str] = Field(description="the region codes the corpus is tagged with")
    region_labels: dict[str, str]
    nodes: list[NetworkNodePublic]
    edges: list[NetworkEdgePublic]
    legend: NetworkLegendPublic
    notes: list[str] = Field(
        default_factory=list, description="what the map cannot show: nodes without a link"
    )
    downloads: dict[str, str]


class IngestRunPublic(BaseModel):
    """One recorded ingest (a file) or sync (many files): where the corpus's works came from."""

    id: int
    source: str = Field(description="openalex, pubmed, patents or openalex-snapshot")
    path: str = Field(
        description="the file read, or a sync's destination folder: the server's path for "
        "editors, its last part for everyone else"
    )
    status: str = Field(description="running, finished or failed")
    message: str | None = Field(description="why a run failed (shown to editors only)")
    started_at: datetime
    finished_at: datetime | None
    files: int
    read: int
    stored: int = Field(description="records that added a work or changed one")
    updated: int = Field(description="of those, records that changed a work already stored")
    duplicates: int
    rejected: int
    removed: int = Field(description="works withdrawn or merged away")
