"""``permed delphi ...``: run a Delphi study from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.db import engine_for, session_factory, session_scope, upgrade_database
from permed_atlas.delphi import files, report, results, service, store
from permed_atlas.delphi._targets import round_target, study_target
from permed_atlas.delphi.consensus import describe_methods
from permed_atlas.delphi.definition import parse_round_plan
from permed_atlas.delphi.demo import load_demo_study
from permed_atlas.delphi.exports import export_study
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, language_option
from permed_atlas.settings import Settings
from permed_atlas.userfiles import read_text_file

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from permed_atlas.delphi.models import Survey

app = group_app("delphi")
console = cli_console()

StudyArg = Annotated[str, typer.Argument(help="The study's id or slug.")]
PillarOpt = Annotated[str, typer.Option("--pillar", help="The survey's pillar code, e.g. P1.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check and report, but store nothing.")]


def _engine(settings: Settings) -> Engine:
    engine = engine_for(settings)
    upgrade_database(engine)
    return engine


def _audit(session, action: str, target: str, detail: dict | None = None) -> None:  # type: ignore[no-untyped-def,type-arg]
    from permed_atlas.accounts import record_audit

    record_audit(session, actor_id=None, action=action, target=target, detail=detail)


def _survey(session: Session, study: str, pillar: str) -> Survey:
    """The survey of ``pillar`` in the study named by id or slug."""
    return store.get_survey_by_pillar(session, store.get_study(session, study).id, pillar)


def _finish(
    session: Session,
    action: str,
    target: str,
    detail: dict[str, object] | None = None,
    *,
    dry_run: bool,
) -> None:
    """Audit a write and commit it, or (a dry run) roll it back with its audit entry."""
    _audit(session, action, target, detail)
    if dry_run:
        session.rollback()
    else:
        session.commit()


@app.command("create-study")
def create_study(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The study YAML file.")],
    dry_run: DryRun = False,
) -> None:
    """Create a study, its panels, surveys and first rounds from a YAML file.

    Example:

    permed delphi create-study study.yaml
    """
    draft = files.load_study_file(path)
    with session_factory(_engine(settings_from(ctx)))() as session:
        study = store.create_study(session, draft)
        _finish(
            session,
            "delphi.study.create",
            study_target(study.id),
            {"slug": study.slug},
            dry_run=dry_run,
        )
    items = sum(len(s.items) for s in draft.surveys)
    verb = "would create" if dry_run else "created"
    console.print(
        f"{verb} study {draft.slug!r}: {counted(len(draft.surveys), 'survey')}, "
        f"{counted(items, 'item')} in round 1"
    )


@app.command("import-panel")
def import_panel(
    ctx: typer.Context,
    study: StudyArg,
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV with name, email, country[, ref, region, expertise, organisation]."
        ),
    ],
    panel: Annotated[
        str | None, typer.Option(help="The panel's name (default: the first).")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Add the experts of a panel CSV to a study; a bad row stores nothing.

    Example:

    permed delphi import-panel demo-eu-china-pm panel.csv
    """
    settings = settings_from(ctx)
    with session_factory(_engine(settings))() as session:
        target = store.get_study(session, study)
        experts = files.import_panel_file(
            session,
            path,
            study_id=target.id,
            panel=panel,
            include_hk_mo_in_china=settings.include_hk_mo_in_china,
        )
        _finish(
            session,
            "delphi.panel.import",
            study_target(target.id),
            {"experts": len(experts), "file": path.name},
            dry_run=dry_run,
        )
    console.print(
        f"{'would import' if dry_run else 'imported'} {counted(len(experts), 'expert')} from {path}"
    )


