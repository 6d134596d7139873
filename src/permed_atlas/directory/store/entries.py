"""Reading the directory: entries, their links, search and funding matches."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from permed_atlas.directory.files import load_funding_topics
from permed_atlas.directory.funding import Coverage, rank_funding
from permed_atlas.directory.models import DirectoryEntry, FundingMatch, RelatedEntry, SearchHit
from permed_atlas.directory.regions import checked_regions
from permed_atlas.directory.search import check_kinds, search_entries
from permed_atlas.directory.store.rows import entry_of, entry_row
from permed_atlas.directory.tables import DirectoryEntryRow, DirectoryLinkRow
from permed_atlas.landscape import region_countries
from permed_atlas.settings import Settings


def list_entries(session: Session, *, kinds: Sequence[str] | None = None) -> list[DirectoryEntry]:
    """Every entry (or those of some kinds), ordered by kind and name.

    :param session: the platform database session.
    :param kinds: keep only these kinds (funder, programme, call, law, ...).
    """
    wanted = check_kinds(kinds)
    query = select(DirectoryEntryRow).order_by(DirectoryEntryRow.kind, DirectoryEntryRow.name)
    if wanted is not None:
        query = query.where(DirectoryEntryRow.kind.in_(wanted))
    return [entry_of(row) for row in session.scalars(query)]


def get_entry(session: Session, entry_id: str) -> DirectoryEntry:
    """One entry by id.

    :param session: the platform database session.
    :param entry_id: the entry's slug.
    """
    return entry_of(entry_row(session, entry_id))


def entry_state(session: Session, entry_id: str) -> tuple[int, bool]:
    """The entry's current revision number and whether an editor has changed it."""
    row = entry_row(session, entry_id)
    return row.revision, row.edited


def related_entries(session: Session, entry_id: str) -> list[RelatedEntry]:
    """Entries this one names and entries naming it, each once, by kind and name.

    :param session: the platform database session.
    :param entry_id: the entry's slug.
    """
    entry_row(session, entry_id)
    links = session.scalars(
        select(DirectoryLinkRow).where(
            or_(DirectoryLinkRow.source_id == entry_id, DirectoryLinkRow.target_id == entry_id)
        )
    ).all()
    found: dict[str, tuple[str, set[str]]] = {}
    for link in links:
        other, direction = (
            (link.target_id, "outgoing")
            if link.source_id == entry_id
            else (link.source_id, "incoming")
        )
        relation, directions = found.setdefault(other, (link.relation, set()))
        directions.add(direction)
    rows = {
        row.id: row
        for row in session.scalars(
            select(DirectoryEntryRow).where(DirectoryEntryRow.id.in_(list(found)))
        )
    }
    result = [
        RelatedEntry(
            entry=entry_of(rows[other]),
            relation=relation,
            direction="both" if len(directions) > 1 else next(iter(directions)),
        )
        for other, (relation, directions) in found.items()
        if other in rows
    ]
    result.sort(key=lambda r: (r.entry.kind, r.entry.name.lower()))
    return result


def search_directory(
    session: Session,
    query: str,
    *,
    kinds: Sequence[str] | None = None,
    regions: Sequence[str] = (),
    limit: int | None = None,
    settings: Settings | None = None,
) -> list[SearchHit]:
    """Entries matching ``query`` (BM25 over name, acronym, summary, keywords), filtered.

    :param session: the platform database session.
    :param query: free text; empty lists every entry passing the filters.
    :param kinds: keep only these kinds.
    :param regions: keep entries covering one of these regions (codes or countries).
    :param limit: at most this many hits.
    :param settings: for the region catalog; the process settings when None.
    """
    catalog = region_countries(settings)
    return search_entries(
        list_entries(session),
        query,
        kinds=kinds,
        regions=checked_regions(regions, catalog),
        region_countries=catalog,
        limit=limit,
    )


def match_funding(
    session: Session,
    *,
    description: str,
    regions: Sequence[str] = (),
    limit: int = 10,
    coverage: Coverage = "all",
    settings: Settings | None = None,
) -> list[FundingMatch]:
    """Programmes and calls whose scope fits a project and whose regions cover its partners.

    :param session: the platform database session.
    :param description: the project in a few sentences.
    :param regions: the partners' countries or region sets (DE, CN, EU27, ...).
    :param limit: at most this many matches.
    :param coverage: ``all`` project countries must be covered (default) or ``any``.
    :param settings: for the region catalog; the process settings when None.
    """
    catalog = region_countries(settings)
    return rank_funding(
        list_entries(session, kinds=("programme", "call")),
        description,
        regions=checked_regions(regions, catalog),
        region_countries=catalog,
        coverage=coverage,
        limit=limit,
        topic_rules=load_funding_topics(),
    )
