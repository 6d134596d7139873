"""The helpdesk's records: knowledge entries, ranked hits, answers and comparisons.

Plain frozen dataclasses, no I/O. An entry is one procedure (or one funding
route) of one jurisdiction on one topic; every statement it makes carries a
legal reference, its source and the date it was checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.textsearch import RankedHit

TOPICS: dict[str, str] = {
    "trial_authorisation": N_("Clinical-trial authorisation"),
    "ethics_review": N_("Ethics review"),
    "human_genetic_resources": N_("Human genetic resources"),
    "data_protection": N_("Data protection for trial data"),
    "trial_registration": N_("Trial registration"),
    "sample_shipping": N_("Sample shipping"),
    "funding": N_("Funding"),
}
"""Topic id -> label (English in the API and the CLI; a page shows ``_(label)``). A new topic
is added here and in docs/helpdesk.md."""

EU = "EU"
"""The jurisdiction code of EU-level entries; they apply in every EU member state."""

INTERNATIONAL = "INT"
"""The jurisdiction code of international entries (WHO, IATA, ICH); they apply everywhere."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A law (or standard) and the article it rests on."""

    law: str
    article: str

    def __str__(self) -> str:
        return f"{self.law}, {self.article}"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a procedure, with the reference that requires it (when one does).

    :param text_zh: the step in Chinese (shown on Chinese pages and searched), if written.
    """

    text: str
    ref: str = ""
    text_zh: str = ""


@dataclass(frozen=True)
class Entry:
    """One procedure of one jurisdiction on one topic.

    :param country: ISO 3166-1 alpha-2 code, ``EU`` or ``INT``.
    :param confirmed: False when a fact in the entry could not be checked against
        the source; ``caveat`` says which.
    :param directory_ids: ids of directory entries (funders, programmes) it points to.
    :param title_zh: the title in Chinese; with ``keywords_zh`` it lets Chinese questions find it.
    :param summary_zh: the summary in Chinese (our translation), "" when not translated yet.
    """

    id: str
    country: str
    topic: str
    title: str
    authority: str
    summary: str
    procedure: tuple[Step, ...]
    references: tuple[Reference, ...]
    timeline: str
    documents: tuple[str, ...]
    fees: str
    date_checked: str
    source: str
    keywords: tuple[str, ...]
    confirmed: bool
    caveat: str = ""
    links: tuple[str, ...] = ()
    directory_ids: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    path: str = ""
    title_zh: str = ""
    keywords_zh: tuple[str, ...] = ()
    summary_zh: str = ""

    @property
    def topic_label(self) -> str:
        """The topic's human label."""
        return TOPICS.get(self.topic, self.topic)


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries, and the country facts the retrieval needs.

    :param eu_members: ISO codes of EU member states (EU-level entries apply to them).
    :param names: jurisdiction code -> display name.
    :param demonyms: lower-case words naming a country ("german" -> "DE").
    :param abbreviations: case-sensitive abbreviations ("EU", "PRC").
    """

    entries: tuple[Entry, ...]
    eu_members: frozenset[str]
    names: dict[str, str]
    demonyms: dict[str, str]
    abbreviations: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    names_zh: dict[str, str] = field(default_factory=dict)

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        return None

    def jurisdictions_for(self, country: str) -> tuple[str, ...]:
        """The jurisdictions whose entries apply in ``country``: itself, EU if a member."""
        if country == EU:
            return (EU,)
        return (country, EU) if country in self.eu_members else (country,)


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country found in a question: its code, the words, and where they were."""

    code: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit(RankedHit[Entry]):
    """An entry ranked for a question, with its score and the query terms it matched."""


@dataclass(frozen=True)
class CountryAnswer:
    """The hits that apply in one country (its own entries, then EU-level ones)."""

    country: str
    name: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class FundingItem:
    """A programme or call from the directory that matches a funding question."""

    id: str
    kind: str
    name: str
    summary: str
    url: str | None
    source: str
    date_checked: str
    regions: tuple[str, ...]
    score: float
    matched_terms: tuple[str, ...]
    summary_zh: str = ""


@dataclass(frozen=True)
class Flow:
    """A sample or data flow read from a question, and how each fact was read.

    ``None`` means the question does not say; such facts are listed in ``missing``.

    :param derived: one sentence per fact taken from the question, quoting the words.
    """

    origin: str | None
    destination: str | None
    data_categories: tuple[str, ...]
    purpose: str | None = None
    foreign_party: bool | None = None
    sequencing: bool | None = None
    data_subjects: int | None = None
    consent: str | None = None
    marketing_authorisation_trial: bool | None = None
    derived: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def scenario(self) -> dict[str, Any]:
        """The transfer assessor's scenario fields for this flow (stated facts only)."""
        fields: dict[str, Any] = {
            "exporter_country": self.origin,
            "importer_country": self.destination,
            "data_categories": list(self.data_categories),
            "purpose": self.purpose,
            "foreign_party": self.foreign_party,
            "sequencing": self.sequencing,
            "data_subjects": self.data_subjects,
            "consent": self.consent,
            "marketing_authorisation_trial": self.marketing_authorisation_trial,
        }
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class TransferGuidance:
    """The flow and, when origin, destination and data kind are known, the assessment.

    :param assessment: the transfer assessor's result as plain data
        (``permed_atlas.transfer.assessment_to_dict``), None when it could not run.
    """

    flow: Flow
    assessment: dict[str, Any] | None
    disclaimer: str


@dataclass(frozen=True)
class Answer:
    """The helpdesk's answer to one question."""

    question: str
    countries: tuple[str, ...]
    mentions: tuple[CountryMention, ...]
    ranked: tuple[Hit, ...]
    by_country: tuple[CountryAnswer, ...]
    international: tuple[Hit, ...]
    about_funding: bool
    funding: tuple[FundingItem, ...] = ()
    funding_note: str = ""
    transfer: TransferGuidance | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ComparisonColumn:
    """One country's entries on the compared topic, and the EU-level ones that apply there."""

    country: str
    name: str
    entries: tuple[Entry, ...]
    eu_entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Comparison:
    """The same topic across countries, side by side."""

    topic: str
    topic_label: str
    columns: tuple[ComparisonColumn, ...]
