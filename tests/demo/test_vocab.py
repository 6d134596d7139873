"""The demo generator's vocabulary file: read once, refused with its name when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.datafiles import DataFileError
from permed_atlas.demo import _vocab as vocab


def test_vocabulary_pools_are_tuples_with_yaml_pitfalls_read_as_text() -> None:
    # 'NO' is Norway, not YAML 1.1's false.
    assert vocab.COUNTRY_NAMES["NO"] == ("Norway",)
    assert vocab.CULTURE["NO"] == "nordic"
    assert "NO" in vocab.COUNTRY_WEIGHTS
    assert vocab.INSTITUTIONS["US"][0] == ("Harvard University", "education", "Boston", 5)
    assert ("D058990", "Molecular Targeted Therapy", None, None) in vocab.TOPICS[0]["mesh"]
    assert len(vocab.EU27) == 27 and "CN" not in vocab.EU27


def test_a_vocabulary_without_a_section_is_refused_naming_file_and_section(
    tmp_path: Path,
) -> None:
    text = vocab.VOCABULARY_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "vocabulary.yaml"
    broken.write_text(text.replace("study_designs:", "study_design:"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"vocabulary\.yaml: sections missing: study_designs"):
        vocab._read_vocabulary(broken)


def test_an_unreadable_vocabulary_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "vocabulary.yaml"
    broken.write_text("topics: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"vocabulary\.yaml: cannot read"):
        vocab._read_vocabulary(broken)
