"""``permed helpdesk ...``: ask a question, compare a topic across countries, list, validate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer

from permed_atlas.cli_state import cli_console, counted, group_app, settings_from
from permed_atlas.helpdesk.answer import answer_question
from permed_atlas.helpdesk.compare import compare_topic, list_entries
from permed_atlas.helpdesk.digest import TRANSFER_ADVICE, Digest, digest_answer, digest_to_markdown
from permed_atlas.helpdesk.errors import HelpdeskInputError
from permed_atlas.helpdesk.evaluate import (
    evaluate_retrieval,
    format_evaluation,
    read_questions,
)
from permed_atlas.helpdesk.glossary import load_glossary
from permed_atlas.helpdesk.knowledge import (
    BUNDLED_DIR,
    check_knowledge,
    load_knowledge,
    localized_display_name,
)
from permed_atlas.helpdesk.models import Answer, Comparison, FundingItem, KnowledgeBase
from permed_atlas.helpdesk.present import (
    DISCLAIMER,
    answer_to_dict,
    comparison_to_dict,
    entry_to_dict,
)
from permed_atlas.i18n import Message, language_option, use_language
from permed_atlas.settings import existing_dirs

if TYPE_CHECKING:
    from permed_atlas.settings import Settings

app = group_app("helpdesk")
console = cli_console()

FormatOption = Annotated[str, typer.Option("--format", help="text or json.")]
AskFormatOption = Annotated[str, typer.Option("--format", help="text, json or markdown.")]


def _knowledge(ctx: typer.Context) -> KnowledgeBase:
    """The bundled knowledge plus the deployment's folder ``<data_dir>/helpdesk_knowledge``."""
    return load_knowledge(existing_dirs(settings_from(ctx).helpdesk_knowledge_dir))


def _check_format(value: str) -> None:
    if value not in {"text", "json"}:
        raise HelpdeskInputError(Message("must be text or json"), field="--format")


def _echo_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def _funding_lookup(settings: Settings, knowledge: KnowledgeBase) -> Any:
    def lookup(question: str, codes: Sequence[str]) -> tuple[list[FundingItem], str]:
        from permed_atlas.db import migrated_session
        from permed_atlas.helpdesk.funding import find_funding

        with migrated_session(settings) as session:
            return find_funding(session, question=question, countries=codes, knowledge=knowledge)

    return lookup


@app.command("ask")
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question in plain words.")],
    output_format: AskFormatOption = "text",
    no_funding: Annotated[
        bool, typer.Option("--no-funding", help="Do not read the funding directory.")
    ] = False,
    lang: Annotated[
        str, typer.Option("--lang", help="The Markdown answer's language: en or zh.")
    ] = "en",
) -> None:
    r"""Answer a question with the procedures per country, funding and transfer guidance.

    Example:

    permed helpdesk ask --format json \
      "pharmacogenomic trial in Germany and China, samples shipped to Germany"
    """
    if output_format not in {"text", "json", "markdown"}:
        raise HelpdeskInputError(Message("must be text, json or markdown"), field="--format")
    language = language_option(lang)
    settings = settings_from(ctx)
    knowledge = _knowledge(ctx)
    lookup = None if no_funding else _funding_lookup(settings, knowledge)
    rule_dirs = existing_dirs(settings.transfer_rules_dir)
    answer = answer_question(question, knowledge=knowledge, funding_lookup=lookup,
                             transfer_rule_dirs=rule_dirs)  # fmt: skip
    # The CLI has no database session: editors' confirmations show on the web and API.
    digest = digest_answer(answer, glossary=load_glossary())
    if output_format == "json":
        _echo_json(answer_to_dict(answer, digest=digest))
    elif output_format == "markdown":
        with use_language(language):
            codes = {e.country for e in knowledge.entries}
            names = {c: str(localized_display_name(knowledge, c)) for c in codes}
            typer.echo(digest_to_markdown(answer, digest, url="(CLI)", disclaimer=DISCLAIMER,
                                          names=names))  # fmt: skip
    else:
        _print_answer(answer, digest)


def _print_digest(digest: Digest) -> None:
    console.print("\n[bold]Checklist[/]")
    marks = {"met": "[x]", "blocker": "[NOT ALLOWED]"}
    for item in digest.checklist:
        ref = f"  ({item.reference})" if item.reference else ""
        flag = "  (unconfirmed)" if item.unconfirmed else ""
        console.print(f"  {marks.get(item.kind, '[ ]')} {item.text}{ref}{flag}", highlight=False)
    if digest.still_needed:
        console.print("[bold]Still to find out[/]")
        for line in digest.still_needed:
            console.print(f"  - {line}", highlight=False)
    for term in digest.glossary:
        console.print(f"  {term.term}: {term.name}. {term.explanation}", highlight=False)


def _print_answer(answer: Answer, digest: Digest) -> None:
    advice = f" {TRANSFER_ADVICE}" if answer.transfer is not None else ""
    console.print(f"[bold]{DISCLAIMER}[/]{advice}", highlight=False)
    _print_digest(digest)
    console.print(f"Countries: {', '.join(answer.countries) or 'none named'}", highlight=False)
    for note in answer.notes:
        console.print(f"NOTE {note}", highlight=False)
    groups = [(g.name, g.hits) for g in answer.by_country]
    if answer.international:
        groups.append(("International", answer.international))
    for name, hits in groups:
        console.print(f"\n[bold]{name}[/]", highlight=False)
        for hit in hits:
            e = hit.entry
            flag = "" if e.confirmed else " [unconfirmed]"
            console.print(f"- {e.title} ({e.id}, {e.country}){flag}", highlight=False)
            console.print(f"    authority: {e.authority}", highlight=False)
            for step in e.procedure:
                console.print(f"    * {step.text}" + (f"  [{step.ref}]" if step.ref else ""),
                              highlight=False)  # fmt: skip
            console.print(f"    timeline: {e.timeline}", highlight=False)
            console.print(f"    fees: {e.fees}", highlight=False)
            refs = "; ".join(str(r) for r in e.references)
            console.print(f"    references: {refs}", highlight=False)
            console.print(f"    source: {e.source} (checked {e.date_checked})", highlight=False)
    if answer.about_funding:
        console.print("\n[bold]Funding programmes (directory)[/]")
        for item in answer.funding:
            console.print(f"- {item.name} ({item.id}, {item.kind}) {item.url or ''}",
                          highlight=False)  # fmt: skip
        if answer.funding_note:
            console.print(answer.funding_note, highlight=False)
    if answer.transfer is not None:
        _print_transfer(answer)


