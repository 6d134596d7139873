"""``permed transfer ...``: assess a planned transfer, list the rules, match DUO consent."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from permed_atlas.cli_state import cli_console, group_app, settings_from
from permed_atlas.i18n import Message, language_option, use_language
from permed_atlas.outputfiles import write_atomic
from permed_atlas.settings import existing_dirs
from permed_atlas.transfer.assessor import assess_transfer, known_measures
from permed_atlas.transfer.duo_cli import register_duo_match
from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.fields import FIELDS, FieldSpec
from permed_atlas.transfer.models import Assessment, Effect
from permed_atlas.transfer.report import assessment_to_dict, render_html, render_markdown
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.scenario import parse_scenario, read_scenario_file

app = group_app("transfer")
console = cli_console()

RulesDir = Annotated[
    list[Path] | None,
    typer.Option("--rules-dir", help="Extra folder of rule files (adds or amends rules)."),
]


def _rule_dirs(ctx: typer.Context, extra: list[Path] | None) -> list[Path]:
    """The deployment's rule folder (``<data_dir>/transfer_rules``, if any), then ``extra``."""
    return existing_dirs(settings_from(ctx).transfer_rules_dir) + list(extra or ())


def _flag_scenario(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if value not in (None, [], "")}


def _option(spec: FieldSpec) -> inspect.Parameter:
    """The CLI option of one declared field (``--from``, ``--data`` repeated, ``--no-x``)."""
    help_text = spec.label + (f": {', '.join(spec.choices)}" if spec.choices else "")
    kinds: dict[str, Any] = {"count": int | None, "yesno": bool | None,
                             "categories": list[str] | None, "names": list[str] | None}  # fmt: skip
    names = [spec.cli_option]
    if spec.kind == "yesno":
        names = [f"{spec.cli_option}/--no-{spec.cli_option[2:]}"]
    if spec.kind in {"categories", "names"}:
        help_text += " (repeat)"
    annotation = Annotated[  # type: ignore[valid-type]
        kinds.get(spec.kind, str | None), typer.Option(*names, help=help_text)
    ]
    return inspect.Parameter(
        spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )


def _assess(**options: Any) -> None:
    r"""Assess a planned transfer and list its obligations (guidance, not legal advice).

    Example:

    permed transfer assess --from Germany --to China --data genetic \
      --data pseudonymised --subjects 800 --purpose research \
      --consent broad_research --format markdown -o report.md
    """
    ctx: typer.Context = options.pop("ctx")
    scenario: Path | None = options.pop("scenario")
    output_format: str = options.pop("output_format")
    output: Path | None = options.pop("output")
    rules_dir: list[Path] | None = options.pop("rules_dir")
    language = language_option(options.pop("lang"))
    if output_format not in {"text", "json", "markdown", "html"}:
        raise ScenarioError(Message("must be text, json, markdown or html"), field="--format")
    rule_sets = load_rule_sets(_rule_dirs(ctx, rules_dir))
    measures_known = known_measures(rule_sets)
    flags = _flag_scenario(options)
    if scenario is not None:
        if flags:
            raise ScenarioError(
                Message(
                    "give the scenario either as a file or as flags, not both (%(flags)s)",
                    flags=", ".join(flags),
                ),
                field="--scenario",
            )
        parsed = read_scenario_file(scenario, known_measures=measures_known)
    else:
        parsed = parse_scenario(flags, known_measures=measures_known)
    result = assess_transfer(parsed, rule_sets=rule_sets)
    with use_language(language):
        _emit(result, output_format=output_format, output=output)


