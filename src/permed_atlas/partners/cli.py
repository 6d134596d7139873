"""``permed partners build|profile|find``: researcher profiles and the partner finder."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Annotated, Any

import duckdb
import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.i18n import Message
from permed_atlas.partners.build import STEPS, build_profiles
from permed_atlas.partners.errors import InvalidQueryError, PartnersError
from permed_atlas.partners.models import AuthorProfile, FinderResult, Method, PartnerQuery
from permed_atlas.partners.store import (
    find_in_corpus,
    profile_of,
    result_to_dict,
    topic_labels,
)
from permed_atlas.settings import Settings
from permed_atlas.spreadsheet import safe_writer

app = group_app("partners")
out = Console(highlight=False, soft_wrap=True)
err = cli_console(stderr=True)

Format = Annotated[str, typer.Option("--format", help="table, json or csv.")]


def _corpus(settings: Settings) -> duckdb.DuckDBPyConnection:
    if not settings.corpus_path.exists():
        raise PartnersError(
            Message(
                "no corpus at %(corpus_path)s: run `permed ingest` or `permed demo` first",
                corpus_path=settings.corpus_path,
            )
        )
    try:
        return duckdb.connect(str(settings.corpus_path), read_only=True)
    except duckdb.Error as exc:
        raise PartnersError(
            Message(
                "cannot open the corpus %(corpus_path)s: %(exc)s",
                corpus_path=settings.corpus_path,
                exc=exc,
            )
        ) from exc


def _check_format(value: str) -> None:
    if value not in {"table", "json", "csv"}:
        raise InvalidQueryError(
            Message(
                "--format must be table, json or csv, not %(value)s",
                value=repr(value),
            ),
            field="--format",
        )


def _say_what_would_be_built(settings: Settings) -> None:
    with _corpus(settings) as connection:
        rows = connection.execute(
            "SELECT count(*), count(DISTINCT work_id) FROM contributors "
            "WHERE role IN ('author', 'inventor')"
        ).fetchall()
    out.print(
        f"would build profiles from {rows[0][0]:,} authorships of {rows[0][1]:,} works "
        f"in {settings.corpus_path}"
    )


@app.command("build")
def build(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would be built.")
    ] = False,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings",
            help="Also compute the profile embeddings now (needs the extra), so "
            "the first --method embeddings query does not wait for them.",
        ),
    ] = False,
) -> None:
    """Build (or rebuild) the researcher profiles from the corpus; replaces them atomically.

    Example:

    permed partners build --embeddings
    """
    from permed_atlas.landscape import (
        complete_corpus,
        load_region_sets,
        load_rules,
        open_corpus,
        publish_snapshot,
        rules_path_for,
    )

    settings = settings_from(ctx)
    if dry_run:
        _say_what_would_be_built(settings)
        return
    with (
        open_corpus(settings.corpus_path, memory_limit=settings.corpus_memory_limit) as connection,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as progress,
    ):
        # Works ingested since the last tagging get their topics first, so profiles are current.
        complete_corpus(
            connection,
            regions=load_region_sets(settings),
            rules=load_rules(rules_path_for(settings.data_dir)),
        )
        task = progress.add_task("building profiles", total=len(STEPS) - 1)

        def step(name: str, done: int, _total: int) -> None:
            progress.update(task, completed=done, description=name)

        summary = build_profiles(connection, progress=step)
        if embeddings:
            from permed_atlas.partners.index import load_index
            from permed_atlas.partners.store import embeddings_for

            index = load_index(connection)
            encoding = progress.add_task("profile embeddings", total=len(index.keys))

            def encoded(done: int, _total: int) -> None:
                progress.update(encoding, completed=done)

            embeddings_for(connection, index, settings=settings, progress=encoded)
        # The web app reads published snapshots; without a new one it would keep the old
        # profiles (or none) until the next ingest or `permed tag`.
        publish_snapshot(connection, settings.corpus_path)
    out.print(
        f"built {counted(summary.authors, 'profile')} from "
        f"{counted(summary.authorships, 'authorship')} in "
        f"{summary.seconds:.1f} s: {summary.by_openalex:,} by OpenAlex id, {summary.by_orcid:,} "
        f"by ORCID, {summary.by_name:,} by name and institution or co-author; "
        f"{counted(summary.terms, 'term')}, {counted(summary.coauthor_links, 'co-author link')}"
    )


def _profile_dict(profile: AuthorProfile) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(profile)


@app.command("profile")
def profile(
    ctx: typer.Context,
    author: Annotated[str, typer.Argument(help="Profile id, OpenAlex id, ORCID or full name.")],
    output_format: Format = "table",
) -> None:
    """Show one researcher's profile: ids, institutions, countries, topics, output, co-authors.

    Example:

    permed partners profile A5000000001 --format json
    """
    _check_format(output_format)
    settings = settings_from(ctx)
    with _corpus(settings) as connection:
        found = profile_of(connection, author, labels=topic_labels(settings))
    if output_format == "json":
        out.print(orjson.dumps(_profile_dict(found), option=orjson.OPT_INDENT_2).decode())
        return
    if output_format == "csv":
        _print_csv(["field", "value"], (
            [name, value if isinstance(value, str) else orjson.dumps(value).decode()]
            for name, value in _profile_dict(found).items()
        ))  # fmt: skip
        return
    out.print(f"[bold]{found.name}[/] ({found.key}; identified by {found.rule})")
    out.print(f"ids: OpenAlex {found.openalex_id or '-'}, ORCID {found.orcid or '-'}")
    out.print(
        f"works: {found.n_works} ({found.first_year}–{found.last_year}); countries: "
        f"{', '.join(found.countries) or '-'}; regions: {', '.join(found.regions) or '-'}"
    )
    out.print(
        "institutions: "
        + "; ".join(f"{i.name} ({i.country_code or '?'}, {i.n_works})" for i in found.institutions)
    )
    out.print("topics: " + ", ".join(f"{t} ({n})" for t, n in found.topics))
    out.print("top terms: " + ", ".join(t for t, _ in found.top_terms))
    out.print("works per year: " + ", ".join(f"{y}: {n}" for y, n in found.works_by_year))
    out.print("co-authors: " + ", ".join(f"{c.name} ({c.n_works})" for c in found.coauthors[:20]))


def _print_csv(header: list[str], rows: Iterable[list[Any]]) -> None:
    """Print a CSV table (cells that a spreadsheet would run as formulas are defused)."""
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    out.print(buffer.getvalue(), end="")


def _print_result(result: FinderResult, output_format: str) -> None:
    if output_format == "json":
        out.print(orjson.dumps(result_to_dict(result), option=orjson.OPT_INDENT_2).decode())
        return
    if output_format == "csv":
        _print_csv(["rank", "key", "name", "score", "similarity", "activity", "network",
                    "recent_works", "distance", "institution", "country", "reasons"], (
            [m.rank, m.key, m.name, m.score, m.similarity, m.activity, m.network,
             m.recent_works, m.distance or "", m.institution or "", m.country_code or "",
             " | ".join(r.text for r in m.reasons)]
            for m in result.matches
        ))  # fmt: skip
        return
    weights = ", ".join(f"{k} {v}" for k, v in result.weights.as_dict().items())
    out.print(
        f"partners in {result.searched_region} for {result.description} "
        f"({result.method}; {counted(result.candidates, 'candidate')}; weights: {weights})"
    )
    if result.note:
        out.print(result.note)
    table = Table("#", "researcher", "score", "where", "why")
    for m in result.matches:
        table.add_row(
            str(m.rank),
            f"{m.name}\n{m.key}",
            f"{m.score:.3f}",
            ", ".join(p for p in (m.institution, m.country_code) if p),
            "\n".join(r.text for r in m.reasons if r.kind != "place"),
        )
    out.print(table)


@app.command("find")
def find(
    ctx: typer.Context,
    author: Annotated[
        str | None, typer.Option("--author", help="Profile id, OpenAlex id, ORCID or full name.")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Institution id or name.")
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Topic code, e.g. oncology.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="A project description.")] = None,
    method: Annotated[str, typer.Option("--method", help="tfidf or embeddings.")] = "tfidf",
    limit: Annotated[int, typer.Option("--limit", help="How many partners (1-200).")] = 20,
    from_region: Annotated[
        str, typer.Option("--from-region", help="The searcher's region set.")
    ] = "EU27",
    to_region: Annotated[
        str, typer.Option("--to-region", help="The region set to search in.")
    ] = "CN",
    recent_years: Annotated[
        int, typer.Option("--recent-years", help="Years that count as recent activity.")
    ] = 5,
    include_coauthors: Annotated[
        bool, typer.Option("--include-coauthors", help="Keep existing co-authors, scored lower.")
    ] = False,
    output_format: Format = "table",
) -> None:
    """Rank researchers of the other region for an author, institution, topic or free text.

    Example:

    permed partners find --text "pharmacogenomics of warfarin dosing" --limit 10
    """
    _check_format(output_format)
    given = [
        (kind, value)
        for kind, value in (
            ("author", author),
            ("institution", institution),
            ("topic", topic),
            ("text", text),
        )
        if value
    ]
    if len(given) != 1:
        raise InvalidQueryError(
            Message("give exactly one of --author, --institution, --topic, --text"),
            field="query",
        )
    if method not in ("tfidf", "embeddings"):
        raise InvalidQueryError(
            Message(
                "--method must be tfidf or embeddings, not %(method)s",
                method=repr(method),
            ),
            field="--method",
        )
    kind, value = given[0]
    query = PartnerQuery(
        kind,  # type: ignore[arg-type]
        value,
        from_region=from_region,
        to_region=to_region,
        limit=limit,
        recent_years=recent_years,
        include_coauthors=include_coauthors,
    )
    settings = settings_from(ctx)
    chosen: Method = "embeddings" if method == "embeddings" else "tfidf"
    with _corpus(settings) as connection:
        result = find_in_corpus(connection, query, settings=settings, method=chosen)
    _print_result(result, output_format)
