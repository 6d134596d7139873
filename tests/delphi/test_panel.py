"""Panel CSV parsing: good rows become drafts; a bad row names its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.delphi.errors import PanelFileError
from permed_atlas.delphi.files import known_countries, load_region_groups, read_panel_file
from permed_atlas.delphi.panel import parse_panel_csv

GOOD = (
    "\ufeffname,email,country,region,expertise,organisation\n"
    "Anna Berger,anna@example.org,de,,genomics,Charité\n"
    "Wang Lei,wang@example.cn,CN,,policy,Fudan\n"
    "Maya Rosen,maya@example.org,IL,,law,\n"
    "Li Na,li@example.hk,HK,China,,\n"
    "\n"
)


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_panel_csv(
        text, path="panel.csv", known_countries=known_countries(), regions=load_region_groups()
    )


def test_good_file_with_bom_and_derived_regions() -> None:
    drafts = _parse(GOOD)
    assert [(d.name, d.country, d.region, d.ref) for d in drafts] == [
        ("Anna Berger", "DE", "EU", "E001"),
        ("Wang Lei", "CN", "CN", "E002"),
        ("Maya Rosen", "IL", "Other", "E003"),
        ("Li Na", "HK", "CN", "E004"),
    ]
    assert drafts[0].line == 2


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("name,email\nA,a@x.org\n", 1, "country", "missing column"),
        ("name,email,country\nA,a@x.org,DE\nB,not-an-email,FR\n", 3, "email", "not an e-mail"),
        ("name,email,country\nA,a@x.org,XX\n", 2, "country", "ISO 3166-1"),
        ("name,email,country\nA,a@x.org,DE\nB,A@X.org,FR\n", 3, "email", "already on line 2"),
        ("name,email,country,region\nA,a@x.org,DE,Mars\n", 2, "region", "not one of"),
        ("name,email,country\n,a@x.org,DE\n", 2, "name", "is empty"),
        ("name,email,country\nA,a@x.org,DE,extra\n", 2, None, "more cells"),
    ],
)
def test_bad_rows_name_line_and_field(text: str, line: int, field: str | None, words: str) -> None:
    with pytest.raises(PanelFileError) as caught:
        _parse(text)
    error = caught.value
    assert error.line == line and error.field == field
    assert words in str(error)
    assert str(error).startswith(f"panel.csv:{line}")


def test_empty_file() -> None:
    with pytest.raises(PanelFileError, match="empty"):
        _parse("")
    with pytest.raises(PanelFileError, match="no experts"):
        _parse("name,email,country\n")


def test_hong_kong_and_macao_follow_the_platform_setting(tmp_path: Path) -> None:
    # The same rule as the landscape's China set: with the setting off, HK and MO
    # experts without an explicit region are "Other", and an explicit region still wins.
    panel = tmp_path / "panel.csv"
    panel.write_text(
        "name,email,country,ref,region\n"
        "Chan Tai Man,chan@example.hk,HK,E1,\n"
        "Ho Kin,ho@example.mo,MO,E2,\n"
        "Li Na,li@example.hk,HK,E3,China\n",
        encoding="utf-8",
    )
    with_sars = read_panel_file(panel)
    without_sars = read_panel_file(panel, include_hk_mo_in_china=False)
    assert [d.region for d in with_sars] == ["CN", "CN", "CN"]
    assert [d.region for d in without_sars] == ["Other", "Other", "CN"]
