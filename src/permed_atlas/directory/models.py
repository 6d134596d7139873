"""The directory's plain data: entries, revisions, search hits, funding matches, load summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from permed_atlas.i18n import Message, TranslatedLabels
from permed_atlas.i18n import gettext_noop as N_
from permed_atlas.textsearch import RankedHit

KINDS: tuple[str, ...] = (
    "funder",
    "programme",
    "call",
    "law",
    "standard",
    "initiative",
    "biobank",
)
"""Every kind of entry, in the order pages list them."""

# The kinds' labels answer in the reader's language; the codes (KINDS) stay English.
KIND_LABELS: Mapping[str, str] = TranslatedLabels(
    {
        "funder": N_("Funders"),
        "programme": N_("Programmes"),
        "call": N_("Calls"),
        "law": N_("Laws and regulations"),
        "standard": N_("Standards"),
        "initiative": N_("Initiatives"),
        "biobank": N_("Biobanks"),
    }
)

# One entry's kind, as its tag and its "Kind" row show it.
KIND_NAMES: TranslatedLabels = TranslatedLabels(
    {
        "funder": N_("funder"),
        "programme": N_("programme"),
        "call": N_("call"),
        "law": N_("law or regulation"),
        "standard": N_("standard"),
        "initiative": N_("initiative"),
        "biobank": N_("biobank"),
    }
)

FIELD_LABELS: Mapping[str, str] = TranslatedLabels(
    {
        "id": N_("Id"), "name": N_("Name"), "acronym": N_("Acronym"), "summary": N_("Summary"),
        "regions": N_("Regions"), "url": N_("Web site (URL)"), "source": N_("Source"),
        "date_checked": N_("Date checked"), "keywords": N_("Keywords"),
        "related": N_("Related entries"), "country": N_("Country"), "parent": N_("Parent body"),
        "funders": N_("Funders"), "years": N_("Years"), "status": N_("Status"),
        "programme": N_("Programme"), "deadline": N_("Deadline"),
        "jurisdiction": N_("Jurisdiction"), "in_force": N_("In force since"),
        "transfer_rules": N_("Transfer rules"), "reference": N_("Official reference"),
        "organisation": N_("Organisation"), "bbmri_eric": N_("BBMRI-ERIC membership (country)"),
        "note": N_("Note"), "unconfirmed": N_("Fields still to confirm"),
        "name_zh": N_("Chinese name"), "name_zh_source": N_("Source of the Chinese name"),
        "summary_zh": N_("Summary in Chinese"),
        "zh_to_review": N_("Chinese texts to review"),
        "entry": N_("the whole entry"),
    }
)  # fmt: skip
"""Each field's label on the entry page and in the forms; the keys stay the files' names."""

STATUS_LABELS: Mapping[str, str] = TranslatedLabels(
    {
        "active": N_("active"), "closed": N_("closed"), "planned": N_("planned"),
        "unknown": N_("unknown"), "member": N_("member"), "observer": N_("observer"),
        "not a member": N_("not a member"),
    }
)  # fmt: skip
"""A programme's or call's status and a country's BBMRI-ERIC membership, as pages show them."""

ORIGIN_LABELS: Mapping[str, str] = TranslatedLabels(
    {"seed": N_("data files"), "create": N_("added"), "edit": N_("edited"),
     "restore": N_("restored")}
)  # fmt: skip
"""How a revision came about (``Revision.origin``), as the history shows it."""

RELATION_LABELS: Mapping[str, str] = TranslatedLabels(
    {
        "related": N_("related"),
        "funder": N_("funder"),
        "programme": N_("programme"),
        "parent": N_("parent body"),
    }
)

NAME_ZH_SOURCES: Mapping[str, str] = TranslatedLabels(
    {
        text: text
        for text in (
            N_("PerMed Atlas translation, unofficial, unreviewed"),
            N_("PerMed Atlas translation, unofficial, unreviewed; the name in common Chinese use"),
            N_(
                "PerMed Atlas translation, unofficial, unreviewed; the name in common Chinese "
                "use (the EU publishes the GDPR in its 24 official languages, not in Chinese)"
            ),
        )
    }
)
"""The bundled files' recurring ``name_zh_source`` notes; any other note is a citation."""

