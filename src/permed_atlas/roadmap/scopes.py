"""Check an indicator's scope: a known region set, a real country in it, a centre with a country.

The caller passes the region sets, the landscape's ``region_countries``: the
bundled ones and a user's own, read by one loader for every capability.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from permed_atlas.countries import is_iso_code
from permed_atlas.i18n import Message, require_one_of
from permed_atlas.roadmap.errors import ScopeError
from permed_atlas.roadmap.models import Scope

RegionCatalog = Mapping[str, frozenset[str]]


def check_scope(scope: Scope, *, regions: RegionCatalog, where: str = "scope") -> Scope:
    """Return ``scope`` normalised, or raise :class:`ScopeError` naming the bad field.

    :param scope: region, optional country, optional centre.
    :param regions: known region codes and their countries.
    :param where: file or form, for the message.
    """
    region = scope.region.strip().upper()
    require_one_of(
        "%(where)s: region: unknown region %(value)s; known regions: %(options)s",
        value=scope.region,
        key=region,
        options=sorted(regions),
        error=partial(ScopeError, field="region"),
        where=where,
    )
    country = None
    if scope.country:
        code = scope.country.strip().upper()
        if len(code) != 2 or not is_iso_code(code):
            raise ScopeError(
                Message(
                    "%(where)s: country: %(country)s is not an ISO 3166-1 alpha-2 country code",
                    where=where,
                    country=repr(scope.country),
                ),
                field="country",
            )
        if code not in regions[region]:
            raise ScopeError(
                Message(
                    "%(where)s: country: %(code)s is not in region %(region)s",
                    where=where,
                    code=code,
                    region=region,
                ),
                field="country",
            )
        country = code
    centre = (scope.centre or "").strip() or None
    if centre and not country:
        raise ScopeError(
            Message(
                "%(where)s: centre: a centre (%(centre)s) needs the country it is in",
                where=where,
                centre=repr(centre),
            ),
            field="centre",
        )
    if centre and len(centre) > 200:
        raise ScopeError(
            Message("%(where)s: centre: longer than 200 characters", where=where),
            field="centre",
        )
    return Scope(region=region, country=country, centre=centre)
