"""Pydantic I/O of the transfer API: the scenario a client posts and the DUO match request.

Types are kept loose on purpose (strings, not enums): the scenario parser does
the semantic checks and its errors name the field and list the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from permed_atlas.api_schemas import Answer, schema_of
from permed_atlas.transfer.duo_match import (
    MAX_CONSENT_TERMS,
    MAX_REQUEST_REGIONS,
    DataUseRequest,
)
from permed_atlas.transfer.fields import FIELDS, FieldSpec


class _ScenarioBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def to_fields(self) -> dict[str, Any]:
        """The fields the client set, for :func:`parse_scenario`."""
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if v != []}


def _field_type(spec: FieldSpec) -> tuple[Any, Any]:
    described = spec.label + (f"; one of {', '.join(spec.choices)}" if spec.choices else "")
    if spec.kind == "country":
        if spec.required:
            return str, Field(description=described, examples=["Germany", "DE", "EU/EEA"])
        return str | None, Field(default=None, description=described)
    if spec.kind in {"categories", "names"}:
        if spec.required:
            return list[str], Field(description=described, examples=[["genetic", "pseudonymised"]])
        return list[str], Field(default_factory=list, description=described)
    if spec.kind == "count":
        return int | None, Field(default=None, description=described)
    if spec.kind == "yesno":
        return bool | None, Field(default=None, description=described)
    if spec.kind == "text":
        return str, Field(default="", description=described)
    return str | None, Field(default=None, description=described)


# Built from the one declaration of the fields (transfer/fields.py); loose types on purpose:
# the scenario parser does the semantic checks and its errors name the field.
ScenarioCreate = create_model(  # type: ignore[call-overload]
    "ScenarioCreate",
    __base__=_ScenarioBase,
    __doc__="A planned transfer, as posted to ``POST /api/v1/transfer/assess``.",
    **{spec.name: _field_type(spec) for spec in FIELDS},
)


class _DuoMatchBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Anyone may post a match and it runs on a worker thread outside the admission gates:
    # the lists are capped so that no body of a few kilobytes holds a thread for minutes.
    consent: list[str] = Field(examples=[["HMB", "NCU", "GS=EU27"]], max_length=MAX_CONSENT_TERMS)


# The requester's statements are DataUseRequest's fields, declared there once.
DuoMatchCreate = schema_of(
    DataUseRequest,
    name="DuoMatchCreate",
    base=_DuoMatchBase,
    doc="A DUO match request: the dataset's consent codes and the requester's statements.",
    defaults=True,
    fields={
        "purpose": Field(examples=["DUO:0000006"]),
        "regions": (list[str], Field(default_factory=list, max_length=MAX_REQUEST_REGIONS)),
        "duration_months": Field(default=None, ge=0),
    },
)


class DuoMatchPublic(BaseModel):
    """The verdict of a DUO match and its reasons.

    ``outcome`` is allowed, needs_review (an access committee must verify the
    codes in ``review``) or not_allowed; ``allowed`` is true only for allowed.
    """

    outcome: Literal["allowed", "needs_review", "not_allowed"]
    allowed: bool
    review: list[str]
    reasons: list[str]
    blocking: list[str]
    permitted_by: list[str]


# The answers below mirror the dicts of transfer/report.py and routes.py key for key;
# their base (``Answer``) makes a key added there without its field here fail the response.
def _stated_type(spec: FieldSpec) -> tuple[Any, Any]:
    """A scenario field as the assessment echoes it back: None where not stated."""
    if spec.kind in {"categories", "names"}:
        return list[str], Field(description=spec.label)
    if spec.kind == "count":
        return int | None, Field(description=spec.label)
    if spec.kind == "yesno":
        return bool | None, Field(description=spec.label)
    if spec.kind == "text":
        return str, Field(description=spec.label)
    return str | None, Field(description=spec.label)


ScenarioPublic = create_model(  # type: ignore[call-overload]
    "ScenarioPublic",
    __base__=Answer,
    __doc__="The scenario as the assessment read it: every declared field, None where not stated.",
    **{spec.name: _stated_type(spec) for spec in FIELDS},
)

TransferVerdictPublic = Literal[
    "allowed as described",
    "allowed with listed steps",
    "not allowed as described",
    "not covered by the rule set",
]
RuleEffectPublic = Literal["obligation", "prohibition", "note", "scope"]


class FindingPublic(Answer):
    """A rule that fired, with the article it rests on and why it applies."""

    rule_id: str
    law: str
    effect: RuleEffectPublic
    title: str
    obligation: str
    reference: str
    explanation: str
    evidence: list[str]
    references: list[str]
    matched_conditions: list[str]
    satisfied: bool
    satisfied_by: list[str]
    met_because: list[str]
    source: str
    date_checked: str
    # beside the English, never instead of it: "" or [] where not translated
    title_zh: str = ""
    obligation_zh: str = ""
    explanation_zh: str = ""
    evidence_zh: list[str] = Field(
        default_factory=list, description="the evidence in Chinese, item for item, or empty"
    )


class MissingFactPublic(Answer):
    field: str
    question: str
    needed_for: list[str]


class UndecidedRulePublic(Answer):
    rule_id: str
    law: str
    title: str
    effect: RuleEffectPublic
    reference: str
    missing_facts: list[str]


class _RuleSetAbout(Answer):
    """What a rule set says about itself, shared by its summary and its full form."""

    law: str
    title: str
    version: str
    source: str
    date_checked: str
    # Each subclass says what ``rules`` holds; declared here so it keeps its place in the JSON.
    rules: Any
    title_zh: str = Field("", description="the law's Chinese title (a Chinese law's official one)")
    title_zh_source: str = Field(
        "", description="who wrote title_zh when it is not the law's own, and whether reviewed"
    )
    rules_zh_source: str = Field("", description="who wrote the rules' Chinese texts")


class RuleSetSummaryPublic(_RuleSetAbout):
    rules: int = Field(description="how many rules the set holds")


class TransferAssessmentPublic(Answer):
    """The assessment of a planned transfer (guidance, not legal advice)."""

    verdict: TransferVerdictPublic
    complete: bool
    only_questions_left: bool
    disclaimer: str
    rules_checked: str = Field(description="which rule sets were checked, in words")
    scenario: ScenarioPublic  # type: ignore[valid-type]
    parties: list[str]
    not_covered: list[str]
    assumptions: list[str]
    obligations: list[FindingPublic]
    prohibitions: list[FindingPublic]
    scope: list[FindingPublic]
    notes: list[FindingPublic]
    missing: list[str]
    missing_facts: list[MissingFactPublic]
    undecided: list[UndecidedRulePublic]
    fired_rules: list[str]
    rule_sets: list[RuleSetSummaryPublic]
    facts: dict[str, Any] = Field(
        description="every fact the rules tested (stated and derived), by name"
    )


class RulePublic(Answer):
    id: str
    title: str
    effect: RuleEffectPublic
    reference: str
    explanation: str
    source: str
    date_checked: str
    title_zh: str = Field("", description="the rule's title in Chinese (see rules_zh_source)")


class RuleSetPublic(_RuleSetAbout):
    rules: list[RulePublic]


class RuleSetsPublic(Answer):
    disclaimer: str
    rule_sets: list[RuleSetPublic]


class DuoTermPublic(Answer):
    id: str
    shorthand: str | None
    label: str
    kind: str = Field(description="permission, modifier, investigation, obsolete or other")
    definition: str
    parents: list[str]
    restricted_to: list[str]
    replaced_by: list[str]
    label_zh: str = Field("", description="our Chinese label (DUO publishes English only)")
    label_zh_source: str = Field("", description="who wrote label_zh, and whether reviewed")


class DuoTermsPublic(Answer):
    version: str
    terms: list[DuoTermPublic]
