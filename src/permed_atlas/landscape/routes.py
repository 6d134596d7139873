"""The landscape's pages (/landscape/...) and their JSON twins (/api/v1/landscape/...).

Each route parses the request, makes one call to :mod:`permed_atlas.landscape.presenters`
and renders; the query string is the whole query, so every page is a shareable link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from permed_atlas.landscape.network_presenters import NetworkShape, network_file, network_public
from permed_atlas.landscape.presenters import (
    cached_dashboard,
    export_response,
    facet_choices,
    indicator_response,
    ingest_runs_public,
    query_pairs,
    resolve_facet_labels,
    search_page_public,
    work_or_move,
)
from permed_atlas.landscape.schemas import (
    DashboardPublic,
    IngestRunPublic,
    NetworkPublic,
    SearchResultPublic,
    WorkPublic,
)
from permed_atlas.landscape.search_query import MAX_PAGE_SIZE, SearchQuery
from permed_atlas.landscape.store.work_detail import MovedWork
from permed_atlas.web.deps import (
    CorpusDep,
    CorpusVersion,
    CurrentUser,
    SessionDep,
    SettingsDep,
    is_editor,
    render,
)
from permed_atlas.web.security import CSP_ALLOWING_EVAL
from permed_atlas.web.templating import templates

router = APIRouter(prefix="/landscape", tags=["landscape"], include_in_schema=False)
# The filter forms' autocomplete lists, for the templates that import the form macros.
templates.env.globals["landscape_facet_choices"] = lambda request: facet_choices(
    request.app.state.settings
)
api_router = APIRouter(prefix="/api/v1/landscape", tags=["landscape"])

_YEAR = r"^\d{0,4}$"
_BOOL = r"^(|yes|no|true|false)$"


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "true": True, "no": False, "false": False}.get((value or "").lower())


def _year(value: str | None) -> int | None:
    return int(value) if value else None


def search_params(
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=500, description="words in title or abstract")] = "",
    region: Annotated[
        list[str] | None, Query(max_length=20, description="region code(s) or names, e.g. EU27")
    ] = None,
    country: Annotated[
        list[str] | None,
        Query(max_length=50, description="country names or ISO 3166-1 alpha-2 codes"),
    ] = None,
    institution: Annotated[
        list[str] | None, Query(max_length=20, description="institution name(s)")
    ] = None,
    topic: Annotated[
        list[str] | None, Query(max_length=20, description="topic code(s) or labels")
    ] = None,
    year_from: Annotated[str | None, Query(pattern=_YEAR, description="first year")] = None,
    year_to: Annotated[str | None, Query(pattern=_YEAR, description="last year")] = None,
    kind: Annotated[str | None, Query(pattern=r"^(|publication|patent)$")] = None,
    eu_cn: Annotated[str | None, Query(pattern=_BOOL, description="EU–China collaboration")] = None,
    pm_relevant: Annotated[str | None, Query(pattern=_BOOL, description="PM-relevant")] = None,
    sort: Annotated[str, Query(pattern=r"^(relevance|year|year_asc|citations)$")] = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> SearchQuery:
    """The search query of the request's query string (shared by pages, API and exports)."""
    query = SearchQuery(
        text=q,
        regions=tuple(v for v in region or () if v),
        countries=tuple(v for v in country or () if v),
        institutions=tuple(v for v in institution or () if v),
        topics=tuple(v for v in topic or () if v),
        year_from=_year(year_from),
        year_to=_year(year_to),
        kind=kind or None,
        eu_cn=_flag(eu_cn),
        pm_relevant=_flag(pm_relevant),
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return resolve_facet_labels(settings, query).validated()


SearchParams = Annotated[SearchQuery, Depends(search_params)]


def filter_params(
    settings: SettingsDep,
    region: Annotated[str | None, Query(max_length=80, description="region code or name")] = None,
    country: Annotated[
        str | None, Query(max_length=80, description="country name or ISO alpha-2 code")
    ] = None,
    institution: Annotated[str | None, Query(max_length=300)] = None,
    topic: Annotated[str | None, Query(max_length=80, description="topic code or label")] = None,
    year_from: Annotated[str | None, Query(pattern=_YEAR)] = None,
    year_to: Annotated[str | None, Query(pattern=_YEAR)] = None,
    kind: Annotated[str | None, Query(pattern=r"^(|publication|patent)$")] = None,
    eu_cn: Annotated[str | None, Query(pattern=_BOOL)] = None,
    pm_relevant: Annotated[str | None, Query(pattern=_BOOL)] = None,
) -> SearchQuery:
    """Single-valued facets for the dashboard and network (validated like search facets)."""
    query = SearchQuery(
        regions=(region,) if region else (),
        countries=(country,) if country else (),
        institutions=(institution,) if institution else (),
        topics=(topic,) if topic else (),
        year_from=_year(year_from),
        year_to=_year(year_to),
        kind=kind or None,
        eu_cn=_flag(eu_cn),
        pm_relevant=_flag(pm_relevant),
    )
    return resolve_facet_labels(settings, query).validated()


FilterParams = Annotated[SearchQuery, Depends(filter_params)]


Level = Annotated[str, Query(pattern=r"^(country|institution)$")]
MaxNodes = Annotated[int, Query(ge=2, le=1000)]
MinWeight = Annotated[int, Query(ge=1, le=1_000_000)]


def network_shape(
    level: Level = "country", max_nodes: MaxNodes = 100, min_weight: MinWeight = 1
) -> NetworkShape:
    """The map's level, size and lightest edge, as its page, JSON and files all take them."""
    return NetworkShape(level=level, max_nodes=max_nodes, min_weight=min_weight)


NetworkParams = Annotated[NetworkShape, Depends(network_shape)]
WorkId = Annotated[
    str,
    PathParam(
        pattern=r"^([1-9]\d{0,17}|[Ww]\d{1,18})$",
        description="the corpus's work id, or an OpenAlex work id (W…)",
    ),
]
PROVENANCE_RUNS = 5  # the latest ingests and syncs the dashboard lists
# A work OpenAlex merged into another has moved for good: old links and bookmarks follow.
MOVED = 301
Regions = Annotated[list[str] | None, Query(max_length=20)]
Route = TypeVar("Route", bound=Callable[..., Any])


def _file_export(path: str, *media_types: str) -> Callable[[Route], Route]:
    """The decorator of a JSON-API route answering with a file of one of ``media_types``."""
    content: dict[str, Any] = {media_type: {} for media_type in media_types}
    return api_router.get(path, response_class=Response, responses={200: {"content": content}})


# ---- pages ------------------------------------------------------------------------------------


@router.get("/")
def landscape_home() -> Response:
    return RedirectResponse("/landscape/search", status_code=307)


@router.get("/search")
def search_page(
    request: Request, settings: SettingsDep, corpus: CorpusDep, query: SearchParams
) -> Response:
    result = search_page_public(settings, corpus, query)
    return render(request, "landscape/search.html", {"result": result})


@router.get("/search.csv")
def search_csv(corpus: CorpusDep, query: SearchParams) -> Response:
    return export_response(corpus, query, "csv")


@router.get("/search.parquet")
def search_parquet(corpus: CorpusDep, query: SearchParams) -> Response:
    return export_response(corpus, query, "parquet")


@router.get("/works/{work_id}")
def work_page(
    request: Request, settings: SettingsDep, corpus: CorpusDep, work_id: WorkId
) -> Response:
    found = work_or_move(settings, corpus, work_id)
    if isinstance(found, MovedWork):
        return RedirectResponse(f"/landscape/works/{found.openalex_id}", status_code=MOVED)
    return render(request, "landscape/work.html", {"w": found})


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    user: CurrentUser,
    corpus: CorpusDep,
    version: CorpusVersion,
    query: FilterParams,
    regions: Regions = None,
) -> Response:
    dashboard = cached_dashboard(settings, version, corpus, query, regions)
    response = render(
        request,
        "landscape/dashboard.html",
        {
            "dashboard": dashboard,
            "filter_qs": urlencode(query_pairs(query, paged=False)),
            # Where the numbers come from: the platform database's record, not the corpus.
            "runs": ingest_runs_public(session, limit=PROVENANCE_RUNS, full=is_editor(user)),
        },
    )
    # Vega compiles chart expressions with Function(): this page alone may evaluate
    response.headers["Content-Security-Policy"] = CSP_ALLOWING_EVAL
    return response


