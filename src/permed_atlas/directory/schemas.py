"""Pydantic I/O of the directory's JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EntryUpdate(BaseModel):
    """Fields to change in an entry (editors). Omitted fields stay; null clears an optional one.

    Kind-specific fields (funders, years, status, jurisdiction, ...) are refused for kinds
    that do not have them.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=300)
    acronym: str | None = Field(default=None, max_length=80)
    summary: str | None = Field(default=None, max_length=2000)
    regions: list[str] | None = Field(default=None, max_length=100)
    url: str | None = Field(default=None, max_length=1000)
    source: str | None = Field(default=None, max_length=2000)
    date_checked: str | None = Field(default=None, max_length=10)
    keywords: list[str] | None = Field(default=None, max_length=100)
    related: list[str] | None = Field(default=None, max_length=100)
    funders: list[str] | None = Field(default=None, max_length=50)
    years: str | None = Field(default=None, max_length=20)
    status: str | None = Field(default=None, max_length=20)
    programme: str | None = Field(default=None, max_length=80)
    parent: str | None = Field(default=None, max_length=80)
    jurisdiction: str | None = Field(default=None, max_length=40)
    in_force: str | None = Field(default=None, max_length=10)
    transfer_rules: str | None = Field(default=None, max_length=80)
    reference: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=2)
    bbmri_eric: str | None = Field(default=None, max_length=20)
    organisation: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=2000)
    unconfirmed: list[str] | None = Field(default=None, max_length=30)
    confirmed: bool | None = None
    comment: str | None = Field(default=None, max_length=500, description="why (history)")
    base_revision: int | None = Field(
        default=None, ge=1, description="the revision you edited; refused if it moved on"
    )


class RestoreCreate(BaseModel):
    """Make an earlier revision current again (as a new revision)."""

    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1)
    comment: str | None = Field(default=None, max_length=500)


class FundingMatchCreate(BaseModel):
    """A project to match against programmes and calls."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=20_000)
    regions: list[str] = Field(default_factory=list, max_length=60)
    limit: int = Field(default=10, ge=1, le=100)
    coverage: Literal["all", "any"] = "all"