def _print_transfer(answer: Answer) -> None:
    assert answer.transfer is not None
    flow = answer.transfer.flow
    console.print("\n[bold]Sample and data flow (transfer assessor)[/]")
    console.print(f"Flow: {flow.origin or '?'} -> {flow.destination or '?'}: "
                  f"{', '.join(flow.data_categories)}", highlight=False)  # fmt: skip
    for line in flow.derived:
        console.print(f"  read: {line}", highlight=False)
    for line in flow.missing:
        console.print(f"  MISSING {line}", highlight=False)
    result = answer.transfer.assessment
    if result is None:
        return
    console.print(f"Verdict: {result['verdict']}", highlight=False)
    if not result.get("complete", True):
        console.print("  (provisional: see 'Still to find out')", highlight=False)


@app.command("compare")
def compare(
    ctx: typer.Context,
    topic: Annotated[str, typer.Option("--topic", help="e.g. trial_authorisation.")],
    country: Annotated[
        list[str], typer.Option("--country", help="Jurisdiction code (repeat): DE, CN, EU.")
    ],
    output_format: FormatOption = "text",
) -> None:
    """Compare one topic across two or more countries side by side.

    Example:

    permed helpdesk compare --topic ethics_review --country DE --country CN
    """
    _check_format(output_format)
    comparison = compare_topic(_knowledge(ctx), topic=topic, countries=country)
    if output_format == "json":
        _echo_json(comparison_to_dict(comparison))
        return
    _print_comparison(comparison)


def _print_comparison(comparison: Comparison) -> None:
    console.print(f"[bold]{comparison.topic_label}[/]  ({DISCLAIMER})", highlight=False)
    for column in comparison.columns:
        console.print(f"\n[bold]{column.name} ({column.country})[/]", highlight=False)
        if not column.entries and not column.eu_entries:
            console.print("  no entry yet", highlight=False)
        for entry in (*column.entries, *column.eu_entries):
            scope = " [EU level]" if entry in column.eu_entries else ""
            console.print(f"- {entry.title}{scope}", highlight=False)
            console.print(f"    authority: {entry.authority}", highlight=False)
            console.print(f"    timeline: {entry.timeline}", highlight=False)
            console.print(f"    documents: {'; '.join(entry.documents)}", highlight=False)
            console.print(f"    fees: {entry.fees}", highlight=False)
            refs = "; ".join(str(r) for r in entry.references)
            console.print(f"    references: {refs}", highlight=False)
            console.print(f"    source: {entry.source} (checked {entry.date_checked})",
                          highlight=False)  # fmt: skip


@app.command("list")
def list_command(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option("--country", help="Jurisdiction code.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Topic id.")] = None,
    output_format: FormatOption = "text",
) -> None:
    """List knowledge entries, optionally of one country (with EU-level ones) and topic.

    Example:

    permed helpdesk list --country CN --topic human_genetic_resources
    """
    _check_format(output_format)
    entries = list_entries(_knowledge(ctx), country=country, topic=topic)
    if output_format == "json":
        _echo_json([entry_to_dict(e) for e in entries])
        return
    for e in entries:
        flag = "" if e.confirmed else "  (unconfirmed)"
        console.print(f"{e.id:40s} {e.country:3s} {e.topic:24s} {e.title}{flag}", highlight=False)
    console.print(counted(len(entries), "entry", "entries"), highlight=False)


@app.command("validate")
def validate(
    path: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; the bundled folder if none.")
    ] = None,
) -> None:
    """Check knowledge files: schema, countries, topics, references, sources, dates.

    Example:

    permed helpdesk validate my-knowledge/
    """
    paths = list(path or [BUNDLED_DIR])
    reports = check_knowledge(paths)
    problems = [p for r in reports for p in r.problems]
    entries = sum(len(r.entries) for r in reports)
    for problem in problems:
        console.print(f"[red]error[/] {problem}", highlight=False)
    if problems:
        console.print(
            f"{counted(len(problems), 'problem')} in {counted(len(reports), 'file')}",
            highlight=False,
        )
        raise typer.Exit(code=1)
    console.print(
        f"ok: {counted(entries, 'entry', 'entries')} in {counted(len(reports), 'file')}",
        highlight=False,
    )


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Argument(help="YAML file of questions and expected ids.")],
    k: Annotated[int, typer.Option("--k", help="Cut-off rank.")] = 3,
) -> None:
    """Measure retrieval quality: per-question precision@k, recall@k and their means.

    Example:

    permed helpdesk evaluate tests/helpdesk/questions.yaml
    """
    if k < 1:
        raise HelpdeskInputError(Message("must be at least 1"), field="--k")
    knowledge = _knowledge(ctx)
    items = read_questions(questions, knowledge=knowledge)
    typer.echo(format_evaluation(evaluate_retrieval(items, knowledge=knowledge, k=k)))
