"""Loading the directory's data files: new entries in, untouched ones updated, edited ones kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.directory.files import BUNDLED_DIRECTORY_DIR, load_directory_files
from permed_atlas.directory.models import SEED_COMMENT, LoadSummary
from permed_atlas.directory.store.revisions import add_revision, insert_entry
from permed_atlas.directory.tables import DirectoryEntryRow
from permed_atlas.landscape import region_countries
from permed_atlas.settings import Settings


def load_seed_directory(
    session: Session,
    *,
    folder: Path = BUNDLED_DIRECTORY_DIR,
    settings: Settings | None = None,
    dry_run: bool = False,
    actor_id: int | None = None,
) -> LoadSummary:
    """Load the directory's data files: insert new entries, update untouched ones, keep edited.

    Every file is validated before anything is written, so a bad file stores nothing.

    :param session: the platform database session (the caller commits).
    :param folder: the folder of data files (the bundled one by default).
    :param settings: for the region catalog; the process settings when None.
    :param dry_run: report what would happen, write nothing.
    :param actor_id: who loads (None for the system or the CLI).
    """
    files = load_directory_files(folder, known_regions=set(region_countries(settings)))
    existing = {row.id: row for row in session.scalars(select(DirectoryEntryRow))}
    inserted: list[str] = []
    updated: list[str] = []
    kept: list[str] = []
    unchanged = 0
    for entry in files.entries:
        row = existing.get(entry.id)
        if row is not None and row.edited:
            kept.append(entry.id)
            continue
        if row is not None and row.data == entry.to_dict():
            unchanged += 1
            continue
        (updated if row is not None else inserted).append(entry.id)
        if dry_run:
            continue
        comment = SEED_COMMENT % {"file": files.origins[entry.id]}
        if row is None:
            insert_entry(
                session, entry, edited=False, origin="seed", comment=comment, actor_id=actor_id
            )
        else:
            add_revision(session, row, entry, origin="seed", comment=comment, actor_id=actor_id)
    summary = LoadSummary(
        files=files.files,
        inserted=tuple(inserted),
        updated=tuple(updated),
        unchanged=unchanged,
        kept=tuple(kept),
        dry_run=dry_run,
    )
    if not dry_run and (inserted or updated):
        record_audit(
            session,
            actor_id=actor_id,
            action="directory.seed.load",
            target=f"directory:{folder.name}",
            detail={"inserted": inserted, "updated": updated, "kept": kept},
        )
    session.flush()
    return summary
