"""Pydantic I/O of the directory's JSON API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from permed_atlas.api_schemas import Answer


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
    name_zh: str | None = Field(default=None, max_length=500, description="see name_zh_source")
    name_zh_source: str | None = Field(default=None, max_length=500)
    summary_zh: str | None = Field(default=None, max_length=2000, description="summary in Chinese")
    zh_to_review: list[str] | None = Field(
        default=None, max_length=2, description="name_zh, summary_zh: Chinese still to review"
    )
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
    base_revision: int | None = Field(
        default=None,
        ge=1,
        description="the current revision when the editor chose to restore; refused if "
        "someone saved a newer one since",
    )


class FundingMatchCreate(BaseModel):
    """A project to match against programmes and calls."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=20_000)
    regions: list[str] = Field(default_factory=list, max_length=60)
    limit: int = Field(default=10, ge=1, le=100)
    coverage: Literal["all", "any"] = "all"


# The answers below mirror DirectoryEntry.to_dict and directory/exports.py key for key.
# Kind-specific fields are present only for the kinds that have them, so the routes answer
# with ``response_model_exclude_unset``: a field the entry lacks stays absent, not null.
# As each is an Answer, a key added there without its field here fails the response.
# populate_by_name: a field whose key is not its name (`json_`, key "json") takes either.
class _Answer(Answer):
    model_config = ConfigDict(populate_by_name=True)


class EntryDataPublic(_Answer):
    """An entry in the data files' flat shape; kind-specific fields only where the kind has them."""

    id: str
    kind: str
    name: str
    acronym: str | None
    summary: str
    regions: list[str]
    url: str | None
    source: str
    date_checked: str
    keywords: list[str]
    related: list[str]
    funders: list[str] | None = Field(default=None, description="programme, call")
    years: str | None = Field(default=None, description="programme, call, initiative")
    status: str | None = Field(default=None, description="programme, call")
    programme: str | None = Field(default=None, description="call")
    parent: str | None = Field(default=None, description="funder")
    jurisdiction: str | None = Field(default=None, description="law")
    in_force: str | None = Field(default=None, description="law")
    transfer_rules: str | None = Field(default=None, description="law")
    reference: str | None = Field(default=None, description="law")
    country: str | None = Field(default=None, description="funder, biobank")
    bbmri_eric: str | None = Field(default=None, description="biobank")
    organisation: str | None = Field(default=None, description="standard, initiative, biobank")
    note: str | None = Field(default=None, description="any kind")
    name_zh: str | None = Field(
        default=None, description="official Chinese name, or a translation (name_zh_source)"
    )
    name_zh_source: str | None = Field(
        default=None, description="where name_zh comes from, when not from source"
    )
    summary_zh: str | None = Field(
        default=None, description="the summary in Chinese (our translation, unofficial)"
    )
    zh_to_review: list[str] | None = Field(
        default=None,
        description="name_zh, summary_zh: written for an earlier English text, to review",
    )
    confirmed: bool
    unconfirmed: list[str]


class EntryLinksPublic(_Answer):
    html: str
    json_: str = Field(alias="json")
    history: str | None = Field(default=None, description="in a single entry's answer")


class EntryPublic(EntryDataPublic):
    label: str = Field(description="the name with the acronym, as lists show it")
    links: EntryLinksPublic


class RelatedEntryPublic(_Answer):
    id: str
    kind: str
    name: str
    relation: str = Field(description="related, funder or programme")
    direction: str = Field(description="outgoing, incoming or both")


class EntryDetailPublic(EntryPublic):
    """An entry with its current revision, edited flag and related entries (both directions)."""

    revision: int
    edited: bool
    related_entries: list[RelatedEntryPublic]


class DirectoryHitPublic(EntryPublic):
    score: float
    matched_terms: list[str]


class DirectorySearchPublic(_Answer):
    query: str
    kinds: list[str]
    regions: list[str]
    total: int
    hits: list[DirectoryHitPublic]


class RevisionPublic(_Answer):
    entry_id: str
    number: int
    at: str
    origin: str = Field(description="seed, edit or restore")
    comment: str
    actor_id: int | None
    actor_email: str | None
    changed: list[str]


class RevisionDetailPublic(RevisionPublic):
    snapshot: EntryDataPublic


class FundingMatchPublic(EntryPublic):
    score: float
    matched_terms: list[str]
    eligible_regions: list[str]
    closed: bool = Field(description="the programme or call is closed (ranked after open ones)")


class FundingMatchesPublic(_Answer):
    regions: list[str]
    coverage: Literal["all", "any"]
    matches: list[FundingMatchPublic]
