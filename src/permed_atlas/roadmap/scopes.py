"""Check an indicator's scope: a known region set, a real country in it, a centre with a country.

Region sets come from the landscape capability (``load_region_sets``) when it
exports it; otherwise the bundled region files in ``permed_atlas/data/regions``
are read directly (code plus ``countries`` or ``members[].country``), which
covers the bundled sets but not a user's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pycountry
import yaml

from permed_atlas.roadmap.errors import ScopeError
from permed_atlas.roadmap.models import Scope

RegionCatalog = Mapping[str, frozenset[str]]
BUNDLED_REGIONS_DIR = Path(__file__).resolve().parents[1] / "data" / "regions"


def _read_bundled_regions() -> dict[str, frozenset[str]]:
    catalog: dict[str, frozenset[str]] = {}
    for path in sorted(BUNDLED_REGIONS_DIR.glob("*.y*ml")):
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        code = str(doc.get("code", "")).upper()
        countries = [str(c) for c in doc.get("countries") or []]
        countries += [str(m.get("country")) for m in doc.get("members") or [] if m.get("country")]
        for extra in (doc.get("when_setting") or {}).values():
            countries += [str(c) for c in extra or []]
        if code:
            catalog[code] = frozenset(c.upper() for c in countries)
    return catalog


def region_catalog(settings: Any | None = None) -> dict[str, frozenset[str]]:
    """Region code -> member countries, from the landscape's region sets when available.

    :param settings: platform settings (user region sets live in its data directory);
        without them only the bundled sets are known.
    """
    import permed_atlas.landscape as landscape

    loader = getattr(landscape, "load_region_sets", None)
    if loader is not None and settings is not None:
        return {code: frozenset(region.countries) for code, region in loader(settings).items()}
    return _read_bundled_regions()


def check_scope(scope: Scope, *, regions: RegionCatalog, where: str = "scope") -> Scope:
    """Return ``scope`` normalised, or raise :class:`ScopeError` naming the bad field.

    :param scope: region, optional country, optional centre.
    :param regions: known region codes and their countries.
    :param where: file or form, for the message.
    """
    region = scope.region.strip().upper()
    if region not in regions:
        known = ", ".join(sorted(regions))
        raise ScopeError(
            f"{where}: region: unknown region {scope.region!r}; known regions: {known}",
            field="region",
        )
    country = None
    if scope.country:
        code = scope.country.strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ScopeError(
                f"{where}: country: {scope.country!r} is not an ISO 3166-1 alpha-2 country code",
                field="country",
            )
        if code not in regions[region]:
            raise ScopeError(f"{where}: country: {code} is not in region {region}", field="country")
        country = code
    centre = (scope.centre or "").strip() or None
    if centre and not country:
        raise ScopeError(
            f"{where}: centre: a centre ({centre!r}) needs the country it is in", field="centre"
        )
    if centre and len(centre) > 200:
        raise ScopeError(f"{where}: centre: longer than 200 characters", field="centre")
    return Scope(region=region, country=country, centre=centre)
