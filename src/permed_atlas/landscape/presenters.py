"""What the landscape's pages and JSON twins show, built from the core and store results.

The routes parse the request and call one function here; these functions call the
search, indicators, network and explain modules and shape their results as the
pydantic schemas (and files) the edge returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading
from collections import OrderedDict
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlencode

import pycountry
from starlette.responses import Response

from permed_atlas.countries import localized_country_name, resolve_country
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import current_language, gettext, localized, require_one_of
from permed_atlas.landscape.charts import INDICATOR_TITLES, SMALL_BASE, ChartLabels, build_charts
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.indicator_models import indicator_columns
from permed_atlas.landscape.ingest.runs import list_ingest_runs
from permed_atlas.landscape.regions import load_region_sets, user_regions_dir
from permed_atlas.landscape.schemas import (
    DashboardPublic,
    IngestRunPublic,
    SearchResultPublic,
    WorkPublic,
)
from permed_atlas.landscape.search_query import SearchQuery, SearchResult
from permed_atlas.landscape.store.explain import explain_work
from permed_atlas.landscape.store.indicators import (
    LandscapeFilter,
    compute_indicators,
    tagged_regions,
)
from permed_atlas.landscape.store.search import check_facet_values, export_search, search_works
from permed_atlas.landscape.store.work_detail import (
    MovedWork,
    load_work_detail,
    locate_work,
)
from permed_atlas.landscape.topics import load_rules
from permed_atlas.settings import Settings
from permed_atlas.spreadsheet import SafeDictWriter
from permed_atlas.web.deps import attachment

DASHBOARD_CACHE_SIZE = 64
_dashboard_cache: OrderedDict[tuple[Any, ...], DashboardPublic] = OrderedDict()
_dashboard_lock = threading.Lock()


def _first(values: tuple[str, ...]) -> str | None:
    return values[0] if values else None


def landscape_filter(corpus: Any, query: SearchQuery, *, indexed: bool = True) -> LandscapeFilter:
    """The indicators' filter for single-valued facets, after checking the values exist.

    :param indexed: False for a corpus whose search index may lag its tags (the CLI's).
    """
    check_facet_values(corpus, query, indexed=indexed)
    return filter_of(query)


def filter_of(query: SearchQuery) -> LandscapeFilter:
    """The indicators' filter for a query's single-valued facets (the first of each).

    :param query: a query whose facet labels are resolved to codes.
    """
    first = _first
    return LandscapeFilter(
        region=first(query.regions),
        country=first(query.countries),
        institution=first(query.institutions),
        topic=first(query.topics),
        year_from=query.year_from,
        year_to=query.year_to,
        kind=query.kind,
        eu_cn=query.eu_cn,
        pm_relevant=query.pm_relevant,
    )


def query_pairs(query: SearchQuery, *, paged: bool = True) -> list[tuple[str, str]]:
    """The query string pairs that reproduce ``query`` (stable, shareable URLs)."""
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for name, values in (
        ("region", query.regions),
        ("country", query.countries),
        ("institution", query.institutions),
        ("topic", query.topics),
    ):
        pairs.extend((name, v) for v in values)
    for name, value in (
        ("year_from", query.year_from),
        ("year_to", query.year_to),
        ("kind", query.kind),
    ):
        if value is not None:
            pairs.append((name, str(value)))
    for name, flag in (("eu_cn", query.eu_cn), ("pm_relevant", query.pm_relevant)):
        if flag is not None:
            pairs.append((name, "yes" if flag else "no"))
    if query.sort != "relevance":
        pairs.append(("sort", query.sort))
    if paged:
        if query.page != 1:
            pairs.append(("page", str(query.page)))
        if query.page_size != 20:
            pairs.append(("page_size", str(query.page_size)))
    return pairs


@lru_cache(maxsize=16)
def _tagging_inputs_for(
    data_dir: str, include_hk_mo: bool, user_regions_stamp: float
) -> tuple[dict[str, Any], Any]:
    settings = Settings(data_dir=Path(data_dir), include_hk_mo_in_china=include_hk_mo)
    return load_region_sets(settings), load_rules()


def tagging_inputs(settings: Settings) -> tuple[dict[str, Any], Any]:
    """The region sets and topic rules tagging uses, read once per change of the user's regions."""
    folder = user_regions_dir(settings)
    stamp = folder.stat().st_mtime if folder.is_dir() else 0.0
    return _tagging_inputs_for(str(settings.data_dir), settings.include_hk_mo_in_china, stamp)


def _labels_for(settings: Settings, *, language: str | None = None) -> dict[str, dict[str, str]]:
    """Region names and topic labels in ``language`` (the current one when None); a missing
    translation gives the English name."""
    try:
        regions, rules = tagging_inputs(settings)
    except LandscapeError:
        return {"region": {}, "topic": {}}
    return {
        "region": {
            code: str(localized(r.name, {"zh": r.name_zh}, language=language))
            for code, r in regions.items()
        },
        "topic": {
            t.code: str(localized(t.label, {"zh": t.label_zh}, language=language))
            for t in rules.topics
        },
    }


def _country_label(code: str) -> str:
    """A country's name in the current language (its code when unknown)."""
    return str(localized_country_name(code)) or code


def facet_choices(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """(code, human label) pairs the filter forms offer for autocomplete, by dimension."""
    labels = _labels_for(settings)
    return {
        "country": [(code, name) for name, code in _country_names(current_language())],
        "topic": sorted(labels["topic"].items(), key=lambda pair: pair[1].casefold()),
        "region": sorted(labels["region"].items(), key=lambda pair: pair[1].casefold()),
    }


@lru_cache(maxsize=4)
def _country_names(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (str(localized_country_name(c.alpha_2, language=language)), str(c.alpha_2))
            for c in pycountry.countries
        )
    )


def resolve_facet_labels(settings: Settings, query: SearchQuery) -> SearchQuery:
    """``query`` with facet values given as people write them turned into codes.

    The search page shows "Pharmacogenomics", "Germany" and "EU-27"; a user who types those
    back (or follows a link that holds them) means the codes behind them. A region or topic
    that is neither a code nor a label is left as it is, for the facet check to name; an
    unknown country is refused here, with the nearest names.

    :param settings: for the region and topic labels.
    :param query: a parsed query.
    """
    labels = _labels_for(settings)
    # A label typed back may be the English one or the one the page showed (Chinese).
    by_label = {
        dimension: {label.casefold(): code for code, label in pairs.items()}
        for dimension, pairs in _labels_for(settings, language="en").items()
    }
    for dimension, pairs in labels.items():
        by_label[dimension].update({label.casefold(): code for code, label in pairs.items()})

    def resolve(dimension: str, value: str) -> str:
        if dimension == "country":
            return resolve_country(value, field="country")
        if value in labels.get(dimension, {}):
            return value
        return by_label.get(dimension, {}).get(value.strip().casefold(), value)

    return replace(
        query,
        regions=tuple(resolve("region", v) for v in query.regions),
        countries=tuple(resolve("country", v) for v in query.countries),
        topics=tuple(resolve("topic", v) for v in query.topics),
    )


def facet_label(settings: Settings, dimension: str, value: str) -> str:
    """A human label for a facet value (country and region names, topic labels)."""
    if dimension == "country":
        return _country_label(value)
    if dimension in {"kind"}:
        return gettext(value) if value in {"publication", "patent"} else value
    if dimension in {"eu_cn", "pm_relevant"}:
        return {"true": gettext("yes"), "false": gettext("no")}.get(value, value)
    return _labels_for(settings).get(dimension, {}).get(value, value)


def _export_url(query_string: str, fmt: str) -> str:
    joined = f"{query_string}&format={fmt}" if query_string else f"format={fmt}"
    return f"/api/v1/landscape/search/export?{joined}"


def search_public(settings: Settings, result: SearchResult) -> SearchResultPublic:
    query = result.query
    qs = urlencode(query_pairs(query))
    export_qs = urlencode(query_pairs(query, paged=False))
    return SearchResultPublic.model_validate(
        {
            "query": {
                "q": query.text,
                "region": list(query.regions),
                "country": list(query.countries),
                "institution": list(query.institutions),
                "topic": list(query.topics),
                "year_from": query.year_from,
                "year_to": query.year_to,
                "kind": query.kind,
                "eu_cn": query.eu_cn,
                "pm_relevant": query.pm_relevant,
                "sort": query.sort,
                "page": query.page,
                "page_size": query.page_size,
            },
            "total": result.total,
            "pages": result.pages,
            "terms": list(result.terms),
            "hits": [
                dataclasses.asdict(hit)
                | {
                    "url": f"/landscape/works/{hit.work_id}",
                    "api_url": f"/api/v1/landscape/works/{hit.work_id}",
                }
                for hit in result.hits
            ],
            "facets": {
                dim: [
                    {
                        "value": f.value,
                        "label": facet_label(settings, dim, f.value),
                        "count": f.count,
                        "selected": f.selected,
                    }
                    for f in values
                ]
                for dim, values in result.facets.items()
            },
            "links": {
                "html": f"/landscape/search?{qs}",
                "self": f"/api/v1/landscape/search?{qs}",
                "csv": _export_url(export_qs, "csv"),
                "parquet": _export_url(export_qs, "parquet"),
            },
        }
    )


def export_response(corpus: Any, query: SearchQuery, fmt: str) -> Response:
    data, rows, total = export_search(corpus, query, format=fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.apache.parquet"
    headers = {
        **attachment(f"permed-atlas-search.{fmt}"),
        "X-Total-Count": str(total),
        "X-Exported-Count": str(rows),
    }
    if rows < total:
        headers["X-Export-Truncated"] = "true"
    return Response(content=data, media_type=media, headers=headers)


def ingest_runs_public(session: Any, *, limit: int, full: bool) -> list[IngestRunPublic]:
    """The latest recorded ingests and syncs, newest first.

    :param full: give the server's paths and failure messages (editors); otherwise only
        the file's or folder's own name, and no message: a visitor learns where the works
        came from, not how the server's disk is laid out or what its errors say.
    """
    runs = [dataclasses.asdict(run) for run in list_ingest_runs(session, limit=limit)]
    if not full:
        for run in runs:
            run["path"] = PurePath(run["path"]).name
            run["message"] = None
    return [IngestRunPublic.model_validate(run) for run in runs]


def work_or_move(settings: Settings, corpus: Any, reference: str) -> WorkPublic | MovedWork:
    """The work a link names (corpus id or OpenAlex id), or where OpenAlex merged it into."""
    found = locate_work(corpus, reference)
    return found if isinstance(found, MovedWork) else work_public(settings, corpus, found)


def work_public(settings: Settings, corpus: Any, work_id: int) -> WorkPublic:
    detail = load_work_detail(corpus, work_id)
    explanation: dict[str, Any] | None = None
    try:
        regions, rules = tagging_inputs(settings)
        explained = explain_work(corpus, work_id, regions=regions, rules=rules)
        explanation = dataclasses.asdict(explained)
        # Names for people follow the language, as the facets' labels do; codes stay.
        for hit in explanation["hits"]:
            hit["topic_label"] = facet_label(settings, "topic", hit["topic"])
        for country in explanation["countries"]:
            country["country_name"] = _country_label(country["country_code"])
    except LandscapeError:
        explanation = None  # an unreadable rule or region file must not hide the work itself
    fields = {k: (list(v) if isinstance(v, tuple) else v) for k, v in detail.fields.items()}
    return WorkPublic.model_validate(
        {
            "work": fields,
            "contributors": [dataclasses.asdict(c) for c in detail.contributors],
            "terms": {k: list(v) for k, v in detail.terms.items()},
            "countries": list(detail.countries),
            "regions": list(detail.regions),
            "topics": [
                {"topic": topic, "label": facet_label(settings, "topic", topic), "rule_id": rule}
                for topic, rule in detail.topics
            ],
            "pm_relevant": detail.pm_relevant,
            "eu_cn": detail.eu_cn,
            "synthetic": detail.synthetic,
            "links": [dataclasses.asdict(link) for link in detail.links],
            "explanation": explanation,
        }
    )


def chart_labels(settings: Settings, tables: dict[str, list[dict[str, Any]]]) -> ChartLabels:
    """The search page's facet labels for the codes the indicator tables hold."""
    labels = _labels_for(settings)
    codes = {
        str(row["country_code"])
        for name in ("countries", "institutions")
        for row in tables.get(name, [])
        if row.get("country_code")
    } | {str(code) for row in tables.get("top_cited", []) for code in row.get("countries") or ()}
    return ChartLabels(
        regions=labels["region"],
        topics=labels["topic"],
        countries={code: _country_label(code) for code in codes},
    )


def dashboard_public(
    settings: Settings,
    corpus: Any,
    query: SearchQuery,
    regions: list[str] | None,
    *,
    current_year: int | None = None,
) -> DashboardPublic:
    flt = landscape_filter(corpus, query)
    known = tagged_regions(corpus)
    for region in regions or ():
        require_one_of(
            "unknown region %(value)s; the corpus is tagged with %(options)s",
            value=region,
            key=region.upper(),
            options=known,
            error=partial(InvalidInputError, field="regions"),
        )
    indicators = compute_indicators(corpus, flt, regions=regions or None)
    tables = indicators.tables()
    filter_qs = urlencode(query_pairs(query, paged=False))
    labels = chart_labels(settings, tables)
    charts = build_charts(
        tables,
        regions=indicators.regions,
        labels=labels,
        flt=flt,
        current_year=current_year or dt.datetime.now(dt.UTC).year,
        all_regions=known,
    )
    return DashboardPublic.model_validate(
        {
            "filter": dataclasses.asdict(flt),
            "regions": list(indicators.regions),
            "region_labels": {code: labels.region(code) for code in indicators.regions},
            "country_labels": dict(labels.countries),
            "indicators": {
                name: {
                    "name": name,
                    "title": INDICATOR_TITLES.get(name, name),
                    "rows": rows,
                    "csv_url": f"/api/v1/landscape/dashboard/{name}?format=csv"
                    + (f"&{filter_qs}" if filter_qs else ""),
                }
                for name, rows in tables.items()
            },
            "charts": {name: chart.spec for name, chart in charts.items()},
            "chart_notes": {name: list(chart.notes) for name, chart in charts.items()},
            "small_base": SMALL_BASE,
        }
    )


def csv_response(rows: list[dict[str, Any]], name: str) -> Response:
    """One indicator as a CSV file; with no row it still has its header (an empty file is
    no table to a spreadsheet or to ``pandas.read_csv``)."""
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else indicator_columns(name)
    writer = SafeDictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v
                for k, v in row.items()
            }
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=attachment(f"permed-atlas-{name}.csv"),
    )


