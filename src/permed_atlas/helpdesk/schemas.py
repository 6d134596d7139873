"""Pydantic I/O of the helpdesk JSON API, mirroring helpdesk/present.py key for key.

Their base (``Answer``, forbidding unknown keys) makes a key added to a presenter without
its field here fail the response instead of vanishing from it silently. Names start with
``Helpdesk`` because the directory has entries too and OpenAPI component names must stay
unique.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, create_model

from permed_atlas.api_schemas import Answer, schema_of
from permed_atlas.helpdesk.models import TOPICS, FundingItem


class HelpdeskReviewPublic(Answer):
    """Whether an entry is confirmed, and by what: its file, or an editor with source and date."""

    state: Literal["confirmed", "unconfirmed"]
    by: Literal["editor", "file"] | None
    source: str
    checked_on: str
    note: str


class HelpdeskReferencePublic(Answer):
    law: str
    article: str
    text: str


class HelpdeskStepPublic(Answer):
    text: str
    ref: str
    text_zh: str = Field(description="the step in Chinese; empty when not translated yet")


class HelpdeskEntryPublic(Answer):
    """One procedure of one jurisdiction on one topic, with its review state."""

    id: str
    country: str = Field(description="ISO 3166-1 alpha-2 code, EU or INT")
    topic: str
    topic_label: str
    title: str
    authority: str
    summary: str
    procedure: list[HelpdeskStepPublic]
    references: list[HelpdeskReferencePublic]
    timeline: str
    documents: list[str]
    fees: str
    date_checked: str
    source: str
    keywords: list[str]
    confirmed: bool
    caveat: str
    links: list[str]
    directory_ids: list[str]
    related: list[str]
    title_zh: str
    keywords_zh: list[str]
    summary_zh: str = Field(description="the summary in Chinese; empty when not translated yet")
    review: HelpdeskReviewPublic


class HelpdeskEntriesPublic(Answer):
    disclaimer: str
    entries: list[HelpdeskEntryPublic]


class HelpdeskHitPublic(Answer):
    score: float
    matched_terms: list[str]
    entry: HelpdeskEntryPublic


class HelpdeskCountryMentionPublic(Answer):
    code: str
    text: str
    start: int
    end: int


class HelpdeskChecklistItemPublic(Answer):
    text: str
    kind: str
    reference: str
    link: str
    unconfirmed: bool
    country: str = Field(description="a procedure's jurisdiction code; empty for other kinds")
    title: str = Field(description="a procedure's entry title; empty for other kinds")
    title_zh: str = Field(description="that title in Chinese; empty when not translated")


class HelpdeskGlossaryTermPublic(Answer):
    term: str
    name: str
    explanation: str
    reference: str
    source: str
    zh: str
    aliases: list[str]
    explanation_zh: str = Field(description="the explanation in Chinese; empty when not translated")


class HelpdeskCountryAnswerPublic(Answer):
    country: str
    name: str
    entries: list[HelpdeskHitPublic]


class HelpdeskRankedPublic(Answer):
    id: str
    score: float


HelpdeskFundingItemPublic = schema_of(FundingItem, name="HelpdeskFundingItemPublic")


class HelpdeskFlowPublic(Answer):
    origin: str | None
    destination: str | None
    data_categories: list[str]
    scenario: dict[str, Any] = Field(description="the scenario posted to the transfer assessor")
    read_from_question: list[str]
    missing: list[str]


class HelpdeskTransferPublic(Answer):
    label: str
    disclaimer: str
    flow: HelpdeskFlowPublic
    assessment: dict[str, Any] | None = Field(
        description="the transfer assessor's answer (as POST /api/v1/transfer/assess gives it)"
    )


class HelpdeskAnswerPublic(Answer):
    """The answer: checklist, countries, per-country entries, funding, transfer guidance, notes."""

    question: str
    disclaimer: str
    countries: list[str]
    country_mentions: list[HelpdeskCountryMentionPublic]
    checklist: list[HelpdeskChecklistItemPublic]
    still_needed: list[str]
    glossary: list[HelpdeskGlossaryTermPublic]
    by_country: list[HelpdeskCountryAnswerPublic]
    international: list[HelpdeskHitPublic]
    ranked: list[HelpdeskRankedPublic]
    about_funding: bool
    funding: list[HelpdeskFundingItemPublic]  # type: ignore[valid-type]
    funding_note: str
    transfer: HelpdeskTransferPublic | None
    notes: list[str]


class HelpdeskColumnPublic(Answer):
    country: str
    name: str
    entries: list[HelpdeskEntryPublic]
    eu_entries: list[HelpdeskEntryPublic]


class HelpdeskComparisonPublic(Answer):
    """One topic across countries: one column per country with its entries and the EU ones."""

    topic: str
    topic_label: str
    disclaimer: str
    columns: list[HelpdeskColumnPublic]


# One field per topic id, so readers of the API docs see every id and its label.
HelpdeskTopicsPublic = create_model(  # type: ignore[call-overload]
    "HelpdeskTopicsPublic",
    __base__=Answer,
    __doc__="Topic ids and their labels.",
    **{topic: (str, Field(examples=[label])) for topic, label in TOPICS.items()},
)