SEED_COMMENT = N_("loaded from %(file)s")
"""The comment of a revision loaded from a data file (stored in English, shown translated)."""


def shown_comment(origin: str, comment: str) -> str:
    """A revision's comment as the history shows it: the data files' own comment translated
    (a :class:`Message`), anything an editor typed as it is.

    :param origin: the revision's origin (``seed`` for the data files).
    :param comment: the stored comment.
    """
    prefix = SEED_COMMENT.split("%", 1)[0]
    if origin == "seed" and comment.startswith(prefix) and " " not in comment[len(prefix) :]:
        return Message(SEED_COMMENT, file=comment[len(prefix) :])
    return comment


FUNDING_KINDS: tuple[str, ...] = ("programme", "call")
"""The kinds the funding match ranks."""

BBMRI_STATUSES: tuple[str, ...] = ("member", "observer", "not a member", "unknown")
PROGRAMME_STATUSES: tuple[str, ...] = ("active", "closed", "planned", "unknown")

GLOBAL_REGION = "GLOBAL"
"""A region code meaning "open to every country"."""


@dataclass(frozen=True)
class DirectoryEntry:
    """One funder, programme, call, law, standard, initiative or biobank.

    :param id: the slug, e.g. ``"horizon-europe-cluster-1"``.
    :param kind: one of :data:`KINDS`.
    :param name: the full name.
    :param summary: two to four factual sentences on its scope.
    :param regions: region-set codes ("EU27", "CN", "GLOBAL") or ISO 3166-1 alpha-2 codes.
    :param url: its own web page.
    :param source: the document or site the facts come from.
    :param date_checked: ISO date the source was last checked.
    :param keywords: scope terms, for search and the funding match.
    :param related: ids of related entries.
    :param acronym: short name, if any.
    :param details: kind-specific fields (funders, years, status, jurisdiction, in_force,
        transfer_rules, country, bbmri_eric, ...).
    :param unconfirmed: names of fields whose value must still be checked against the source.
    """

    id: str
    kind: str
    name: str
    summary: str
    regions: tuple[str, ...]
    url: str | None
    source: str
    date_checked: str
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    acronym: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()

    @property
    def confirmed(self) -> bool:
        """Whether every field has been checked against the source."""
        return not self.unconfirmed

    @property
    def name_zh(self) -> str:
        """The Chinese name: the official one, or a translation ``name_zh_source`` names."""
        return str(self.details.get("name_zh") or "")

    @property
    def summary_zh(self) -> str:
        """The summary in Chinese ("" when not translated yet): our translation, unofficial."""
        return str(self.details.get("summary_zh") or "")

    @property
    def zh_to_review(self) -> tuple[str, ...]:
        """The Chinese texts (``name_zh``, ``summary_zh``) written for an earlier English text."""
        return tuple(self.details.get(REVIEW_FIELD) or ())

    @property
    def label_zh(self) -> str:
        """The Chinese name with the acronym, as Chinese lists show it ("" without a name)."""
        if not self.name_zh:
            return ""
        return f"{self.name_zh}（{self.acronym}）" if self.acronym else self.name_zh

    @property
    def label(self) -> str:
        """The name with the acronym, as lists show it."""
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready mapping, in the data files' flat shape."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "acronym": self.acronym,
            "summary": self.summary,
            "regions": list(self.regions),
            "url": self.url,
            "source": self.source,
            "date_checked": self.date_checked,
            "keywords": list(self.keywords),
            "related": list(self.related),
        }
        for key, value in self.details.items():
            data[key] = list(value) if isinstance(value, tuple) else value
        data["confirmed"] = self.confirmed
        data["unconfirmed"] = list(self.unconfirmed)
        return data


