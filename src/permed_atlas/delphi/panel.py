"""Pure: read a panel CSV (one expert per row) into drafts, or fail naming line and field.

Columns: ``name`` or ``ref`` (a pseudonymous panel gives refs only), ``country``
(ISO 3166-1 alpha-2) or ``region`` (EU, CN or Other; derived from the country when
blank); ``email`` (none for a pseudonymous panel or a study imported from
elsewhere), ``expertise``, ``organisation`` and ``language`` (of the invitations: ``en``
or ``zh``, one of the study's; blank for its first) are optional. A file with any bad
row yields no drafts at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from permed_atlas.delphi._csv import read_csv
from permed_atlas.delphi.errors import PanelFileError
from permed_atlas.delphi.models import REGION_GROUPS, ExpertDetails
from permed_atlas.i18n import Message

# each pair: at least one of the two columns, and in each row at least one of the two cells
REQUIRED_EITHER = (("name", "ref"), ("country", "region"))
OPTIONAL_COLUMNS = ("email", "expertise", "organisation", "language")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


@dataclass(frozen=True, kw_only=True)
class ExpertDraft(ExpertDetails):
    """One valid row of a panel file, before it is stored."""

    line: int
    ref_given: bool = True  # False: numbered by the file's order, renumbered if taken
    language: str = ""  # the invitation's language; blank: the study's first


@dataclass(frozen=True)
class RegionGroups:
    """Which countries belong to which region group, and the accepted spellings of groups."""

    countries: Mapping[str, str]
    aliases: Mapping[str, str]

    def group_of(self, country: str) -> str:
        """The region group of an ISO alpha-2 country code ("Other" when in no group)."""
        return self.countries.get(country.upper(), "Other")

    def normalise(self, raw: str) -> str | None:
        """A region group from a user's spelling, or None when unknown."""
        text = raw.strip()
        if text in REGION_GROUPS:
            return text
        return self.aliases.get(text.lower())


def parse_panel_csv(
    text: str, *, path: str, known_countries: Collection[str], regions: RegionGroups
) -> list[ExpertDraft]:
    """Parse a whole panel file; the first bad row raises and nothing is returned.

    :param text: the file's content.
    :param path: the file name, for error messages.
    :param known_countries: valid ISO 3166-1 alpha-2 codes (upper case).
    :param regions: the region groups.
    """
    header, rows = read_csv(text, path=path, error=PanelFileError)
    for first, second in REQUIRED_EITHER:
        if first not in header and second not in header:
            raise PanelFileError(
                Message(
                    "missing column (need %(first)s or %(second)s)",
                    first=first,
                    second=second,
                ),
                path=path,
                line=1,
                field=first,
            )
    drafts: list[ExpertDraft] = []
    seen_email: dict[str, int] = {}
    seen_ref: dict[str, int] = {}
    for line, cells in rows:
        draft = parse_expert(cells, line=line, path=path, known=known_countries, regions=regions)
        draft = _with_ref(draft, len(drafts) + 1)
        for key, seen, field in (
            (draft.email.lower(), seen_email, "email"),
            (draft.ref, seen_ref, "ref"),
        ):
            if not key:  # experts without e-mail never clash
                continue
            if key in seen:
                raise PanelFileError(
                    Message(
                        "%(key)s already on line %(seen)s",
                        key=repr(key),
                        seen=seen[key],
                    ),
                    path=path,
                    line=line,
                    field=field,
                )
            seen[key] = line
        drafts.append(draft)
    if not drafts:
        raise PanelFileError(Message("no experts in the file"), path=path, line=None, field=None)
    return drafts


def parse_expert(
    cells: Mapping[str, str],
    *,
    line: int | None,
    path: str,
    known: Collection[str],
    regions: RegionGroups,
) -> ExpertDraft:
    """One expert from the cells of a CSV row or the fields of the "add an expert" form.

    :param cells: column -> stripped text (missing columns count as empty).
    :param line: the row's line (for messages).
    :param path: the file or form name (for messages).
    :param known: valid ISO 3166-1 alpha-2 codes (upper case).
    :param regions: the region groups.
    """

    def fail(field: str, message: str) -> PanelFileError:
        return PanelFileError(message, path=path, line=line, field=field)

    for first, second in REQUIRED_EITHER:
        if not cells.get(first) and not cells.get(second):
            raise fail(
                first,
                Message("is empty (give a %(first)s or a %(second)s)", first=first, second=second),
            )
    email = cells.get("email", "")
    if email and not _EMAIL.match(email):
        raise fail("email", Message("%(email)s is not an e-mail address", email=repr(email)))
    country = cells.get("country", "").upper()
    if country and country not in known:
        raise fail(
            "country",
            Message(
                "%(country)s is not an ISO 3166-1 alpha-2 country code",
                country=repr(cells["country"]),
            ),
        )
    raw_region = cells.get("region", "")
    if raw_region:
        region = regions.normalise(raw_region)
        if region is None:
            raise fail(
                "region",
                Message(
                    "%(raw_region)s is not one of %(value)s",
                    raw_region=repr(raw_region),
                    value=", ".join(REGION_GROUPS),
                ),
            )
    else:
        region = regions.group_of(country)
    ref = cells.get("ref", "")
    return ExpertDraft(
        line=line or 0,
        ref=ref,
        name=cells.get("name") or ref,
        email=email,
        region=region,
        country=country,
        expertise=cells.get("expertise", ""),
        organisation=cells.get("organisation", ""),
        language=cells.get("language", "").lower(),
    )


def _with_ref(draft: ExpertDraft, index: int) -> ExpertDraft:
    if draft.ref:
        return draft
    from dataclasses import replace

    ref = f"E{index:03d}"
    return replace(draft, ref=ref, name=draft.name or ref, ref_given=False)
