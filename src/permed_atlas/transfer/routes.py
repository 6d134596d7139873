"""Transfer pages (/transfer) and their JSON twins (/api/v1/transfer).

An assessment stores nothing, so the form needs no login; its POST is still
CSRF-protected. The JSON API takes the same fields as a JSON body.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from permed_atlas.settings import Settings
from permed_atlas.transfer.assessor import assess_transfer, known_measures
from permed_atlas.transfer.duo import DuoOntology, load_duo_ontology
from permed_atlas.transfer.duo_match import DataUseRequest, match_data_use
from permed_atlas.transfer.engine import FACTS
from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.models import (
    CONSENTS,
    DATA_CATEGORIES,
    DISCLAIMER,
    IMPORTER_ROLES,
    LEGAL_BASES,
    PARTY_TYPES,
    PURPOSES,
    Effect,
    RuleSet,
)
from permed_atlas.transfer.report import assessment_to_dict, render_markdown
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.scenario import parse_scenario
from permed_atlas.transfer.schemas import DuoMatchCreate, DuoMatchPublic, ScenarioCreate
from permed_atlas.web.deps import CsrfProtected, FormDep, SettingsDep, render

__all__ = ["api_router", "router"]

router = APIRouter(prefix="/transfer", tags=["transfer"], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/transfer", tags=["transfer"])

_LIST_FIELDS = ("data_categories", "measures")
_BOOL_FIELDS = (
    "separate_consent", "foreign_party", "exporter_foreign_controlled", "government_funded",
    "important_data", "exporter_ciio", "sequencing", "marketing_authorisation_trial",
)  # fmt: skip


def _rule_sets(settings: Settings) -> list[RuleSet]:
    # A deployment amends or adds rules by dropping files here; no code change.
    extra = settings.data_dir / "transfer_rules"
    return load_rule_sets([extra] if extra.is_dir() else [])


def _form_context(
    settings: Settings, values: dict[str, Any], error: ScenarioError | None = None
) -> dict[str, Any]:
    sets = _rule_sets(settings)
    return {
        "values": values, "error": error, "disclaimer": DISCLAIMER,
        "rules_checked": min((rs.date_checked for rs in sets), default=""),
        "rule_sets": sets, "measures": known_measures(sets), "categories": DATA_CATEGORIES,
        "purposes": PURPOSES, "consents": CONSENTS, "legal_bases": LEGAL_BASES,
        "party_types": PARTY_TYPES, "importer_roles": IMPORTER_ROLES,
        "bool_fields": [(name, FACTS[name]) for name in _BOOL_FIELDS],
    }  # fmt: skip


def _fields_from(items: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {name: [] for name in _LIST_FIELDS}
    for key, value in items:
        if key == "csrf_token" or value == "":
            continue
        if key in _LIST_FIELDS:
            values[key].append(value)
        else:
            values[key] = value
    return values


@router.get("/")
def transfer_form(request: Request, settings: SettingsDep) -> Response:
    """The scenario form, with the disclaimer and the rules' check date."""
    return render(request, "transfer/form.html", _form_context(settings, {"data_categories": []}))


@router.post("/assess")
def transfer_assess_form(
    request: Request, settings: SettingsDep, _csrf: CsrfProtected, form: FormDep
) -> Response:
    """Assess the scenario posted by the form; bad input re-renders the form naming the field."""
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    values = _fields_from(items)
    sets = _rule_sets(settings)
    try:
        scenario = parse_scenario(
            {k: v for k, v in values.items() if v not in ([], None)},
            known_measures=known_measures(sets),
        )
    except ScenarioError as exc:
        context = _form_context(settings, values, exc)
        return render(request, "transfer/form.html", context, status_code=422)
    result = assess_transfer(scenario, rule_sets=sets)
    query = urlencode([(k, v) for k, v in items if k != "csrf_token" and v != ""])
    return render(
        request, "transfer/result.html",
        {"a": result, "Effect": Effect, "report_query": query,
         "data": assessment_to_dict(result)},
    )  # fmt: skip


@router.get("/report.md")
def transfer_report_markdown(request: Request, settings: SettingsDep) -> Response:
    """The Markdown report of the scenario in the query string (a download)."""
    values = _fields_from(list(request.query_params.multi_items()))
    sets = _rule_sets(settings)
    scenario = parse_scenario(
        {k: v for k, v in values.items() if v not in ([], None)},
        known_measures=known_measures(sets),
    )
    body = render_markdown(assess_transfer(scenario, rule_sets=sets))
    return Response(
        body, media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="transfer-assessment.md"'},
    )  # fmt: skip


@router.get("/rules")
def transfer_rules_page(request: Request, settings: SettingsDep) -> Response:
    """Every rule with its reference, source and date checked."""
    sets = _rule_sets(settings)
    return render(request, "transfer/rules.html", {"rule_sets": sets, "disclaimer": DISCLAIMER})


@api_router.post("/assess")
def api_assess(body: ScenarioCreate, settings: SettingsDep) -> dict[str, Any]:
    """Assess a planned transfer: obligations with references, missing facts, verdict.

    Guidance, not legal advice. Bad or contradictory input: 422 naming the field.
    """
    sets = _rule_sets(settings)
    scenario = parse_scenario(body.to_fields(), known_measures=known_measures(sets))
    return assessment_to_dict(assess_transfer(scenario, rule_sets=sets))


@api_router.get("/rules")
def api_rules(settings: SettingsDep) -> dict[str, Any]:
    """The rule files: law, version, source, date checked and each rule's reference."""
    sets = _rule_sets(settings)
    return {
        "disclaimer": DISCLAIMER,
        "rule_sets": [
            {"law": rs.law, "title": rs.title, "version": rs.version, "source": rs.source,
             "date_checked": rs.date_checked,
             "rules": [{"id": r.id, "title": r.title, "effect": r.effect.value,
                        "reference": str(r.reference), "explanation": r.explanation,
                        "source": r.source, "date_checked": r.date_checked} for r in rs.rules]}
            for rs in sets
        ],
    }  # fmt: skip


@api_router.get("/duo/terms")
def api_duo_terms() -> dict[str, Any]:
    """The DUO terms parsed from the bundled OWL release, with their direct superclasses."""
    duo = _duo()
    return {
        "version": duo.version,
        "terms": [
            {"id": t.id, "shorthand": t.shorthand, "label": t.label, "kind": t.kind,
             "definition": t.definition, "parents": list(t.parents),
             "restricted_to": list(t.restricted_to), "replaced_by": list(t.replaced_by)}
            for t in duo
        ],
    }  # fmt: skip


@api_router.post("/duo-match", response_model=DuoMatchPublic)
def api_duo_match(body: DuoMatchCreate) -> DuoMatchPublic:
    """Match a request's purpose against a dataset's DUO consent codes, with reasons."""
    fields = body.model_dump()
    consent = fields.pop("consent")
    fields["regions"] = tuple(fields["regions"])
    match = match_data_use(consent, DataUseRequest(**fields), ontology=_duo())
    return DuoMatchPublic(
        allowed=match.allowed, reasons=match.reasons, blocking=match.blocking,
        permitted_by=match.permitted_by,
    )  # fmt: skip


@lru_cache(maxsize=1)
def _duo() -> DuoOntology:
    return load_duo_ontology()
