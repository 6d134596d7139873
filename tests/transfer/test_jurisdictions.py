"""The jurisdiction file (country sets, EU adequacy decisions): read, and refused when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.transfer import RuleFileError
from permed_atlas.transfer.regions import BUNDLED_JURISDICTIONS, load_jurisdictions

GOOD = """\
source: EEA Agreement; European Commission, "Adequacy decisions"
date_checked: "2026-11-23"
sets:
  CN_MAINLAND: [CN]
adequacy:
  - {country: CH, scope: full, reference: "Commission Decision 2000/518/EC (Switzerland)"}
  - {country: CA, scope: partial, reference: "Commission Decision 2002/2/EC", note: "PIPEDA"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "_jurisdictions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_jurisdiction_file_gives_its_sets_and_adequacy_decisions(tmp_path: Path) -> None:
    places = load_jurisdictions(_write(tmp_path, GOOD))
    assert places.sets["CN_MAINLAND"] == frozenset({"CN"})
    assert places.adequacy["CA"].scope == "partial" and places.adequacy["CA"].note == "PIPEDA"
    assert places.adequacy["CH"].reference.endswith("(Switzerland)")
    assert "DE" in places.sets["EU27"] and "NO" in places.sets["EEA"]
    assert places.checked == "2026-11-23"


def test_the_bundled_file_has_no_adequacy_decision_for_china() -> None:
    places = load_jurisdictions(BUNDLED_JURISDICTIONS)
    assert "CN" not in places.adequacy and places.adequacy["JP"].scope == "full"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("[CN]", "[CN, XX]"), "sets.CN_MAINLAND[1]", "unknown country code 'XX'"),
        (("[CN]", "[CN, NO]"), "sets.CN_MAINLAND[1]", 'quote Norway as "NO"'),
        (("  CN_MAINLAND: [CN]", "  CN_MAINLAND: {CN: 1}"), "sets.CN_MAINLAND", "must be a list"),
        (("scope: partial", "scope: sometimes"), "adequacy[1].scope",
         "'sometimes' is not one of full, partial"),
        (('reference: "Commission Decision 2002/2/EC", ', ""), "adequacy[1].reference",
         "is missing"),
        (("country: CH, ", ""), "adequacy[0].country", "is missing"),
        (("  - {country: CH", "  - [CH]\n  - {country: CH"), "adequacy[0]",
         "must be a mapping of fields"),
        (("adequacy:", "adequacy: 7\nold_adequacy:"), "adequacy", "must be a list"),
    ],
)  # fmt: skip
def test_a_broken_jurisdiction_file_is_named_with_file_and_field(
    tmp_path: Path, change: tuple[str, str], field: str, words: str
) -> None:
    old, new = change
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RuleFileError) as info:
        load_jurisdictions(path)
    assert str(info.value) == f"{path}, field {field!r}: {info.value.reason}"
    assert words in info.value.reason and info.value.field == field


def test_an_unreadable_jurisdiction_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match=r"_jurisdictions\.yaml: cannot read"):
        load_jurisdictions(_write(tmp_path, "sets: [unclosed\n"))
    listed = tmp_path / "listed"
    listed.mkdir()
    with pytest.raises(RuleFileError, match="must be a mapping with 'sets' and 'adequacy'"):
        load_jurisdictions(_write(listed, "- a list\n"))
