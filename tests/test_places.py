"""The place-name tables load; a bad row names its file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from permed_atlas.places import (
    PLACES_DIR,
    PlaceFileError,
    country_places,
    country_variants,
    read_place_names,
    read_subdivisions,
    subdivisions,
)


def test_the_bundled_tables_load_with_a_documented_source_on_every_row() -> None:
    readme = (PLACES_DIR / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.MULTILINE))
    rows = [*country_variants(), *country_places(), *subdivisions()]
    assert len(country_variants()) > 90
    assert len(country_places()) > 200
    assert {row.source for row in rows} <= documented


def test_georgia_is_no_us_state_name_but_ga_is_a_us_postal_code() -> None:
    us = [row for row in subdivisions() if row.country == "US"]
    assert "Georgia" not in {row.text for row in us if row.form == "name"}
    assert "GA" in {row.text for row in us if row.form == "postal"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "places.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_country_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "text,country,source\nparis,FR,geonames\nlyon,ZZ,geonames\n")
    with pytest.raises(PlaceFileError) as caught:
        read_place_names(path)
    assert caught.value.path == str(path)
    assert caught.value.entry_id == "3"
    assert caught.value.field == "country"
    assert str(caught.value) == (
        f"{path}: line '3', field 'country': 'ZZ' is not an ISO 3166-1 alpha-2 code"
    )


def test_a_missing_source_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "text,country,source\nparis,FR,\n")
    with pytest.raises(PlaceFileError, match=r"line '2', field 'source': is missing"):
        read_place_names(path)


def test_a_missing_column_names_the_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "text,country\nparis,FR\n")
    with pytest.raises(PlaceFileError, match=r"line '1', field 'source': missing from the header"):
        read_place_names(path)


def test_an_unknown_subdivision_form_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "country,subdivision,form,text,source\nUS,MN,nickname,Gopher State,x\n")
    with pytest.raises(PlaceFileError, match=r"line '2', field 'form': 'nickname' is not one of"):
        read_subdivisions(path)


def test_a_ragged_row_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "text,country,source\nparis,FR,geonames,extra\n")
    with pytest.raises(PlaceFileError, match=r"line '2': has more cells"):
        read_place_names(path)