@dataclass(frozen=True)
class Revision:
    """One stored version of an entry.

    :param number: 1 for the first version, then 2, 3, ...
    :param origin: ``seed`` (from the data files), ``edit`` or ``restore``.
    :param changed: the fields that differ from the previous revision.
    """

    entry_id: str
    number: int
    at: datetime
    origin: str
    comment: str
    actor_id: int | None
    actor_email: str | None
    snapshot: DirectoryEntry
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelatedEntry:
    """An entry linked to another, in either direction.

    :param direction: ``outgoing`` (this entry names it), ``incoming`` (it names this entry)
        or ``both``.
    :param relation: ``related``, ``funder`` or ``programme``.
    """

    entry: DirectoryEntry
    relation: str
    direction: str


@dataclass(frozen=True, slots=True)
class SearchHit(RankedHit[DirectoryEntry]):
    """An entry found by a search, with its BM25 score and the query terms it contains."""


@dataclass(frozen=True)
class FundingMatch:
    """A programme or call whose scope fits a project description.

    :param entry: the programme or call.
    :param score: BM25 score of the description against its name, summary and keywords.
    :param matched_terms: the description's words found in the entry, strongest first.
    :param eligible_regions: the project's regions the entry covers.
    :param closed: whether it no longer takes applications (status, deadline or end year).
    """

    entry: DirectoryEntry
    score: float
    matched_terms: tuple[str, ...]
    eligible_regions: tuple[str, ...] = ()
    closed: bool = False


@dataclass(frozen=True)
class LoadSummary:
    """What a seed load did (or, with ``dry_run``, would do).

    :param inserted: ids of new entries.
    :param updated: ids of entries changed by the data files (never edited in the app).
    :param unchanged: how many entries already matched their file.
    :param kept: ids of entries edited in the app, left as the editors made them.
    """

    files: int
    inserted: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int
    kept: tuple[str, ...]
    dry_run: bool = False

    @property
    def total(self) -> int:
        """How many entries the data files hold."""
        return len(self.inserted) + len(self.updated) + self.unchanged + len(self.kept)


# The fields every kind of entry has, in the order files, forms and exports show them.
ENTRY_FIELDS: tuple[str, ...] = (
    "id",
    "kind",
    "name",
    "acronym",
    "summary",
    "regions",
    "url",
    "source",
    "date_checked",
    "keywords",
    "related",
)
CONFIRMATION_FIELDS: tuple[str, ...] = ("confirmed", "unconfirmed")
TRANSLATION_FIELDS: tuple[str, ...] = ("name_zh", "name_zh_source", "summary_zh")
"""Optional on every kind: the Chinese name and who gives it ("PerMed Atlas translation, ..."),
and the summary in Chinese."""
TRANSLATED: Mapping[str, str] = {"name": "name_zh", "summary": "summary_zh"}
"""Each English field and the Chinese text written from it."""
REVIEW_FIELD = "zh_to_review"
"""The Chinese texts (values of :data:`TRANSLATED`) whose English changed after them."""
_COMMON_KEYS = frozenset((*ENTRY_FIELDS, *CONFIRMATION_FIELDS))


def entry_from_dict(data: Mapping[str, Any]) -> DirectoryEntry:
    """Rebuild an entry from :meth:`DirectoryEntry.to_dict` output (stored snapshots).

    :param data: a snapshot written by this module, already validated when stored.
    """
    details = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in data.items()
        if key not in _COMMON_KEYS and value is not None
    }
    return DirectoryEntry(
        id=str(data["id"]),
        kind=str(data["kind"]),
        name=str(data["name"]),
        acronym=data.get("acronym"),
        summary=str(data["summary"]),
        regions=tuple(data.get("regions") or ()),
        url=data.get("url"),
        source=str(data["source"]),
        date_checked=str(data["date_checked"]),
        keywords=tuple(data.get("keywords") or ()),
        related=tuple(data.get("related") or ()),
        details=details,
        unconfirmed=tuple(data.get("unconfirmed") or ()),
    )
