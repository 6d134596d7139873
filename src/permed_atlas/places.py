"""Names that identify a country, read from ``data/places/*.csv`` with their sources.

Three tables, each row with the source it comes from (``data/places/README.md`` lists them):

* ``variants.csv``: how authors write a country that pycountry does not list ("P.R. China",
  "Deutschland");
* ``places.csv``: cities, provinces and regions that identify their country on their own;
* ``subdivisions.csv``: US states, Canadian provinces and Australian states as an address
  ends with them ("Minn.", "Alta.", "NSW").

Two readers use them: the landscape's affiliation parser (``landscape/countries.py``) and the
helpdesk's question reader (``helpdesk/countries.py``: "a trial in Shanghai" is about China).
A malformed row raises :class:`PlaceFileError` naming the file, the line and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from permed_atlas.csvfiles import read_csv
from permed_atlas.datafiles import BUNDLED_DATA_DIR, DataFileError, entry_where, read_text
from permed_atlas.i18n import Message, lazy_gettext
from permed_atlas.types import CountryCode

PLACES_DIR = BUNDLED_DATA_DIR / "places"
VARIANTS_FILE = PLACES_DIR / "variants.csv"
PLACES_FILE = PLACES_DIR / "places.csv"
SUBDIVISIONS_FILE = PLACES_DIR / "subdivisions.csv"

SUBDIVISION_FORMS = ("postal", "abbreviation", "name")
# Kosovo has no ISO 3166-1 code; XK is the user-assigned code the EU and others use for it.
_USER_ASSIGNED = frozenset({"XK"})

_NAME_COLUMNS = ("text", "country", "source")
_SUBDIVISION_COLUMNS = ("country", "subdivision", "form", "text", "source")


class PlaceFileError(DataFileError):
    """A place-name table is malformed (path, line, field: see DataFileError)."""

    entry_label = lazy_gettext("line")


@dataclass(frozen=True, slots=True)
class PlaceName:
    """A name that identifies a country: a variant of its name or a place in it.

    :param text: the name as the file writes it.
    :param country: ISO 3166-1 alpha-2 code.
    :param source: the id of the source (``data/places/README.md``).
    """

    text: str
    country: CountryCode
    source: str


@dataclass(frozen=True, slots=True)
class Subdivision:
    """One way of writing a state, province or territory at the end of an address.

    :param country: ISO 3166-1 alpha-2 code.
    :param subdivision: its postal code ("MN").
    :param form: ``postal`` (compared as written), ``abbreviation`` or ``name``.
    :param text: the form as written ("Minn.").
    :param source: the id of the source (``data/places/README.md``).
    """

    country: CountryCode
    subdivision: str
    form: str
    text: str
    source: str


def read_place_names(path: Path) -> tuple[PlaceName, ...]:
    """The rows of a name table (``text,country,source``), in file order.

    :param path: the CSV file.
    :raises PlaceFileError: naming the file, the line and the column at fault.
    """
    return tuple(PlaceName(**cells) for cells in _read_rows(path, _NAME_COLUMNS))


def read_subdivisions(path: Path) -> tuple[Subdivision, ...]:
    """The rows of a subdivision table (``country,subdivision,form,text,source``), in file order.

    :param path: the CSV file.
    :raises PlaceFileError: naming the file, the line and the column at fault.
    """
    return tuple(Subdivision(**cells) for cells in _read_rows(path, _SUBDIVISION_COLUMNS))


def _read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    from permed_atlas.countries import iso_codes  # pycountry loads only when a table is read

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaceFileError(Message("cannot read: %(exc)s", exc=exc), path=str(path)) from exc
    header, rows = read_csv(text)
    for column in columns:
        if column not in header:
            raise PlaceFileError(
                Message("missing from the header"),
                path=str(path),
                entry_id="1",
                field=column,
            )
    known = iso_codes() | _USER_ASSIGNED
    found = []
    for row in rows:
        where = entry_where(PlaceFileError, path=str(path), entry_id=str(row.line))
        if row.ragged:
            raise PlaceFileError(
                Message("has more cells than the header has columns"),
                path=str(path),
                entry_id=str(row.line),
            )
        cells = {
            column: read_text(row.cells[column], where=where, field=column) or ""
            for column in columns
        }
        if cells["country"] not in known:
            raise where.fail(
                "country",
                Message(
                    "%(country)s is not an ISO 3166-1 alpha-2 code", country=repr(cells["country"])
                ),
                stated=True,
            )
        if "form" in cells and cells["form"] not in SUBDIVISION_FORMS:
            raise where.fail(
                "form",
                Message(
                    "%(form)s is not one of %(value)s",
                    form=repr(cells["form"]),
                    value=", ".join(SUBDIVISION_FORMS),
                ),
                stated=True,
            )
        found.append(cells)
    return found


# The bundled tables change only with the package, so each is read once per process.
@lru_cache(maxsize=1)
def country_variants() -> tuple[PlaceName, ...]:
    """The bundled ``variants.csv``."""
    return read_place_names(VARIANTS_FILE)


@lru_cache(maxsize=1)
def country_places() -> tuple[PlaceName, ...]:
    """The bundled ``places.csv``."""
    return read_place_names(PLACES_FILE)


@lru_cache(maxsize=1)
def subdivisions() -> tuple[Subdivision, ...]:
    """The bundled ``subdivisions.csv``."""
    return read_subdivisions(SUBDIVISIONS_FILE)
