"""``permed tag``, ``explain``, ``indicators``, ``report``, ``network`` and ``regions``.

Each command opens the corpus in the data directory, tags works that were
ingested since the last tagging (so answers are never computed on stale tags),
calls one public function and prints or writes its result.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.i18n import Message, language_option, use_language
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.explain import Explanation
from permed_atlas.landscape.filters import LandscapeFilter
from permed_atlas.landscape.indicator_models import indicator_columns
from permed_atlas.landscape.network import export_network
from permed_atlas.landscape.presenters import landscape_filter, resolve_facet_labels
from permed_atlas.landscape.regions import add_region_set, load_region_sets
from permed_atlas.landscape.report import build_report
from permed_atlas.landscape.search_query import SearchQuery
from permed_atlas.landscape.service import retag_and_publish, tagged_corpus
from permed_atlas.landscape.store.explain import explain_work
from permed_atlas.landscape.store.indicators import INDICATOR_NAMES, compute_indicators
from permed_atlas.landscape.topics import load_rules, rules_path_for
from permed_atlas.outputfiles import written_beside
from permed_atlas.settings import Settings, parse_memory_limit
from permed_atlas.spreadsheet import SafeDictWriter

console = cli_console()

RegionOption = Annotated[
    list[str] | None, typer.Option("--region", help="Region code to break down by (repeatable).")
]
FromYear = Annotated[int | None, typer.Option("--from-year", help="First year, inclusive.")]
ToYear = Annotated[int | None, typer.Option("--to-year", help="Last year, inclusive.")]
PmOnly = Annotated[bool, typer.Option("--pm-only", help="Only PM-relevant works.")]


def tag(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only check rules and regions.")
    ] = False,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="DuckDB memory cap, e.g. 2GiB, or none (it spills beyond, to <corpus>.tmp); "
            "default: PERMED_CORPUS_MEMORY_LIMIT, 800MiB.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Recompute the countries, regions, topics and flags of every work, and publish them to
    the web app (a running ``permed serve`` switches to them).

    Example:

    permed tag --memory-limit 4GiB
    """
    settings = settings_from(ctx)
    if memory_limit is not None:
        cap = parse_memory_limit(memory_limit, name="--memory-limit")
        settings = settings.model_copy(update={"corpus_memory_limit": cap})
    regions = load_region_sets(settings)
    rules = load_rules(rules_path_for(settings.data_dir))
    if dry_run:
        console.print(
            f"would tag {settings.corpus_path} with {counted(len(rules.rules), 'rule')} "
            f"from {rules.path} "
            f"and regions {', '.join(sorted(regions))}"
        )
        return
    summary = retag_and_publish(settings, regions=regions, rules=rules)
    console.print(
        f"tagged {counted(summary.works, 'work')} in {summary.seconds:.2f} s: "
        f"{summary.pm_relevant:,} "
        f"PM-relevant, {summary.eu_cn:,} EU–China, {summary.topic_tags:,} topic tags"
    )


def render_explanation(explanation: Explanation) -> str:
    """The plain-text explanation ``permed explain`` prints."""
    lines = [
        f"work {explanation.work_id} ({explanation.kind}, {explanation.year or 'no year'}): "
        f"{explanation.title or '(no title)'}"
    ]
    if explanation.identifiers:
        lines.append("  ids: " + ", ".join(f"{k} {v}" for k, v in explanation.identifiers.items()))
    lines.append("countries:")
    for country in explanation.countries:
        regions = ", ".join(country.regions) or "no region"
        lines.append(f"  {country.country_code} {country.country_name} -> {regions}")
        for aff in country.affiliations:
            who = aff.contributor or f"contributor {aff.position}"
            place = aff.institution or aff.raw_affiliation or "no institution"
            lines.append(f"    from {who} ({aff.role or 'author'}): {place}")
    if not explanation.countries:
        lines.append("  none known")
    if explanation.unknown_country_affiliations:
        lines.append(
            f"  ({counted(explanation.unknown_country_affiliations, 'affiliation')} "
            "without a country)"
        )
    lines.append("rules that fired:")
    for hit in explanation.hits:
        lines.append(f"  {hit.rule_id} [{hit.topic_label}] {hit.kind} /{hit.pattern}/")
        lines.append(f"    matched: {'; '.join(hit.matched)}")
        lines.append(f"    why: {hit.why}")
    if not explanation.hits:
        lines.append("  none")
    lines.append(f"topics: {', '.join(explanation.topics) or 'none'}")
    lines.append(explanation.pm_reason)
    lines.append(explanation.eu_cn_reason)
    if not explanation.stored_tags_current:
        lines.append("note: the stored tags differ from the rules now in force; run `permed tag`")
    return "\n".join(lines)