def search_page_public(settings: Settings, corpus: Any, query: SearchQuery) -> SearchResultPublic:
    """The search result of ``query`` as the API shows it."""
    return search_public(settings, search_works(corpus, query))


def cached_dashboard(
    settings: Settings,
    version: str,
    corpus: Any,
    query: SearchQuery,
    regions: list[str] | None,
) -> DashboardPublic:
    """:func:`dashboard_public`, remembered per corpus version, facets and language (LRU).

    Indicators over a large corpus take seconds; they cannot change while the
    corpus stays open read-only, so a repeated dashboard is served from memory.

    :param settings: for the labels of region and topic codes.
    :param version: the corpus version (``CorpusVersion``).
    """
    # The charts' titles and notes are in the request's language: one entry per language.
    # The year too: on 1 January the old year stops being the one marked as not over.
    year = dt.datetime.now(dt.UTC).year
    key = (version, str(settings.data_dir), query, tuple(regions or ()), current_language(), year)
    with _dashboard_lock:
        if key in _dashboard_cache:
            _dashboard_cache.move_to_end(key)
            return _dashboard_cache[key]
    result = dashboard_public(settings, corpus, query, regions, current_year=year)
    with _dashboard_lock:
        _dashboard_cache[key] = result
        while len(_dashboard_cache) > DASHBOARD_CACHE_SIZE:
            _dashboard_cache.popitem(last=False)
    return result


def indicator_response(
    settings: Settings,
    version: str,
    corpus: Any,
    query: SearchQuery,
    indicator: str,
    fmt: str,
    regions: list[str] | None,
) -> Any:
    """One indicator's rows as JSON, or its CSV file."""
    from permed_atlas.landscape.store.indicators import INDICATOR_NAMES

    require_one_of(
        "unknown indicator %(value)s; known: %(options)s",
        value=indicator,
        options=INDICATOR_NAMES,
        error=partial(InvalidInputError, field="indicator"),
    )
    rows = cached_dashboard(settings, version, corpus, query, regions).indicators[indicator].rows
    return csv_response(rows, indicator) if fmt == "csv" else rows
