"""Union-find (disjoint sets) over list indexes: the root lookup every grouping here shares.

Grouping records that share an identifier (works in the landscape, people in the partner
finder) keeps a ``parent`` list in which each index points towards its group's root; what
a join may merge differs by caller, finding the root does not.
"""

from __future__ import annotations

__all__ = ["find_root"]


def find_root(parent: list[int], item: int) -> int:
    """The root of ``item``'s group, halving the path on the way so later look-ups are short.

    :param parent: each index's parent; a root is its own parent. Updated in place.
    :param item: an index of ``parent``.
    """
    while parent[item] != item:
        parent[item] = parent[parent[item]]
        item = parent[item]
    return item
