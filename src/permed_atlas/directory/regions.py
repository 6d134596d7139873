"""The region codes the directory understands: the landscape's region sets.

Entries and queries name countries (ISO 3166-1 alpha-2), region sets ("EU27", "CN",
"AFRICA", "LAC", a user's own) or "GLOBAL". One set of region files serves the
landscape and the directory, so a programme open to "AFRICA" and a co-publication
counted for "AFRICA" mean the same countries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.files import is_country
from permed_atlas.directory.models import GLOBAL_REGION
from permed_atlas.i18n import not_one_of


def checked_regions(codes: Sequence[str], catalog: Mapping[str, frozenset[str]]) -> list[str]:
    """The codes upper-cased, refusing one that is no region set and no ISO country.

    :param codes: country or region-set codes as the user typed them.
    :param catalog: as returned by :func:`permed_atlas.landscape.region_countries`.
    """
    # The core accepts any two letters as a country; here we know ISO 3166-1, so a typo
    # ("XX") is refused instead of silently matching nothing.
    checked = []
    for code in codes:
        key = code.strip().upper()
        if not key:
            continue
        if key not in catalog and key != GLOBAL_REGION and not is_country(key):
            raise InvalidEntryError(
                not_one_of(
                    "unknown region %(value)s: use an ISO 3166-1 alpha-2 country code "
                    "(DE) or one of %(options)s",
                    value=code,
                    options=sorted([*catalog, GLOBAL_REGION]),
                ),
                field="region",
            )
        checked.append(key)
    return checked
