"""How a batch's records become works: which share identifiers, and what each group writes.

Pure: :mod:`.corpus` reads the records the stored works hold and writes what these
decisions say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from permed_atlas.landscape.ingest.merge import add_record, linked_records
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
    """What merging a batch's groups of records decides: new ids, works to rewrite, counts.

    ``held`` gives the records of each stored work concerned; ``to_write`` the works to
    write from their records, ``to_delete`` the stored works whose rows go first.
    """

    held: dict[int, list[Work]]
    record: Callable[[int], Work]
    next_id: int
    new_id_of: list[int]
    to_write: list[tuple[int, list[Work]]] = field(default_factory=list)
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
        records: list[Work] = []
        for work_id in existing:
            for record in self.held[work_id]:
                records = add_record(records, record) or records
        # The first record joining several stored works changed the corpus even if it
        # brings nothing of its own: it counts as merged.
        changed = folding = len(existing) > 1
        for index in indexes:
            record = self.record(index)
            if not records:
                records = [record]
                self.stored += 1
                continue
            updated = add_record(records, record)
            if updated is None and not folding:
                self.duplicates += 1
            else:
                self.stored += 1
                self.merged += 1
                records, changed = updated or records, True
            folding = False
        if existing and not changed:
            return
        works = linked_records(records)
        if existing:
            self.to_delete.extend(existing)
            self.to_write.append((existing[0], works[0]))
            works = works[1:]
        for group in works:
            self.next_id += 1
            self.to_write.append((self.next_id, group))
