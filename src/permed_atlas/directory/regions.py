"""The region codes the directory understands: the landscape's region sets.

Entries and queries name countries (ISO 3166-1 alpha-2), region sets ("EU27", "CN",
"AFRICA", "LAC", a user's own) or "GLOBAL". One set of region files serves the
landscape and the directory, so a programme open to "AFRICA" and a co-publication
counted for "AFRICA" mean the same countries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.files import is_country
from permed_atlas.directory.models import GLOBAL_REGION
from permed_atlas.settings import Settings, get_settings

_LANDSCAPE_REGIONS_DIR = Path(__file__).resolve().parents[1] / "data" / "regions"
_CATALOGS: dict[tuple[Any, ...], dict[str, frozenset[str]]] = {}


def region_catalog(settings: Settings | None = None) -> dict[str, frozenset[str]]:
    """Every region code an entry may use, with its countries: the landscape's region sets
    (bundled and the user's).

    :param settings: where the user's region files are; the process settings when None.
    """
    settings = settings or get_settings()
    # Reading the region files costs more than a search; re-read only when one changed.
    folders = (settings.data_dir / "regions", _LANDSCAPE_REGIONS_DIR)
    stamp = tuple(
        (str(path), path.stat().st_mtime_ns)
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.glob("*.y*ml"))
    )
    key = (str(settings.data_dir.resolve()), settings.include_hk_mo_in_china, stamp)
    cached = _CATALOGS.get(key)
    if cached is None:
        from permed_atlas.landscape import load_region_sets

        cached = {code: region.countries for code, region in load_region_sets(settings).items()}
        if len(_CATALOGS) > 16:
            _CATALOGS.clear()
        _CATALOGS[key] = cached
    return dict(cached)


def checked_regions(codes: Sequence[str], catalog: Mapping[str, frozenset[str]]) -> list[str]:
    """The codes upper-cased, refusing one that is no region set and no ISO country.

    :param codes: country or region-set codes as the user typed them.
    :param catalog: as returned by :func:`region_catalog`.
    """
    # The core accepts any two letters as a country; here we know ISO 3166-1, so a typo
    # ("XX") is refused instead of silently matching nothing.
    checked = []
    for code in codes:
        key = code.strip().upper()
        if not key:
            continue
        if key not in catalog and key != GLOBAL_REGION and not is_country(key):
            known = ", ".join(sorted([*catalog, GLOBAL_REGION]))
            raise InvalidEntryError(
                f"unknown region {code!r}: use an ISO 3166-1 alpha-2 country code (DE) or one "
                f"of {known}",
                field="region",
            )
        checked.append(key)
    return checked
