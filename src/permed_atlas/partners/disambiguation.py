"""Pure author disambiguation: which contributor records are one person.

The rule, in order (docs/partners.md explains it with examples):

1. Records with the same OpenAlex author id are one person; the profile key is that id.
2. Records with the same ORCID are one person, unless that would join two OpenAlex ids.
3. Records without an OpenAlex id are compared within a *block* (same surname and first
   initial) and joined to another record of the block only when the two share an
   institution key or a co-author name token.
4. A join never happens when it would put two different OpenAlex ids, two different
   ORCIDs, or two authorships of the same work into one person.

Joins are transitive (A shares an institution with B, B a co-author with C: one person)
and made in a fixed order, so the same records always give the same people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from permed_atlas.partners.names import block_key
from permed_atlas.union_find import find_root

__all__ = ["AuthorRecord", "Assignment", "assign_authors"]


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """One authorship: a contributor of one work, with the evidence used to match people.

    :param work_id: the corpus work.
    :param position: the author position in that work.
    :param name: the display name.
    :param author_id: OpenAlex author id ("A5023888391"), if any.
    :param orcid: ORCID iD ("0000-0002-1825-0097"), if any.
    :param institutions: institution keys (ids, RORs or normalised names).
    :param coauthors: name tokens of the work's other authors.
    """

    work_id: int
    position: int
    name: str | None
    author_id: str | None = None
    orcid: str | None = None
    institutions: frozenset[str] = frozenset()
    coauthors: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The person of one authorship: ``key`` and the rule that decided it."""

    key: str
    rule: str  # openalex | orcid | name


class _People:
    """Union-find over records, keeping per person what a join must not mix."""

    def __init__(self, records: Sequence[AuthorRecord]) -> None:
        self.parent = list(range(len(records)))
        self.openalex: list[set[str]] = [{r.author_id} if r.author_id else set() for r in records]
        self.orcids: list[set[str]] = [{r.orcid} if r.orcid else set() for r in records]
        self.works: list[set[int]] = [{r.work_id} for r in records]

    def find(self, item: int) -> int:
        return find_root(self.parent, item)

    def join(self, a: int, b: int, *, check_works: bool = True) -> bool:
        """Join the people of records ``a`` and ``b`` unless rule 4 forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.openalex[ra] | self.openalex[rb]) > 1:
            return False
        if len(self.orcids[ra] | self.orcids[rb]) > 1:
            return False
        if check_works and not self.works[ra].isdisjoint(self.works[rb]):
            return False
        if len(self.works[ra]) < len(self.works[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.openalex[ra] |= self.openalex[rb]
        self.orcids[ra] |= self.orcids[rb]
        self.works[ra] |= self.works[rb]
        self.openalex[rb], self.orcids[rb], self.works[rb] = set(), set(), set()
        return True


def _group(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for key, index in pairs:
        groups.setdefault(key, []).append(index)
    return groups


def _name_key(block: str | None, first: AuthorRecord) -> str:
    seed = f"{block or ''}|{first.work_id}|{first.position}"
    return "P" + hashlib.blake2b(seed.encode(), digest_size=6).hexdigest()


def assign_authors(records: Sequence[AuthorRecord]) -> list[Assignment]:
    """The person of each record, in the order of ``records``.

    :param records: every authorship to resolve (a work's authors all included, since
        co-author evidence comes from them).
    """
    people = _People(records)
    # Rule 1: the OpenAlex id is authoritative, even for one id on one work twice.
    for indexes in _group((r.author_id, i) for i, r in enumerate(records) if r.author_id).values():
        for other in indexes[1:]:
            people.join(indexes[0], other, check_works=False)
    # Rule 2: the ORCID.
    for indexes in _group((r.orcid, i) for i, r in enumerate(records) if r.orcid).values():
        for other in indexes[1:]:
            people.join(indexes[0], other)
    # Rule 3: name blocks with institution or co-author evidence; only blocks holding a
    # record without an OpenAlex id have anything to decide.
    blocks = _group(
        (key, i) for i, r in enumerate(records) if (key := block_key(r.name)) is not None
    )
    for key in sorted(blocks):
        members = blocks[key]
        if all(records[i].author_id for i in members) or len(members) < 2:
            continue
        evidence = _group(
            (f"i:{inst}", i) for i in members for inst in sorted(records[i].institutions)
        )
        for token, indexes in _group(
            (f"c:{co}", i) for i in members for co in sorted(records[i].coauthors)
        ).items():
            evidence[token] = indexes
        for token in sorted(evidence):
            indexes = evidence[token]
            for other in indexes[1:]:
                # Two OpenAlex-identified records are already decided by rule 1.
                if records[indexes[0]].author_id and records[other].author_id:
                    continue
                people.join(indexes[0], other)
    return _assignments(records, people)


def _assignments(records: Sequence[AuthorRecord], people: _People) -> list[Assignment]:
    first_of: dict[int, int] = {}
    for index, record in enumerate(records):
        root = people.find(index)
        current = first_of.get(root)
        if current is None or (record.work_id, record.position) < (
            records[current].work_id,
            records[current].position,
        ):
            first_of[root] = index
    keys: dict[int, Assignment] = {}
    for root, first in first_of.items():
        if people.openalex[root]:
            keys[root] = Assignment(next(iter(people.openalex[root])), "openalex")
        elif people.orcids[root]:
            keys[root] = Assignment(next(iter(people.orcids[root])), "orcid")
        else:
            keys[root] = Assignment(
                _name_key(block_key(records[first].name), records[first]), "name"
            )
    return [keys[people.find(index)] for index in range(len(records))]
