"""Vocabulary of the synthetic demo corpus: countries, institutions, names, topics.

The words themselves live in ``data/demo/vocabulary.yaml`` (what is real in them and
what is made up is said there); this module reads that file once, at import, and
hands it to the generator as the constants below. Lists become tuples, so the
pools are as immutable as when they were written in code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permed_atlas.datafiles import BUNDLED_DATA_DIR, DataFileError, read_yaml

VOCABULARY_PATH = BUNDLED_DATA_DIR / "demo" / "vocabulary.yaml"

_SECTIONS = (
    "country_weights",
    "eu27",
    "china_side",
    "country_names",
    "institutions",
    "unplaced_institutions",
    "given_names",
    "family_names",
    "culture",
    "subfields",
    "pm_phrases",
    "study_designs",
    "topics",
)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _read_vocabulary(path: Path) -> dict[str, Any]:
    def error(reason: str) -> DataFileError:
        return DataFileError(reason, path=str(path))

    data = read_yaml(path, error=error)
    if not isinstance(data, dict):
        raise error("must be a mapping of sections")
    missing = [name for name in _SECTIONS if name not in data]
    if missing:
        raise error(f"sections missing: {', '.join(missing)}")
    frozen: dict[str, Any] = _frozen(data)
    return frozen


_DATA = _read_vocabulary(VOCABULARY_PATH)

# Lead-country weights in 2000 and in 2025, linearly interpolated in between.
COUNTRY_WEIGHTS: dict[str, tuple[float, float]] = _DATA["country_weights"]
EU27: frozenset[str] = frozenset(_DATA["eu27"])
CHINA_SIDE: frozenset[str] = frozenset(_DATA["china_side"])
# How affiliation strings name each country.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = _DATA["country_names"]
# (name, OpenAlex institution type, city, relative size) by country.
INSTITUTIONS: dict[str, tuple[tuple[str, str, str, float], ...]] = _DATA["institutions"]
UNPLACED_INSTITUTIONS: tuple[str, ...] = _DATA["unplaced_institutions"]
# Name pools by naming culture, and each country's culture.
GIVEN: dict[str, tuple[str, ...]] = _DATA["given_names"]
FAMILY: dict[str, tuple[str, ...]] = _DATA["family_names"]
CULTURE: dict[str, str] = _DATA["culture"]
# OpenAlex subfields: (id, name, field id, field name, domain id, domain name).
SUBFIELDS: dict[str, tuple[int, str, int, str, int, str]] = _DATA["subfields"]
PM_PHRASES: tuple[str, ...] = _DATA["pm_phrases"]
STUDY_DESIGNS: tuple[str, ...] = _DATA["study_designs"]
# One mapping per PM topic: key, weight, dept, topics, concepts, keywords, mesh, ...
TOPICS: tuple[dict[str, Any], ...] = _DATA["topics"]
