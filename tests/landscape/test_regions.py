from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.landscape.errors import RegionError
from permed_atlas.landscape.regions import (
    add_region_set,
    load_region_sets,
    read_region_file,
    select_regions,
)
from permed_atlas.settings import Settings


def test_bundled_regions_have_sources_and_real_members(settings: Settings) -> None:
    regions = load_region_sets(settings)
    assert {"EU27", "CN", "ICPERMED", "EEA_UK_CH"} <= set(regions)
    eu = regions["EU27"]
    assert len(eu.countries) == 27
    assert {"DE", "FR", "GR", "HR"} <= eu.countries and "GB" not in eu.countries
    assert all(region.source for region in regions.values())
    assert {"DE", "IE", "BR", "NO"} <= regions["ICPERMED"].countries
    assert regions["EEA_UK_CH"].countries == eu.countries | {"IS", "LI", "NO", "GB", "CH"}


def test_hong_kong_and_macao_follow_the_setting(tmp_path: Path) -> None:
    with_sar = load_region_sets(Settings(data_dir=tmp_path, include_hk_mo_in_china=True))
    without = load_region_sets(Settings(data_dir=tmp_path, include_hk_mo_in_china=False))
    assert with_sar["CN"].countries == {"CN", "HK", "MO"}
    assert without["CN"].countries == {"CN"}


def test_user_region_file_adds_and_overrides(settings: Settings) -> None:
    folder = settings.data_dir / "regions"
    folder.mkdir(parents=True)
    (folder / "nordic.yaml").write_text(
        'code: NORDIC\nname: Nordic\ncountries: [DK, FI, IS, "NO", SE]\n', encoding="utf-8"
    )
    (folder / "cn.yaml").write_text("code: CN\ncountries: [cn]\n", encoding="utf-8")
    regions = load_region_sets(settings)
    assert regions["NORDIC"].countries == {"DK", "FI", "IS", "NO", "SE"}
    assert regions["NORDIC"].user_defined
    assert regions["CN"].countries == {"CN"}


def test_unknown_country_names_file_and_code(settings: Settings) -> None:
    folder = settings.data_dir / "regions"
    folder.mkdir(parents=True)
    bad = folder / "bad.yaml"
    bad.write_text("code: BAD\ncountries: [DE, XX]\n", encoding="utf-8")
    with pytest.raises(RegionError) as info:
        load_region_sets(settings)
    assert str(bad) in str(info.value)
    assert "'XX'" in str(info.value) and "countries[1]" in str(info.value)


def test_bare_no_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text("code: NN\ncountries: [NO]\n", encoding="utf-8")
    with pytest.raises(RegionError, match='quote Norway as "NO"'):
        read_region_file(path)


def test_malformed_region_files(tmp_path: Path) -> None:
    cases = {
        "list.yaml": ("- DE\n", "must be a mapping"),
        "code.yaml": ("code: eu\ncountries: [DE]\n", "field 'code'"),
        "empty.yaml": ("code: EMPTY\ncountries: []\n", "lists no countries"),
        "broken.yaml": ("code: [\n", "cannot read"),
        "listed.yaml": (
            "code: LL\ncountries: DE\n",
            "region 'LL', field 'countries': must be a list",
        ),
        "type.yaml": (
            "code: TT\nname: [a]\ncountries: [DE]\n",
            "region 'TT', field 'name': must be",
        ),
        "member.yaml": ("code: MM\nmembers: [{name: x}]\n", "field 'members\\[0\\].country'"),
        "setting.yaml": (
            "code: SS\ncountries: [DE]\nwhen_setting: {foo: [FR]}\n",
            "region 'SS', field 'when_setting.foo': unknown setting",
        ),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RegionError, match=message) as info:
            read_region_file(path)
        assert name in str(info.value)


def test_add_region_set_writes_a_file_read_back(settings: Settings) -> None:
    dry = add_region_set(settings, "dach", countries=["de", "AT", "CH"], dry_run=True)
    assert dry.countries == {"DE", "AT", "CH"}
    assert not (settings.data_dir / "regions").exists()
    add_region_set(settings, "dach", countries=["de", "AT", "CH"], name="DACH")
    regions = load_region_sets(settings)
    assert regions["DACH"].countries == {"DE", "AT", "CH"} and regions["DACH"].name == "DACH"
    with pytest.raises(RegionError, match="'ZZ'"):
        add_region_set(settings, "BAD", countries=["ZZ"])


def test_select_regions_names_the_unknown_one(settings: Settings) -> None:
    regions = load_region_sets(settings)
    assert [r.code for r in select_regions(regions, ["eu27", "CN"])] == ["EU27", "CN"]
    with pytest.raises(RegionError, match="unknown region 'MARS'"):
        select_regions(regions, ["MARS"])


def test_cli_regions_add_and_list(settings: Settings, monkeypatch) -> None:
    from typer.testing import CliRunner

    from permed_atlas.cli import app

    monkeypatch.setenv("PERMED_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    result = runner.invoke(app, ["regions", "add", "NORDIC", "--countries", "dk,FI,IS,NO,SE"])
    assert result.exit_code == 0, result.output
    assert "added region NORDIC: DK, FI, IS, NO, SE" in result.output
    assert (settings.data_dir / "regions" / "NORDIC.yaml").is_file()
    result = runner.invoke(app, ["regions", "list"])
    assert "NORDIC (user)" in result.output and "EU27 (bundled)" in result.output
    result = runner.invoke(app, ["regions", "add", "BAD", "--countries", "DE,QQ"])
    assert isinstance(result.exception, RegionError) and "'QQ'" in str(result.exception)
