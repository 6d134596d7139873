"""How a batch's records become works: which share identifiers, and what each group writes.

Pure: :mod:`.corpus` reads the stored works these decisions start from and writes what
they decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from permed_atlas.landscape.ingest.merge import (
    StoredWork,
    apply_record,
    merge_stored,
    stored_from_record,
)
from permed_atlas.landscape.models import Work
from permed_atlas.union_find import find_root


class Groups:
    """Union-find over record indexes: records sharing an identifier are one work."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.joined = False  # whether any union joined two groups

    def find(self, item: int) -> int:
        return find_root(self.parent, item)

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)
            self.joined = True


@dataclass
class Merging:
    """What merging a batch's groups of records decides: new ids, works to rewrite, counts."""

    loaded: dict[int, StoredWork]
    record: Callable[[int], Work]
    next_id: int
    new_id_of: list[int]
    to_write: list[tuple[int, StoredWork]] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    merged: int = 0

    def add_group(self, indexes: list[int], existing: list[int]) -> None:
        """Decide for the records ``indexes`` that share identifiers, with the stored works
        ``existing`` they share some with (sorted)."""
        if not existing and len(indexes) == 1:
            self.next_id += 1
            self.new_id_of[indexes[0]] = self.next_id
            self.stored += 1
            return
        state: StoredWork | None = None
        if existing:
            state = self.loaded[existing[0]]
            for other in existing[1:]:
                state = merge_stored(state, self.loaded[other])
        original = state if len(existing) == 1 else None
        state = self._fold(state, indexes, folding=len(existing) > 1)
        if existing and state is original:
            return
        if existing:
            self.to_delete.extend(existing)
            self.to_write.append((existing[0], state))
        else:
            self.next_id += 1
            self.to_write.append((self.next_id, state))

    def _fold(self, state: StoredWork | None, indexes: list[int], *, folding: bool) -> StoredWork:
        """Apply the records to ``state`` in order, counting them.

        ``folding``: the first record joins several stored works, so it counts as merged
        even when it adds nothing.
        """
        for index in indexes:
            if state is None:
                state = stored_from_record(self.record(index))
                self.stored += 1
                continue
            updated = apply_record(state, self.record(index))
            if updated is state and not folding:
                self.duplicates += 1
            else:
                self.stored += 1
                self.merged += 1
            folding = False
            state = updated
        assert state is not None
        return state
