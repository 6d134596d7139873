"""The landscape's core records: works (publications and patents) and who made them.

Plain frozen dataclasses; ingesters build them from real formats, the corpus
store writes them to DuckDB, and nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from permed_atlas.types import CountryCode, WorkKind


@dataclass(frozen=True, slots=True)
class Institution:
    """An institution as a source names it; ``country_code`` may be unknown."""

    name: str | None
    country_code: CountryCode | None = None
    id: str | None = None  # OpenAlex institution id or ROR, when the source has one
    ror: str | None = None


@dataclass(frozen=True, slots=True)
class Contributor:
    """An author of a publication, or an applicant or inventor of a patent.

    ``countries`` holds countries the source states directly (e.g. a patent
    party's residence, an affiliation string's parsed country) beyond those of
    the institutions.
    """

    position: int
    name: str | None
    role: str = "author"  # author | applicant | inventor
    id: str | None = None  # OpenAlex author id, when present
    orcid: str | None = None
    institutions: tuple[Institution, ...] = ()
    countries: tuple[CountryCode, ...] = ()
    raw_affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Term:
    """A controlled or free term attached to a work.

    ``scheme`` is one of: concept (OpenAlex concepts), topic (OpenAlex topics),
    keyword, mesh, cpc, ipc, vernacular_title (PubMed's original-language title of a
    work whose title is the English translation; searched like the title).
    """

    scheme: str
    term: str
    id: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Work:
    """One publication or patent, as read from one source record.

    Identifiers are normalised: ``openalex_id`` like "W2741809807", ``doi`` lower
    case without the resolver prefix, ``pmid`` digits only, ``family_id`` the
    patent family (DOCDB/INPADOC id or, failing that, the publication number).
    """

    kind: WorkKind
    source: str  # openalex | pubmed | lens | epo | uspto
    title: str | None = None
    abstract: str | None = None
    year: int | None = None
    type: str | None = None
    venue: str | None = None
    language: str | None = None
    cited_by_count: int | None = None
    openalex_id: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    lens_id: str | None = None
    publication_number: str | None = None
    family_id: str | None = None
    updated_date: str | None = None  # OpenAlex: when the record last changed (ISO text)
    contributors: tuple[Contributor, ...] = ()
    terms: tuple[Term, ...] = field(default=())

    def identifiers(self) -> dict[str, str]:
        """The identifiers present, by name, as used for de-duplication."""
        keys = ("openalex_id", "doi", "pmid", "lens_id", "family_id", "publication_number")
        return {key: value for key in keys if (value := getattr(self, key))}


@dataclass(frozen=True, slots=True)
class Deletion:
    """A source's notice that records it published are withdrawn (PubMed ``DeleteCitation``).

    ``id_type`` names the identifier (e.g. "pmid"); the corpus drops what
    ``source`` contributed to the works holding these identifiers.
    """

    source: str
    id_type: str
    ids: tuple[str, ...]
