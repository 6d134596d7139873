"""Pydantic I/O of the transfer API: the scenario a client posts and the DUO match request.

Types are kept loose on purpose (strings, not enums): the scenario parser does
the semantic checks and its errors name the field and list the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ScenarioCreate(BaseModel):
    """A planned transfer, as posted to ``POST /api/v1/transfer/assess``."""

    model_config = ConfigDict(extra="forbid")

    exporter_country: str = Field(examples=["DE"], description="ISO 3166-1 alpha-2")
    importer_country: str = Field(examples=["CN"], description="ISO 3166-1 alpha-2")
    data_categories: list[str] = Field(examples=[["genetic", "pseudonymised"]])
    data_subjects: int | None = Field(default=None, description="cumulative since 1 January")
    purpose: str | None = Field(default=None, examples=["research"])
    consent: str | None = Field(default=None, examples=["broad_research"])
    legal_basis: str | None = None
    separate_consent: bool | None = None
    exporter_type: str | None = None
    importer_type: str | None = None
    foreign_party: bool | None = None
    exporter_foreign_controlled: bool | None = None
    importer_role: str | None = None
    government_funded: bool | None = None
    important_data: bool | None = None
    exporter_ciio: bool | None = None
    sequencing: bool | None = None
    marketing_authorisation_trial: bool | None = None
    measures: list[str] = Field(default_factory=list, examples=[["scc"]])
    title: str = ""

    def to_fields(self) -> dict[str, Any]:
        """The fields the client set, for :func:`parse_scenario`."""
        return self.model_dump(exclude_none=True)


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
