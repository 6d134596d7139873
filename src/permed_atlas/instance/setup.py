"""Create the data directory and bring the platform database to the newest schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from permed_atlas.db import current_revisions, engine_for, head_revisions, upgrade_database
from permed_atlas.settings import Settings


@dataclass(frozen=True)
class InstanceStatus:
    """Where the instance keeps its data and which schema its database is at."""

    data_dir: Path
    database_url: str
    revisions: frozenset[str]
    up_to_date: bool


def _redact(url: str) -> str:
    # Never print a password that the database URL may carry.
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url


def initialise_instance(settings: Settings, *, dry_run: bool = False) -> InstanceStatus:
    """Create the data directory and migrate the platform database (idempotent).

    :param settings: which data directory and database.
    :param dry_run: only report where things are and whether a migration is due.
    """
    if dry_run:
        revisions: set[str] = set()
        if settings.data_dir.exists():
            revisions = current_revisions(engine_for(settings))
        return InstanceStatus(
            data_dir=settings.data_dir,
            database_url=_redact(settings.platform_database_url),
            revisions=frozenset(revisions),
            up_to_date=revisions == head_revisions(),
        )
    settings.ensure_data_dir()
    engine = engine_for(settings)
    upgrade_database(engine)
    revisions = current_revisions(engine)
    return InstanceStatus(
        data_dir=settings.data_dir,
        database_url=_redact(settings.platform_database_url),
        revisions=frozenset(revisions),
        up_to_date=revisions == head_revisions(),
    )
