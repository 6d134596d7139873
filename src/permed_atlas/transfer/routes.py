"""Transfer pages (/transfer) and their JSON twins (/api/v1/transfer).

An assessment stores nothing, so the form needs no login and asks by GET: the address of
a result is the scenario, which a reader can bookmark, share or reopen in the form. (A GET
form carries no CSRF token, which would otherwise end up in addresses and logs; nothing
here changes state.) The JSON API takes the same fields as a JSON body.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from permed_atlas.countries import country_choices
from permed_atlas.i18n import lazy_gettext, localized
from permed_atlas.settings import Settings, existing_dirs
from permed_atlas.transfer.assessor import assess_transfer, known_measures
from permed_atlas.transfer.duo import DuoOntology, load_duo_ontology
from permed_atlas.transfer.duo_match import DataUseRequest, match_data_use
from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.fields import (
    FIELDS,
    GROUPS,
    ZH_SOURCE_NOTES,
    fields_in,
    value_label,
)
from permed_atlas.transfer.models import DISCLAIMER, Effect, RuleSet
from permed_atlas.transfer.report import (
    assessment_to_dict,
    render_markdown,
    route_of,
    rule_set_translations,
)
from permed_atlas.transfer.rules import load_rule_sets
from permed_atlas.transfer.scenario import parse_scenario
from permed_atlas.transfer.schemas import (
    DuoMatchCreate,
    DuoMatchPublic,
    DuoTermsPublic,
    RuleSetsPublic,
    ScenarioCreate,
    TransferAssessmentPublic,
)
from permed_atlas.web.deps import HeavyWork, SettingsDep, capability_routers, download, render
from permed_atlas.web.templating import templates

__all__ = ["api_router", "router"]

router, api_router = capability_routers("transfer")
# The words for the scenario's codes, for the assessor's pages and the helpdesk's flow.
templates.env.globals["transfer_value_label"] = value_label
templates.env.globals["transfer_value_labels"] = lambda codes: [value_label(c) for c in codes]
templates.env.globals["transfer_source_note"] = lambda text: (
    lazy_gettext(ZH_SOURCE_NOTES[text]) if text in ZH_SOURCE_NOTES else localized(text)
)

_LIST_FIELDS = tuple(spec.name for spec in FIELDS if spec.kind in {"categories", "names"})


def _rule_sets(settings: Settings) -> list[RuleSet]:
    # A deployment amends or adds rules by dropping files here; no code change.
    return load_rule_sets(existing_dirs(settings.transfer_rules_dir))


def _form_context(
    settings: Settings, values: dict[str, Any], error: ScenarioError | None = None
) -> dict[str, Any]:
    sets = _rule_sets(settings)
    return {
        "values": values, "error": error, "disclaimer": DISCLAIMER,
        "rules_checked": min((rs.date_checked for rs in sets), default=""),
        "rule_sets": sets, "measures": known_measures(sets),
        "groups": [(key, title, fields_in(key)) for key, title in GROUPS.items()],
        "countries": country_choices(),
    }  # fmt: skip


def _fields_from(items: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {name: [] for name in _LIST_FIELDS}
    for key, value in items:
        if key == "csrf_token" or value == "":
            continue
        if key in _LIST_FIELDS:
            values[key].append(value)
        elif key in values and values[key] != value:
            # An address with two answers to one question (?from=CN&from=DE) is read as
            # neither: the parser names the field.
            kept = values[key]
            values[key] = [*(kept if isinstance(kept, list) else [kept]), value]
        else:
            values[key] = value
    return values


def _scenario_items(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # ?lang= chooses the page's language (the middleware reads it); it is not a fact.
    return [(k, v) for k, v in pairs if k not in {"csrf_token", "lang"} and v != ""]


@router.get("/")
def transfer_form(request: Request, settings: SettingsDep) -> Response:
    """The scenario form, with the disclaimer and the rules' check date.

    A query string fills it in: "change this scenario" and "assess another" on a result page
    come back here with the scenario's own answers.
    """
    values = _fields_from(_scenario_items(list(request.query_params.multi_items())))
    return render(request, "transfer/form.html", _form_context(settings, values))


@router.get("/assess")
def transfer_assessment(_assessing: HeavyWork, request: Request, settings: SettingsDep) -> Response:
    """The assessment of the scenario in the query string: a page its reader can bookmark.

    An assessment stores nothing, so the form asks by GET and the address is the answer.
    Bad input re-renders the form naming the field, with what was typed kept.
    """
    items = _scenario_items(list(request.query_params.multi_items()))
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
    query = urlencode(items)
    return render(
        request, "transfer/result.html",
        {"a": result, "Effect": Effect, "report_query": query, "route": route_of(result),
         "data": assessment_to_dict(result)},
    )  # fmt: skip


@router.get("/report.md")
def transfer_report_markdown(
    _assessing: HeavyWork, request: Request, settings: SettingsDep
) -> Response:
    """The Markdown report of the scenario in the query string (a download)."""
    values = _fields_from(_scenario_items(list(request.query_params.multi_items())))
    sets = _rule_sets(settings)
    scenario = parse_scenario(
        {k: v for k, v in values.items() if v not in ([], None)},
        known_measures=known_measures(sets),
    )
    body = render_markdown(assess_transfer(scenario, rule_sets=sets))
    return download(
        body, media_type="text/markdown; charset=utf-8", filename="transfer-assessment.md"
    )


@router.get("/rules")
def transfer_rules_page(request: Request, settings: SettingsDep) -> Response:
    """Every rule with its reference, source and date checked."""
    sets = _rule_sets(settings)
    return render(request, "transfer/rules.html", {"rule_sets": sets, "disclaimer": DISCLAIMER})


@api_router.post("/assess", response_model=TransferAssessmentPublic)
def api_assess(
    _assessing: HeavyWork, body: ScenarioCreate, settings: SettingsDep
) -> dict[str, Any]:
    """Assess a planned transfer: obligations with references, missing facts, verdict.

    Guidance, not legal advice. Bad or contradictory input: 422 naming the field.
    """
    sets = _rule_sets(settings)
    scenario = parse_scenario(body.to_fields(), known_measures=known_measures(sets))
    return assessment_to_dict(assess_transfer(scenario, rule_sets=sets))


@api_router.get("/rules", response_model=RuleSetsPublic)
def api_rules(settings: SettingsDep) -> dict[str, Any]:
    """The rule files: law, version, source, date checked and each rule's reference."""
    sets = _rule_sets(settings)
    return {
        "disclaimer": DISCLAIMER,
        "rule_sets": [
            {"law": rs.law, "title": rs.title, "version": rs.version, "source": rs.source,
             "date_checked": rs.date_checked, **rule_set_translations(rs),
             "rules": [{"id": r.id, "title": r.title, "effect": r.effect.value,
                        "reference": str(r.reference), "explanation": r.explanation,
                        "source": r.source, "date_checked": r.date_checked,
                        "title_zh": r.title_zh} for r in rs.rules]}
            for rs in sets
        ],
    }  # fmt: skip


@api_router.get("/duo/terms", response_model=DuoTermsPublic)
def api_duo_terms() -> dict[str, Any]:
    """The DUO terms parsed from the bundled OWL release, with their direct superclasses."""
    duo = _duo()
    return {
        "version": duo.version,
        "terms": [
            {"id": t.id, "shorthand": t.shorthand, "label": t.label, "kind": t.kind,
             "definition": t.definition, "parents": list(t.parents),
             "restricted_to": list(t.restricted_to), "replaced_by": list(t.replaced_by),
             "label_zh": t.label_zh, "label_zh_source": t.label_zh_source}
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
        outcome=match.outcome, allowed=match.allowed, reasons=match.reasons,
        blocking=match.blocking, permitted_by=match.permitted_by, review=match.review,
    )  # fmt: skip


@lru_cache(maxsize=1)
def _duo() -> DuoOntology:
    return load_duo_ontology()