@app.command("import-responses")
def import_responses(
    ctx: typer.Context,
    study: StudyArg,
    path: Annotated[
        Path,
        typer.Argument(help="Long CSV: expert, round, item, rating[, comment, pillar, statement]."),
    ],
    pillar: Annotated[
        str | None, typer.Option(help="The pillar of rows without a pillar cell.")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Import a study run elsewhere from a long responses CSV; a bad row stores nothing.

    Create the study and import its panel (refs; names and e-mail optional) first; each
    round is replayed (carried items keep their link, outcomes recorded, round closed).

    Example:

    permed delphi import-responses comet-study responses.csv --pillar P1
    """
    from permed_atlas.delphi.importing import parse_responses_csv
    from permed_atlas.delphi.replay import import_responses as replay

    text = read_text_file(path, error=lambda message: InvalidInputError(message, field="path"))
    drafts = parse_responses_csv(text, path=str(path))
    with session_factory(_engine(settings_from(ctx)))() as session:
        target = store.get_study(session, study)
        summaries = replay(session, target.id, drafts, path=str(path), pillar=pillar)
        _finish(
            session,
            "delphi.responses.import",
            study_target(target.id),
            {"responses": len(drafts), "file": path.name},
            dry_run=dry_run,
        )
    verb = "would import" if dry_run else "imported"
    for summary in summaries:
        console.print(
            f"{verb} {counted(summary.responses, 'response')} in "
            f"{counted(summary.rounds, 'round')} of {summary.pillar}"
        )


@app.command("open-round")
def open_round(
    ctx: typer.Context,
    study: StudyArg,
    pillar: PillarOpt,
    closes_in_days: Annotated[int, typer.Option(help="Planned closing, days from now.")] = 21,
) -> None:
    """Open the latest (draft) round of a survey for responses.

    Example:

    permed delphi open-round demo-eu-china-pm --pillar P1
    """
    with session_scope(_engine(settings_from(ctx))) as session:
        survey = _survey(session, study, pillar)
        round_ = store.open_round(
            session,
            store.find_round(session, survey.id).id,
            closes_at=datetime.now(UTC) + timedelta(days=closes_in_days),
        )
        _audit(session, "delphi.round.open", round_target(round_.id))
    console.print(f"opened round {round_.number} of {pillar}")


@app.command("invitations")
def invitations(
    ctx: typer.Context,
    study: StudyArg,
    pillar: PillarOpt,
    base_url: Annotated[str, typer.Option(help="The site's public address for the links.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The mail-merge CSV to write.")],
    days: Annotated[int, typer.Option(help="How many days the links work.")] = 30,
    reissue: Annotated[
        bool, typer.Option(help="Give already invited experts a new link (old ones stop working).")
    ] = False,
) -> None:
    r"""Issue personal links for the latest round and write a mail-merge CSV (shown only once).

    Example:

    permed delphi invitations demo --pillar P1 --base-url https://atlas.org \
      -o a.csv
    """
    if not base_url.startswith(("http://", "https://")):
        raise InvalidInputError(
            Message(
                "--base-url must start with http:// or https://, not %(base_url)s",
                base_url=repr(base_url),
            ),
            field="base_url",
        )
    with session_scope(_engine(settings_from(ctx))) as session:
        survey = _survey(session, study, pillar)
        round_ = store.find_round(session, survey.id)
        issued = store.issue_invitations(
            session,
            round_.id,
            base_url=base_url,
            valid_for=store.link_lifetime(days),
            reissue=reissue,
        )
        report.write_csv(
            report.invitation_rows(issued, survey=survey, round_number=round_.number), output
        )
        _audit(session, "delphi.invitations.issue", round_target(round_.id), {"count": len(issued)})
    console.print(
        f"wrote {len(issued)} invitation links to {output} (keep it private: links are personal)"
    )


@app.command("close-round")
def close_round(
    ctx: typer.Context, study: StudyArg, pillar: PillarOpt, dry_run: DryRun = False
) -> None:
    """Close the open round of a survey and record each item's outcome.

    Example:

    permed delphi close-round demo-eu-china-pm --pillar P1
    """
    with session_factory(_engine(settings_from(ctx)))() as session:
        survey = _survey(session, study, pillar)
        result = service.close_round(session, store.find_round(session, survey.id).id)
        _finish(session, "delphi.round.close", round_target(result.round.id), dry_run=dry_run)
    _print_result(result)
    console.print(
        f"{'would close' if dry_run else 'closed'} round {result.round.number} of {pillar}"
    )


@app.command("next-round")
def next_round(
    ctx: typer.Context,
    study: StudyArg,
    pillar: PillarOpt,
    plan: Annotated[
        Path | None, typer.Option(help="YAML with decisions (drop/reword) and new_items.")
    ] = None,
    carry: Annotated[
        str,
        typer.Option(
            help="pending (items without consensus), all, or selected (the --select codes)."
        ),
    ] = "pending",
    select: Annotated[
        list[str] | None, typer.Option("--select", help="An item code to carry (repeat).")
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Start the next round: carry items without consensus, all, or a hand-picked set.

    The plan may drop or reword carried items and add new ones; carried items keep
    their link to the earlier round.

    Example:

    permed delphi next-round demo-eu-china-pm --pillar P1 --plan round2.yaml
    """
    decisions, new_items = parse_round_plan(
        files.read_yaml(plan) if plan else None, path=str(plan or "plan")
    )
    with session_factory(_engine(settings_from(ctx)))() as session:
        survey = _survey(session, study, pillar)
        created = store.start_next_round(
            session,
            store.find_round(session, survey.id).id,
            decisions=decisions,
            new_items=new_items,
            carry=carry,
            selected=select or (),
        )
        items = store.list_items(session, created.id)
        _finish(
            session,
            "delphi.round.create",
            round_target(created.id),
            {"items": len(items)},
            dry_run=dry_run,
        )
    console.print(
        f"{'would create' if dry_run else 'created'} round {created.number} of {pillar} "
        f"with {counted(len(items), 'item')}: {', '.join(i.code for i in items)}"
    )


@app.command("stats")
def stats(
    ctx: typer.Context,
    study: StudyArg,
    pillar: PillarOpt,
    round_number: Annotated[
        int | None, typer.Option("--round", help="Round number (default: latest).")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table, or json (full precision).")
    ] = "table",
) -> None:
    """Print the statistics of one round, as a table or as JSON at full precision.

    Example:

    permed delphi stats demo-eu-china-pm --pillar P2 --round 1 --format json
    """
    if output_format not in ("table", "json"):
        raise InvalidInputError(
            Message(
                "--format %(output_format)s: use table or json",
                output_format=repr(output_format),
            ),
            field="format",
        )
    settings = settings_from(ctx)
    with session_factory(_engine(settings))() as session:
        target = store.get_study(session, study)
        survey = store.get_survey_by_pillar(session, target.id, pillar)
        result = results.compute_round_result(
            session,
            store.find_round(session, survey.id, number=round_number).id,
            min_group_size=settings.delphi_min_group_size,
        )
    methods = describe_methods(target.rule, min_group_size=settings.delphi_min_group_size)
    if output_format == "json":
        from permed_atlas.delphi.schemas import RoundResultPublic

        public = RoundResultPublic.model_validate(result).model_copy(
            update={"rule_text": target.rule.describe(), "methods_text": methods}
        )
        # plain stdout, not rich: rich would wrap lines and colour the JSON
        typer.echo(public.model_dump_json(indent=2))
        return
    _print_result(result)
    console.print(target.rule.describe())
    console.print(methods, style="dim")


def _print_result(result) -> None:  # type: ignore[no-untyped-def]
    table = Table(
        "item",
        "n",
        "agree",
        "median (IQR)",
        "mean (SD)",
        "verdict",
        "changed",
        "Wilcoxon p",
        "region difference flagged",
    )
    for entry in result.items:
        s, st, rg = entry.summary, entry.stability, entry.regions
        table.add_row(
            entry.item.code,
            str(s.n_valid),
            f"{s.share_agree:.0%}" if s.share_agree is not None else "-",
            f"{s.median:g} ({s.iqr:g})" if s.median is not None else "-",
            f"{s.mean:.2f} ({s.sd:.2f})" if s.sd is not None else "-",
            f"{s.verdict} ({s.shortfall().english()})" if s.too_few_valid else s.verdict,
            f"{st.share_changed:.0%}" if st and st.share_changed is not None else "-",
            f"{st.wilcoxon.p_value:.3g}" if st and st.wilcoxon.p_value is not None else "-",
            "; ".join(rg.reasons) if rg and rg.flagged else "",
        )
    console.print(table)
    k = result.kendall
    w = f"{k.w:.3f} (m={k.n_raters}, p={k.p_value:.3g})" if k.w is not None else "n/a"
    console.print(
        f"round {result.round.number}: {result.n_responded}/{result.n_invited} responded; "
        f"Kendall's W {w}"
    )


@app.command("export")
def export(
    ctx: typer.Context,
    study: StudyArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder to write into.")],
    formats: Annotated[
        list[str], typer.Option("--format", help="csv, xlsx, html, pdf (repeat).")
    ] = ["csv", "xlsx", "html"],  # noqa: B006
    lang: Annotated[
        str, typer.Option("--lang", help="The report's language (HTML, PDF): en or zh.")
    ] = "en",
) -> None:
    """Export ratings and statistics (CSV, XLSX) and the report (HTML, PDF).

    Example:

    permed delphi export demo-eu-china-pm -o out/ --format csv --format pdf
    """
    unknown = sorted(set(formats) - {"csv", "xlsx", "html", "pdf"})
    if unknown:
        raise InvalidInputError(
            Message(
                "--format %(unknown)s: use csv, xlsx, html or pdf",
                unknown=repr(unknown[0]),
            ),
            field="format",
        )
    language = language_option(lang)
    output.mkdir(parents=True, exist_ok=True)
    with session_factory(_engine(settings_from(ctx)))() as session:
        target = store.get_study(session, study)
        written = export_study(
            session, target.id, folder=output, formats=formats, language=language
        )
    for path in written:
        console.print(f"wrote {path}")


@app.command("publish")
def publish(
    ctx: typer.Context,
    study: StudyArg,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Make the results coordinator-only again.")
    ] = False,
) -> None:
    """Publish a study's results (closed rounds, reports, synthesis) to every reader.

    Until then only coordinators (editors) see figures; experts see the feedback of closed
    rounds behind their links.

    Example:

    permed delphi publish comet-study
    """
    with session_scope(_engine(settings_from(ctx))) as session:
        target = store.get_study(session, study)
        updated = store.set_published(session, target.id, published=not withdraw)
        _audit(
            session,
            "delphi.study.unpublish" if withdraw else "delphi.study.publish",
            study_target(target.id),
        )
    state = "withdrawn" if withdraw else f"published ({updated.published_at:%Y-%m-%d})"
    console.print(f"results of {target.slug!r} {state}")


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Load the demo study (two rounds, three pillars, 40 synthetic experts) if not there yet.

    Example:

    permed delphi demo
    """
    with session_scope(_engine(settings_from(ctx))) as session:
        study = load_demo_study(session)
    console.print(f"demo study {study.slug!r} (id {study.id}) is loaded")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the studies.

    Example:

    permed delphi list
    """
    with session_factory(_engine(settings_from(ctx)))() as session:
        studies = store.list_studies(session)
    table = Table("id", "slug", "title")
    for study in studies:
        table.add_row(str(study.id), study.slug, study.title)
    console.print(table)