@router.get("/network")
def network_page(
    request: Request,
    settings: SettingsDep,
    corpus: CorpusDep,
    shape: NetworkParams,
    query: FilterParams,
) -> Response:
    network = network_public(settings, corpus, query, shape)
    return render(request, "landscape/network.html", {"network": network})


# ---- JSON twins -------------------------------------------------------------------------------


@api_router.get("/search", response_model=SearchResultPublic)
def search_json(
    settings: SettingsDep, corpus: CorpusDep, query: SearchParams
) -> SearchResultPublic:
    """Full-text search with facets; facet counts are those of the whole result."""
    return search_page_public(settings, corpus, query)


@_file_export("/search/export", "text/csv", "application/vnd.apache.parquet")
def search_export(
    corpus: CorpusDep,
    query: SearchParams,
    format: Annotated[str, Query(pattern=r"^(csv|parquet)$")] = "csv",
) -> Response:
    """Every work of the result (up to 100,000) as CSV or Parquet."""
    return export_response(corpus, query, format)


@api_router.get(
    "/works/{work_id}",
    response_model=WorkPublic,
    responses={MOVED: {"description": "merged by OpenAlex into the work at Location"}},
)
def work_json(settings: SettingsDep, corpus: CorpusDep, work_id: WorkId) -> Any:
    """One work: all fields, contributors with institutions and countries, tags and why.

    ``work_id`` is the corpus's id or an OpenAlex id; a work OpenAlex merged into another
    answers 301 to the surviving work.
    """
    found = work_or_move(settings, corpus, work_id)
    if isinstance(found, MovedWork):
        return RedirectResponse(f"/api/v1/landscape/works/{found.openalex_id}", status_code=MOVED)
    return found


