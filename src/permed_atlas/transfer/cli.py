"""``permed transfer ...``: assess a planned transfer, list the rules, match DUO consent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from permed_atlas.transfer.assessor import assess_transfer, known_measures
from permed_atlas.transfer.duo_cli import register_duo_match
from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.models import Assessment, Effect
from permed_atlas.transfer.report import assessment_to_dict, render_html, render_markdown
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.scenario import parse_scenario, read_scenario_file

app = typer.Typer(
    name="transfer",
    help="Cross-border data-transfer assessor (GDPR, PIPL, DSL, HGR, Scientific Data) and "
    "DUO consent matching. Guidance, not legal advice.",
    no_args_is_help=True,
)
console = Console()

RulesDir = Annotated[
    list[Path] | None,
    typer.Option("--rules-dir", help="Extra folder of rule files (adds or amends rules)."),
]


def _rule_dirs(extra: list[Path] | None) -> list[Path]:
    """The deployment's rule folder (``<data_dir>/transfer_rules``, if any), then ``extra``."""
    from permed_atlas.settings import get_settings

    local = get_settings().data_dir / "transfer_rules"
    return ([local] if local.is_dir() else []) + list(extra or ())


def _flag_scenario(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if value not in (None, [], "")}


@app.command("assess")
def assess(
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="YAML or JSON scenario file.")
    ] = None,
    from_country: Annotated[
        str | None, typer.Option("--from", help="Exporter country (ISO alpha-2).")
    ] = None,
    to_country: Annotated[
        str | None, typer.Option("--to", help="Importer country (ISO alpha-2).")
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            help="Data category (repeat): health, genetic, samples, "
            "identified, pseudonymised, anonymised, aggregate, non_personal.",
        ),
    ] = None,  # fmt: skip
    subjects: Annotated[
        int | None, typer.Option("--subjects", help="Number of individuals.")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="research, clinical_care or commercial.")
    ] = None,
    consent: Annotated[str | None, typer.Option(help="explicit, broad_research or none.")] = None,
    legal_basis: Annotated[str | None, typer.Option(help="GDPR Art. 6(1) basis.")] = None,
    separate_consent: Annotated[
        bool | None, typer.Option(help="PIPL separate consent obtained.")
    ] = None,
    exporter_type: Annotated[
        str | None, typer.Option(help="public_research, hospital, ...")
    ] = None,
    importer_type: Annotated[
        str | None, typer.Option(help="public_research, hospital, ...")
    ] = None,
    foreign_party: Annotated[bool | None, typer.Option(help="A foreign party takes part.")] = None,
    exporter_foreign_controlled: Annotated[
        bool | None, typer.Option(help="The exporter is foreign or foreign-controlled.")
    ] = None,
    importer_role: Annotated[str | None, typer.Option(help="processes or stores_only.")] = None,
    government_funded: Annotated[bool | None, typer.Option(help="Government-funded data.")] = None,
    important_data: Annotated[
        bool | None, typer.Option(help="Identified as important data.")
    ] = None,
    exporter_ciio: Annotated[bool | None, typer.Option(help="Exporter is a CIIO.")] = None,
    sequencing: Annotated[bool | None, typer.Option(help="Exome/genome sequences.")] = None,
    marketing_authorisation_trial: Annotated[
        bool | None, typer.Option(help="Trial for a marketing authorisation in China.")
    ] = None,
    measure: Annotated[
        list[str] | None, typer.Option("--measure", help="Step already taken (repeat), e.g. scc.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, markdown or html.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here.")
    ] = None,
    rules_dir: RulesDir = None,
) -> None:
    """Assess a planned transfer and list its obligations (guidance, not legal advice).

    Example: ``permed transfer assess --from DE --to CN --data genetic --data pseudonymised
    --subjects 800 --purpose research --consent broad_research --format markdown -o report.md``
    """
    if output_format not in {"text", "json", "markdown", "html"}:
        raise ScenarioError("must be text, json, markdown or html", field="--format")
    rule_sets = load_rule_sets(_rule_dirs(rules_dir))
    measures_known = known_measures(rule_sets)
    flags = _flag_scenario({
        "exporter_country": from_country, "importer_country": to_country,
        "data_categories": data, "data_subjects": subjects, "purpose": purpose,
        "consent": consent, "legal_basis": legal_basis,
        "separate_consent": separate_consent, "exporter_type": exporter_type,
        "importer_type": importer_type, "foreign_party": foreign_party,
        "exporter_foreign_controlled": exporter_foreign_controlled,
        "importer_role": importer_role, "government_funded": government_funded,
        "important_data": important_data, "exporter_ciio": exporter_ciio,
        "sequencing": sequencing,
        "marketing_authorisation_trial": marketing_authorisation_trial,
        "measures": measure,
    })  # fmt: skip
    if scenario is not None:
        if flags:
            raise ScenarioError(
                f"give the scenario either as a file or as flags, not both ({', '.join(flags)})",
                field="--scenario",
            )
        parsed = read_scenario_file(scenario, known_measures=measures_known)
    else:
        parsed = parse_scenario(flags, known_measures=measures_known)
    result = assess_transfer(parsed, rule_sets=rule_sets)
    if output_format == "json":
        text = orjson.dumps(assessment_to_dict(result), option=orjson.OPT_INDENT_2).decode()
    elif output_format == "markdown":
        text = render_markdown(result)
    elif output_format == "html":
        text = render_html(result)
    else:
        text = ""
    if output is not None:
        output.write_text(text or render_markdown(result), encoding="utf-8")
        console.print(f"{result.verdict.value}; report written to {output}")
        return
    if text:
        typer.echo(text)
    else:
        _print_text(result)


def _print_text(result: Assessment) -> None:
    console.print(f"[bold]{result.disclaimer}[/] Rules last checked: {result.rules_checked}.")
    console.print(f"[bold]Verdict: {result.verdict.value}[/]", highlight=False)
    for effect, label in ((Effect.PROHIBITION, "NOT ALLOWED"), (Effect.OBLIGATION, "STEP"),
                          (Effect.SCOPE, "SCOPE"), (Effect.NOTE, "NOTE")):  # fmt: skip
        for f in result.of_effect(effect):
            done = " [done]" if f.satisfied else ""
            console.print(
                f"{label}{done} {f.obligation or f.title}  ({f.reference})", highlight=False
            )
            for item in f.evidence:
                console.print(f"    evidence: {item}", highlight=False)
            console.print(f"    rule {f.rule_id}: {'; '.join(f.matched)}", highlight=False)
    for item in result.missing:
        console.print(f"MISSING {item}", highlight=False)


@app.command("rules")
def rules(rules_dir: RulesDir = None) -> None:
    """List the rules with their legal references and check dates.

    Example: ``permed transfer rules --rules-dir ./my-rules``
    """
    for rule_set in load_rule_sets(_rule_dirs(rules_dir)):
        console.print(
            f"[bold]{rule_set.title}[/] ({rule_set.version}; checked {rule_set.date_checked})"
        )
        for rule in rule_set.rules:
            console.print(f"  {rule.id} [{rule.effect.value}] {rule.reference}", highlight=False)


register_duo_match(app, console)
