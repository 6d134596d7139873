"""What a fetch reports: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FetchSummary:
    """What a fetch holds once it is complete.

    :param folder: the folder of pages (or batches) and the state file.
    :param files: the data files, in order.
    :param records: records in them.
    :param total: how many records the source said match.
    :param resumed: whether this run went on from an earlier one's state.
    :param note: what the user should know about the result (e.g. a source's cap), or None.
    """

    folder: Path
    files: tuple[Path, ...]
    records: int
    total: int | None
    resumed: bool
    note: str | None = None

    def line(self) -> str:
        """One line for the terminal."""
        again = " (resumed)" if self.resumed else ""
        files = f"{len(self.files):,} files"
        return f"fetched {self.records:,} records in {files}{again}: {self.folder}"
