"""The facets every landscape indicator, network and report takes.

:class:`LandscapeFilter` is what the CLI options and the web dashboard's query
string become; :func:`permed_atlas.landscape.store.filtered.filtered_works_sql` turns
it into the one SELECT of works the indicator queries start from.
"""

from __future__ import annotations

from dataclasses import dataclass

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import LandscapeError


@dataclass(frozen=True, slots=True)
class LandscapeFilter:
    """Facets restricting the works an indicator counts; None means no restriction.

    :param region: works with at least one country in this region set.
    :param country: works with this ISO country code.
    :param institution: works with an affiliation whose institution id or name is this.
    :param year_from: first year, inclusive.
    :param year_to: last year, inclusive.
    :param topic: works tagged with this topic code.
    :param kind: ``publication`` or ``patent``.
    :param eu_cn: only EU–China collaborations (True) or only the others (False).
    :param pm_relevant: only PM-relevant works (True) or only the others (False).
    """

    region: str | None = None
    country: str | None = None
    institution: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    topic: str | None = None
    kind: str | None = None
    eu_cn: bool | None = None
    pm_relevant: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in (None, "publication", "patent"):
            raise LandscapeError(
                Message(
                    "filter field 'kind' must be publication or patent, not %(kind)s",
                    kind=repr(self.kind),
                ),
            )
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise LandscapeError(
                Message(
                    "filter field 'year_from' (%(year_from)s) is after 'year_to' (%(year_to)s)",
                    year_from=self.year_from,
                    year_to=self.year_to,
                ),
            )


NO_FILTER = LandscapeFilter()
"""The filter that keeps every work."""