@api_router.get("/dashboard", response_model=DashboardPublic)
def dashboard_json(
    settings: SettingsDep,
    corpus: CorpusDep,
    version: CorpusVersion,
    query: FilterParams,
    regions: Regions = None,
) -> DashboardPublic:
    """Every indicator for the facets, with a Vega-Lite spec per chart."""
    return cached_dashboard(settings, version, corpus, query, regions)


@api_router.get(
    "/dashboard/{indicator}",
    # Each indicator has its own columns; their values are typed, and ?format=csv is a file.
    response_model=list[dict[str, str | int | float | bool | None]],
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def indicator_json(
    settings: SettingsDep,
    corpus: CorpusDep,
    version: CorpusVersion,
    query: FilterParams,
    indicator: Annotated[str, PathParam(pattern=r"^[a-z_]{1,40}$")],
    format: Annotated[str, Query(pattern=r"^(json|csv)$")] = "json",
    regions: Regions = None,
) -> Any:
    """One indicator's table, as JSON rows or CSV."""
    return indicator_response(settings, version, corpus, query, indicator, format, regions)


@api_router.get("/runs", response_model=list[IngestRunPublic])
def runs_json(
    session: SessionDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 20
) -> list[IngestRunPublic]:
    """The latest ingests and syncs, newest first (as ``permed ingest runs`` lists them).

    Editors get the server's paths and failure messages; others the file names only."""
    return ingest_runs_public(session, limit=limit, full=is_editor(user))


@api_router.get("/network", response_model=NetworkPublic)
def network_json(
    settings: SettingsDep,
    corpus: CorpusDep,
    shape: NetworkParams,
    query: FilterParams,
) -> NetworkPublic:
    """The country or institution collaboration network (edges weighted by shared works)."""
    return network_public(settings, corpus, query, shape)


@_file_export("/network/export", "application/gexf+xml", "application/zip")
def network_export(
    corpus: CorpusDep,
    query: FilterParams,
    level: Level = "country",
    max_nodes: MaxNodes = 100,
    min_weight: MinWeight = 1,
    format: Annotated[str, Query(pattern=r"^(gexf|vosviewer)$")] = "gexf",
) -> Response:
    """The network as GEXF (Gephi) or VOSviewer map and network files (zip)."""
    # Its own parameters, not NetworkParams, keep `format` after the others in the API schema.
    shape = NetworkShape(level=level, max_nodes=max_nodes, min_weight=min_weight)
    return network_file(corpus, query, shape, format)
