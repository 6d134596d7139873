"""``permed transfer duo-match``, with one option per request fact.

The options are built from :class:`DataUseRequest`'s fields and the modifier
table, not written by hand: a fact a new modifier reads becomes an option, and
each option's help names the DUO modifiers that read it.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Annotated, Any

import typer
from rich.console import Console

from permed_atlas.transfer._duo_modifiers import attestation_help, request_fields_by_modifier
from permed_atlas.transfer.duo import load_duo_ontology
from permed_atlas.transfer.duo_match import DataUseRequest, match_data_use

# Exit codes: 0 allowed, 3 needs committee review, 2 not allowed (as before).
EXIT_CODES = {"allowed": 0, "needs_review": 3, "not_allowed": 2}
LABELS = {
    "allowed": "allowed",
    "needs_review": "needs committee review",
    "not_allowed": "not allowed",
}

_BASE_HELP = {
    "purpose": "DUO purpose: a permission (GRU, HMB, DS, POA) or an investigation term "
    "(DUO:0000031-DUO:0000040).",
    "disease": "Disease studied: ICD-10 code, range or chapter:N, MONDO id, or label.",
    "country": "Requester country: ISO code or English name (DE, DEU, Germany).",
    "regions": "Region the requester belongs to (repeat), e.g. EU27.",
    "clinical_care": "The data will be used in clinical care.",
    "duration_months": "Months the data will be used.",
}


def _option_help(name: str, readers: dict[str, list[str]], meanings: dict[str, str]) -> str:
    text = _BASE_HELP.get(name) or meanings.get(name, name.replace("_", " ")).capitalize() + "."
    if name in readers:
        text += f" Read by DUO {', '.join(readers[name])}."
    return text


def _parameters() -> list[inspect.Parameter]:
    readers, meanings = request_fields_by_modifier(), attestation_help()
    params = [
        inspect.Parameter(
            "consent",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                list[str], typer.Option("--consent", help="DUO code (repeat), e.g. HMB, GS=EU27.")
            ],
        )
    ]
    for spec in dataclasses.fields(DataUseRequest):
        help_text = _option_help(spec.name, readers, meanings)
        if spec.name == "purpose":
            annotation: Any = Annotated[str, typer.Option(help=help_text)]
            default: Any = inspect.Parameter.empty
        elif spec.name == "regions":
            annotation, default = Annotated[list[str], typer.Option("--region", help=help_text)], []
        elif spec.name == "clinical_care":
            annotation, default = Annotated[bool, typer.Option(help=help_text)], False
        elif spec.type in ("int | None", int | None):
            annotation, default = Annotated[int | None, typer.Option(min=0, help=help_text)], None
        elif spec.type in ("bool | None", bool | None):
            annotation, default = Annotated[bool | None, typer.Option(help=help_text)], None
        else:
            annotation, default = Annotated[str | None, typer.Option(help=help_text)], None
        params.append(
            inspect.Parameter(
                spec.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
    return params


def register_duo_match(app: typer.Typer, console: Console) -> None:
    """Add ``duo-match`` to the transfer CLI."""

    def duo_match(**options: Any) -> None:
        consent = options.pop("consent")
        options["regions"] = tuple(r.upper() for r in options.get("regions") or ())
        match = match_data_use(consent, DataUseRequest(**options), ontology=load_duo_ontology())
        console.print(f"[bold]{LABELS[match.outcome]}[/]")
        for reason in match.reasons:
            console.print(f"  - {reason}", highlight=False)
        if match.review:
            console.print(f"  to verify: {', '.join(match.review)}", highlight=False)
        if EXIT_CODES[match.outcome]:
            raise typer.Exit(code=EXIT_CODES[match.outcome])

    duo_match.__signature__ = inspect.Signature(_parameters())  # type: ignore[attr-defined]
    duo_match.__doc__ = (
        "Match a data-use request against DUO consent codes and show the reasoning.\n\n"
        "Outcome: allowed (exit 0), needs committee review (exit 3: a condition the "
        "dataset sets must be verified), not allowed (exit 2).\n\n"
        "Example:\n\n"
        "permed transfer duo-match --consent HMB --consent NCU --purpose DS \\\n"
        "  --disease C50 --no-commercial"
    )
    app.command("duo-match")(duo_match)
