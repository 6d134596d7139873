"""Pydantic I/O of the transfer API: the scenario a client posts and the DUO match request.

Types are kept loose on purpose (strings, not enums): the scenario parser does
the semantic checks and its errors name the field and list the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

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


class DuoMatchCreate(BaseModel):
    """A DUO match request: the dataset's consent codes and the requester's statements."""

    model_config = ConfigDict(extra="forbid")

    consent: list[str] = Field(examples=[["HMB", "NCU", "GS=EU27"]])
    purpose: str = Field(examples=["DUO:0000006"])
    disease: str | None = None
    commercial: bool | None = None
    not_for_profit: bool | None = None
    clinical_care: bool = False
    genetic_study: bool | None = None
    methods_development: bool | None = None
    country: str | None = None
    regions: list[str] = Field(default_factory=list)
    will_publish: bool | None = None
    accepts_moratorium: bool | None = None
    ethics_approval: bool | None = None
    collaboration: bool | None = None
    will_return_data: bool | None = None
    approved_user: bool | None = None
    approved_project: bool | None = None
    approved_institution: bool | None = None
    duration_months: int | None = Field(default=None, ge=0)


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
