"""Everything the work page shows about one work: fields, people, terms, tags and links out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import duckdb
import pycountry

from permed_atlas.errors import NotFoundError
from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError
from permed_atlas.landscape.store.merges import surviving_openalex_id, survivor_of_work_id
from permed_atlas.landscape.store.provenance import is_synthetic
from permed_atlas.landscape.store.work_rows import WORK_COLUMNS
from permed_atlas.limits import MAX_ID

# The work page shows every stored column but the sync bookkeeping.
WORK_FIELDS = tuple(column for column in WORK_COLUMNS if column != "updated_date")


class WorkMissingError(LandscapeError, NotFoundError):
    """No work with this id in the corpus."""


@dataclass(frozen=True, slots=True)
class AffiliationView:
    """One institution (or bare country) of a contributor."""

    institution: str | None
    institution_id: str | None
    ror: str | None
    country_code: str | None
    country_name: str | None


@dataclass(frozen=True, slots=True)
class ContributorView:
    """An author, applicant or inventor with their affiliations."""

    position: int
    name: str | None
    role: str
    orcid: str | None
    author_id: str | None
    raw_affiliation: str | None
    affiliations: tuple[AffiliationView, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """A link out to a source that holds the work."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class WorkDetail:
    """One work with its contributors, terms, tags and links."""

    fields: dict[str, Any]
    contributors: tuple[ContributorView, ...]
    terms: dict[str, tuple[str, ...]]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    topics: tuple[tuple[str, str], ...]
    pm_relevant: bool | None
    eu_cn: bool | None
    links: tuple[Link, ...] = field(default=())
    synthetic: bool = False


def country_name(code: str | None) -> str | None:
    """The English short name of an ISO alpha-2 code (the code when unknown)."""
    if not code:
        return None
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country is not None else code


def links_for(values: dict[str, Any]) -> tuple[Link, ...]:
    """Links out to DOI, PubMed, PMC, OpenAlex, Lens and Espacenet for the identifiers present.

    :param values: the work's fields.
    """
    links: list[Link] = []
    if values.get("doi"):
        links.append(Link("DOI", f"https://doi.org/{quote(values['doi'], safe='/()')}"))
    if values.get("pmid"):
        links.append(Link("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{quote(values['pmid'])}/"))
    if values.get("pmcid"):
        links.append(
            Link(
                "PubMed Central",
                f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(values['pmcid'])}/",
            )
        )
    if values.get("openalex_id"):
        links.append(Link("OpenAlex", f"https://openalex.org/{quote(values['openalex_id'])}"))
    if values.get("lens_id"):
        section = "patent" if values.get("kind") == "patent" else "scholar/article"
        links.append(
            Link("Lens", f"https://www.lens.org/lens/{section}/{quote(values['lens_id'])}")
        )
    if values.get("publication_number"):
        number = quote(values["publication_number"])
        links.append(
            Link("Espacenet", f"https://worldwide.espacenet.com/patent/search?q=pn%3D{number}")
        )
    return tuple(links)


def load_work_detail(connection: duckdb.DuckDBPyConnection, work_id: int) -> WorkDetail:
    """The work page's data for ``work_id``.

    :param connection: a corpus connection.
    :param work_id: the corpus's own id of the work.
    """
    rows = connection.execute(
        f"SELECT {', '.join(WORK_FIELDS)} FROM works WHERE work_id = ?", [work_id]
    ).fetchall()
    if not rows:
        raise WorkMissingError(Message("no work with id %(id)s in the corpus", id=work_id))
    values = dict(zip(WORK_FIELDS, rows[0], strict=True))
    values["sources"] = list(values["sources"] or [])
    synthetic = is_synthetic(values["sources"])
    affiliations: dict[int, list[AffiliationView]] = {}
    for position, inst, inst_id, ror, country in connection.execute(
        "SELECT position, institution_name, institution_id, ror, upper(country_code) "
        "FROM affiliations WHERE work_id = ? ORDER BY position, institution_name NULLS LAST",
        [work_id],
    ).fetchall():
        affiliations.setdefault(int(position), []).append(
            AffiliationView(inst, inst_id, ror, country, country_name(country))
        )
    contributors = tuple(
        ContributorView(
            position=int(position),
            name=name,
            role=role,
            orcid=orcid,
            author_id=author_id,
            raw_affiliation=raw,
            affiliations=tuple(affiliations.get(int(position), ())),
        )
        for position, role, name, author_id, orcid, raw in connection.execute(
            "SELECT position, role, name, author_id, orcid, raw_affiliation FROM contributors "
            "WHERE work_id = ? ORDER BY position",
            [work_id],
        ).fetchall()
    )
    terms: dict[str, list[str]] = {}
    for scheme, term in connection.execute(
        "SELECT scheme, term FROM terms WHERE work_id = ? "
        "ORDER BY scheme, score DESC NULLS LAST, term",
        [work_id],
    ).fetchall():
        terms.setdefault(scheme, []).append(term)
    tags = connection.execute(
        "SELECT (SELECT list(DISTINCT country_code ORDER BY country_code) FROM work_countries "
        "        WHERE work_id = $id),"
        " (SELECT list(DISTINCT region ORDER BY region) FROM work_regions WHERE work_id = $id),"
        " (SELECT list(DISTINCT [topic, rule_id] ORDER BY [topic, rule_id]) FROM work_topics "
        "        WHERE work_id = $id),"
        " (SELECT bool_or(pm_relevant) FROM work_flags WHERE work_id = $id),"
        " (SELECT bool_or(eu_cn) FROM work_flags WHERE work_id = $id)",
        {"id": work_id},
    ).fetchall()[0]
    return WorkDetail(
        fields=values,
        contributors=contributors,
        terms={scheme: tuple(items) for scheme, items in terms.items()},
        countries=tuple(tags[0] or ()),
        regions=tuple(tags[1] or ()),
        topics=tuple((pair[0], pair[1]) for pair in (tags[2] or ())),
        pm_relevant=tags[3],
        eu_cn=tags[4],
        # A generated work's DOI, PMID or ORCID may belong to a real paper or person.
        links=() if synthetic else links_for(values),
        synthetic=synthetic,
    )


@dataclass(frozen=True, slots=True)
class MovedWork:
    """A work OpenAlex merged into another: the OpenAlex id of the work it lives on as."""

    openalex_id: str


def locate_work(connection: duckdb.DuckDBPyConnection, reference: str) -> int | MovedWork:
    """The corpus id of the work a link names, or where a merged-away work went.

    :param connection: a corpus connection.
    :param reference: the corpus's own id (``42``) or an OpenAlex id (``W2741809807``).
    """
    value = reference.strip().upper()
    if value.isdecimal() and int(value) <= MAX_ID:  # "²" is a digit int() cannot read
        work_id = int(value)
        moved = survivor_of_work_id(connection, work_id)
        return MovedWork(moved) if moved else work_id
    rows = connection.execute(
        "SELECT work_id FROM work_ids WHERE id_type = 'openalex_id' AND id_value = ? LIMIT 1",
        [value],
    ).fetchall()
    if rows:
        return int(rows[0][0])
    moved = surviving_openalex_id(connection, value)
    if moved:
        return MovedWork(moved)
    raise WorkMissingError(Message("no work with OpenAlex id %(value)s in the corpus", value=value))
