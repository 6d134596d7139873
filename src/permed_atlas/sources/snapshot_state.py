"""What a sync has done so far, kept in DEST so the next sync downloads only what is new.

``DEST/permed-sync.json`` holds, per format, the parts already ingested and the
newest partition through which every listed part is ingested, plus the merged-id
files already applied. It is rewritten atomically after each part, so a killed
sync loses at most the part it was working on (which then comes again, and
ingesting a part twice changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from permed_atlas.i18n import Message
from permed_atlas.outputfiles import write_atomic
from permed_atlas.sources.errors import SnapshotError

STATE_FILE = "permed-sync.json"


@dataclass
class FormatState:
    """One format's progress: parts ingested, and the partition synced through."""

    synced_through: date | None = None
    ingested: set[str] = field(default_factory=set)


@dataclass
class SyncState:
    """The whole sync state of one DEST."""

    formats: dict[str, FormatState] = field(default_factory=dict)
    merged_ids: set[str] = field(default_factory=set)

    def of(self, fmt: str) -> FormatState:
        """The state of ``fmt``, created empty when new."""
        return self.formats.setdefault(fmt, FormatState())


def state_path(dest: Path) -> Path:
    """The state file of ``dest``."""
    return dest / STATE_FILE


def load_state(dest: Path) -> SyncState:
    """The state kept in ``dest`` (empty when there is none).

    :param dest: the sync's destination folder.
    """
    path = state_path(dest)
    if not path.exists():
        return SyncState()
    try:
        data: Any = orjson.loads(path.read_bytes())
        formats = {
            name: FormatState(
                synced_through=date.fromisoformat(item["synced_through"])
                if item.get("synced_through")
                else None,
                ingested=set(item.get("ingested", [])),
            )
            for name, item in data.get("formats", {}).items()
        }
        return SyncState(formats=formats, merged_ids=set(data.get("merged_ids", [])))
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(
            Message(
                "%(path)s: not a sync state file (%(exc)s); move it away to sync from scratch",
                path=path,
                exc=exc,
            )
        ) from exc


def save_state(dest: Path, state: SyncState) -> None:
    """Write ``state`` to ``dest`` atomically (a reader sees the old or the new file).

    :param dest: the sync's destination folder.
    :param state: what to keep.
    """
    data = {
        "formats": {
            name: {
                "synced_through": item.synced_through.isoformat() if item.synced_through else None,
                "ingested": sorted(item.ingested),
            }
            for name, item in sorted(state.formats.items())
        },
        "merged_ids": sorted(state.merged_ids),
    }
    path = state_path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2))