def explain(
    ctx: typer.Context,
    work_id: Annotated[str, typer.Argument(help="work_id, OpenAlex id, DOI, PMID or lens id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show why a work got its countries, regions, topics and flags.

    Example:

    permed explain W2741809807
    """
    settings = settings_from(ctx)
    with tagged_corpus(settings) as connection:
        explanation = explain_work(
            connection,
            work_id,
            regions=load_region_sets(settings),
            rules=load_rules(rules_path_for(settings.data_dir)),
        )
    if as_json:
        from dataclasses import asdict

        typer.echo(json.dumps(asdict(explanation), ensure_ascii=False, indent=2))
    else:
        console.print(render_explanation(explanation), highlight=False, markup=False)


def indicators_csv(tables: dict[str, list[dict[str, Any]]]) -> str:
    """Every indicator in one tidy CSV: an ``indicator`` column, then the union of columns."""
    columns: list[str] = ["indicator"]
    # The columns come from the indicators, not their rows: an indicator with no rows
    # (a country no work has) keeps its header, as the dashboard's CSV does.
    for name, rows in tables.items():
        known = indicator_columns(name) if name in INDICATOR_NAMES else []
        for key in [*known, *(key for row in rows for key in row)]:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for name, rows in tables.items():
        for row in rows:
            writer.writerow(
                {
                    "indicator": name,
                    **{
                        k: ";".join(v) if isinstance(v, (list, tuple)) else v
                        for k, v in row.items()
                    },
                }
            )
    return buffer.getvalue()


def _print_tables(tables: dict[str, list[dict[str, Any]]], target: Console = console) -> None:
    for name, rows in tables.items():
        table = Table(title=name, title_justify="left")
        if not rows:
            target.print(f"{name}: no rows")
            continue
        for column in rows[0]:
            table.add_column(
                column, justify="right" if isinstance(rows[0][column], (int, float)) else "left"
            )
        for row in rows:
            table.add_row(
                *(
                    f"{v:.3f}"
                    if isinstance(v, float)
                    else ", ".join(v)
                    if isinstance(v, tuple)
                    else ""
                    if v is None
                    else str(v)
                    for v in row.values()
                )
            )
        target.print(table)


def _dashboard_filter(settings: Settings, connection: Any, query: SearchQuery) -> LandscapeFilter:
    """The dashboard's filter for the same facets: a name ("China", "Oncology") means the code
    the web reads it as, and a value no work has ("Oncolgy") is refused as the web refuses it
    rather than counted as a column of zeros."""
    return landscape_filter(
        connection, resolve_facet_labels(settings, query).validated(), indexed=False
    )


def _check_indicators_request(format: str, indicator: list[str]) -> None:
    """Refuse an unknown --format or --indicator before the corpus is opened."""
    if format not in {"table", "csv", "json"}:
        raise LandscapeError(
            Message(
                "--format must be table, csv or json, not %(format)s",
                format=repr(format),
            )
        )
    unknown = [name for name in indicator if name not in INDICATOR_NAMES]
    if unknown:
        raise LandscapeError(
            Message(
                "--indicator: unknown %(unknown)s; known: %(names)s",
                unknown=", ".join(unknown),
                names=", ".join(INDICATOR_NAMES),
            )
        )


def indicators(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    region: RegionOption = None,
    from_year: FromYear = None,
    to_year: ToYear = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", help=f"Only these: {', '.join(INDICATOR_NAMES)}."),
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Only works with this country.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only works with this topic.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="publication or patent.")] = None,
    pm_only: PmOnly = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows per ranked list.")] = 10,
) -> None:
    """Compute the landscape indicators per year and region.

    Example:

    permed indicators --region EU27 --region CN --from-year 2015 --format csv
    """
    _check_indicators_request(format, indicator or [])
    settings = settings_from(ctx)
    query = SearchQuery(
        countries=(country,) if country else (),
        topics=(topic,) if topic else (),
        year_from=from_year,
        year_to=to_year,
        kind=kind,
        pm_relevant=True if pm_only else None,
    )
    with tagged_corpus(settings) as connection:
        flt = _dashboard_filter(settings, connection, query)
        result = compute_indicators(connection, flt, regions=region, limit=limit)
    tables = {k: v for k, v in result.tables().items() if not indicator or k in indicator}
    if format == "table" and out is None:
        _print_tables(tables)
        return
    if format == "json":
        text = json.dumps(
            {
                "regions": list(result.regions),
                "filter": {k: getattr(flt, k) for k in flt.__dataclass_fields__},
                **tables,
            },
            ensure_ascii=False,
            indent=2,
        )
    elif format == "csv":
        text = indicators_csv(tables)
    else:
        buffer = io.StringIO()
        _print_tables(tables, Console(file=buffer, width=160, color_system=None))
        text = buffer.getvalue()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with written_beside(out) as tmp:  # an export is there whole, or as it was
            tmp.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


def report(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file (default <data_dir>/reports/landscape.html)."),
    ] = None,
    region: RegionOption = None,
    from_year: FromYear = None,
    to_year: ToYear = None,
    pm_only: PmOnly = False,
    lang: Annotated[str, typer.Option("--lang", help="The report's language: en or zh.")] = "en",
) -> None:
    """Write a self-contained HTML landscape report with charts (opens offline).

    Example:

    permed report --out brief.html --from-year 2010
    """
    settings = settings_from(ctx)
    target = out or settings.reports_dir / "landscape.html"
    flt = LandscapeFilter(
        year_from=from_year, year_to=to_year, pm_relevant=True if pm_only else None
    )
    language = language_option(lang)
    with tagged_corpus(settings) as connection, use_language(language):
        summary = build_report(
            connection,
            target,
            regions=region,
            flt=flt,
            region_sets=load_region_sets(settings),
            rules=load_rules(rules_path_for(settings.data_dir)),
        )
    console.print(
        f"wrote {summary.path} ({counted(summary.works, 'work')}, "
        f"{counted(summary.charts, 'chart')}, "
        f"{summary.bytes / 1e6:.1f} MB)"
    )


def network(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="GEXF file, or base name of VOSviewer files.")],
    level: Annotated[str, typer.Option("--level", help="country or institution.")] = "country",
    format: Annotated[str, typer.Option("--format", help="gexf or vosviewer.")] = "gexf",
    region: Annotated[
        str | None, typer.Option("--region", help="Only works involving this region.")
    ] = None,
    from_year: FromYear = None,
    to_year: ToYear = None,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", help="Keep the most active nodes.")
    ] = 500,
    min_weight: Annotated[
        int, typer.Option("--min-weight", help="Minimum shared works per edge.")
    ] = 1,
) -> None:
    """Export the country or institution collaboration network (GEXF or VOSviewer).

    Example:

    permed network --level institution --format vosviewer --out eu_cn
    """
    if level not in {"country", "institution"}:
        raise LandscapeError(
            Message(
                "--level must be country or institution, not %(level)s",
                level=repr(level),
            )
        )
    if format not in {"gexf", "vosviewer"}:
        raise LandscapeError(
            Message(
                "--format must be gexf or vosviewer, not %(format)s",
                format=repr(format),
            )
        )
    settings = settings_from(ctx)
    query = SearchQuery(regions=(region,) if region else (), year_from=from_year, year_to=to_year)
    with tagged_corpus(settings) as connection:
        flt = _dashboard_filter(settings, connection, query)
        files = export_network(
            connection,
            out,
            flt=flt,
            level=level,  # type: ignore[arg-type]
            format=format,  # type: ignore[arg-type]
            max_nodes=max_nodes,
            min_weight=min_weight,
        )
    console.print(
        f"wrote {', '.join(map(str, files.paths))} "
        f"({counted(files.nodes, 'node')}, {counted(files.edges, 'edge')})"
    )


regions_app = group_app("regions")


@regions_app.command("list")
def list_regions(ctx: typer.Context) -> None:
    """List the region sets with their countries and sources.

    Example:

    permed regions list
    """
    for region in load_region_sets(settings_from(ctx)).values():
        origin = "user" if region.user_defined else "bundled"
        console.print(
            f"{region.code} ({origin}): {region.name} — "
            f"{counted(len(region.countries), 'country', 'countries')}: "
            f"{', '.join(sorted(region.countries))}",
            highlight=False,
        )
        if region.source:
            console.print(f"    source: {region.source}", highlight=False)


@regions_app.command("add")
def add_region(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="New region code, e.g. NORDIC.")],
    countries: Annotated[str, typer.Option("--countries", help="Comma-separated ISO codes.")],
    name: Annotated[str | None, typer.Option("--name", help="Human name.")] = None,
    source: Annotated[
        str, typer.Option("--source", help="Where the list comes from.")
    ] = "defined by the user",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only validate.")] = False,
) -> None:
    """Add (or replace) a user region set; re-run ``permed tag`` to apply it.

    Example:

    permed regions add NORDIC --countries DK,FI,IS,NO,SE
    """
    settings = settings_from(ctx)
    region = add_region_set(
        settings,
        code,
        countries=[c for c in countries.split(",") if c.strip()],
        name=name,
        source=source,
        dry_run=dry_run,
    )
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} region {region.code}: {', '.join(sorted(region.countries))}")


commands: list[Callable[..., Any]] = [tag, explain, indicators, report, network]
groups = {"regions": regions_app}