# Typer passes the context to the parameter annotated typer.Context (the settings live there).
_CONTEXT = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                             annotation=typer.Context)  # fmt: skip
_FIXED = [
    inspect.Parameter("scenario", inspect.Parameter.KEYWORD_ONLY, default=None,
                      annotation=Annotated[Path | None, typer.Option(
                          "--scenario", help="YAML or JSON scenario file.")]),
    inspect.Parameter("output_format", inspect.Parameter.KEYWORD_ONLY, default="text",
                      annotation=Annotated[str, typer.Option(
                          "--format", help="text, json, markdown or html.")]),
    inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None,
                      annotation=Annotated[Path | None, typer.Option(
                          "--output", "-o", help="Write the report here.")]),
    inspect.Parameter("rules_dir", inspect.Parameter.KEYWORD_ONLY, default=None,
                      annotation=RulesDir),
    inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default="en",
                      annotation=Annotated[str, typer.Option(
                          "--lang", help="The report's language (markdown, html): en or zh.")]),
]  # fmt: skip
# The options are derived from the one declaration of the scenario's fields (fields.py):
# Typer reads a function's signature, so the command gets one that lists them.
_PARAMETERS = [_CONTEXT, *(_option(spec) for spec in FIELDS if spec.kind != "text"), *_FIXED]
_assess.__signature__ = inspect.Signature(_PARAMETERS)  # type: ignore[attr-defined]
_assess.__annotations__ = {p.name: p.annotation for p in _PARAMETERS}
assess = app.command("assess")(_assess)


def _emit(result: Assessment, *, output_format: str, output: Path | None) -> None:
    if output_format == "json":
        text = orjson.dumps(assessment_to_dict(result), option=orjson.OPT_INDENT_2).decode()
    elif output_format == "markdown":
        text = render_markdown(result)
    elif output_format == "html":
        text = render_html(result)
    else:
        text = ""
    if output is not None:
        write_atomic(output, text or render_markdown(result))
        console.print(f"{result.verdict.value}; report written to {output}")
        return
    if text:
        typer.echo(text)
    else:
        _print_text(result)


def _print_text(result: Assessment) -> None:
    console.print(f"[bold]{result.disclaimer}[/] Rules last checked: {result.rules_checked}.")
    console.print(f"Transfer {' '.join(result.parties)}", highlight=False)
    console.print(f"[bold]Verdict: {result.verdict.value}[/]", highlight=False)
    for item in result.not_covered:
        console.print(f"NOT COVERED {item}", highlight=False)
    for item in result.assumptions:
        console.print(f"ASSUMED {item}", highlight=False)
    for effect, label in ((Effect.PROHIBITION, "NOT ALLOWED"), (Effect.OBLIGATION, "STEP"),
                          (Effect.SCOPE, "SCOPE"), (Effect.NOTE, "NOTE")):  # fmt: skip
        for f in result.of_effect(effect):
            shown = "MET" if f.satisfied else label
            refs = "; ".join(str(r) for r in f.references)
            console.print(
                f"{shown} {f.obligation or f.title}  ({refs})", highlight=False, markup=False
            )
            if f.satisfied:
                met = ", ".join(f.satisfied_by + f.met_because)
                console.print(f"    met by: {met}", highlight=False, markup=False)
            for item in f.evidence:
                console.print(f"    evidence: {item}", highlight=False)
            console.print(f"    rule {f.rule_id}: {'; '.join(f.matched)}", highlight=False)
    for item in result.missing:
        console.print(f"MISSING {item}", highlight=False, markup=False)
    if result.only_questions_left:
        console.print(
            "Every duty that applies is met; the remaining steps are the questions above."
        )


@app.command("rules")
def rules(ctx: typer.Context, rules_dir: RulesDir = None) -> None:
    """List the rules with their legal references and check dates.

    Example:

    permed transfer rules --rules-dir ./my-rules
    """
    for rule_set in load_rule_sets(_rule_dirs(ctx, rules_dir)):
        console.print(
            f"[bold]{rule_set.title}[/] ({rule_set.version}; checked {rule_set.date_checked})"
        )
        for rule in rule_set.rules:
            console.print(f"  {rule.id} [{rule.effect.value}] {rule.reference}", highlight=False)


register_duo_match(app, console)
