"""Reading a transfer scenario from a mapping (YAML/JSON file, form, API, CLI flags).

Every error names the field. Contradictions are refused rather than guessed:
anonymised data cannot also carry direct identifiers, a dataset cannot be
both anonymised and pseudonymised, and consent ``none`` with separate consent
obtained does not add up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.models import (
    CONSENTS,
    DATA_CATEGORIES,
    IDENTIFIABILITY_MARKERS,
    IMPORTER_ROLES,
    LEGAL_BASES,
    PARTY_TYPES,
    PURPOSES,
    Scenario,
)
from permed_atlas.transfer.regions import validate_country_code

_ENUMS: dict[str, tuple[str, ...]] = {
    "purpose": PURPOSES,
    "consent": CONSENTS,
    "legal_basis": LEGAL_BASES,
    "exporter_type": PARTY_TYPES,
    "importer_type": PARTY_TYPES,
    "importer_role": IMPORTER_ROLES,
}
_BOOLS = (
    "separate_consent", "foreign_party", "exporter_foreign_controlled", "government_funded",
    "important_data", "exporter_ciio", "sequencing", "marketing_authorisation_trial",
)  # fmt: skip
_ALIASES = {"from": "exporter_country", "to": "importer_country", "data": "data_categories",
            "subjects": "data_subjects", "measures_in_place": "measures"}  # fmt: skip
SCENARIO_FIELDS = frozenset(
    {"exporter_country", "importer_country", "data_categories", "data_subjects", "measures",
     "title", *_ENUMS, *_BOOLS}
)  # fmt: skip


def parse_scenario(data: Any, *, known_measures: Iterable[str] | None = None) -> Scenario:
    """Validate a mapping and build a :class:`Scenario`.

    :param data: field -> value; ``from``/``to``/``data``/``subjects`` are accepted aliases.
    :param known_measures: measure names the loaded rules understand; others are refused.
    :raises ScenarioError: naming the first bad field.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be a mapping of fields", field="scenario")
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = _ALIASES.get(str(key), str(key))
        if name not in SCENARIO_FIELDS:
            known = ", ".join(sorted(SCENARIO_FIELDS))
            raise ScenarioError(f"unknown field; known fields: {known}", field=str(key))
        values[name] = value
    for required in ("exporter_country", "importer_country", "data_categories"):
        if values.get(required) in (None, "", []):
            raise ScenarioError("is required", field=required)
    kwargs: dict[str, Any] = {
        name: validate_country_code(values[name], field=name)
        for name in ("exporter_country", "importer_country")
    }
    kwargs["data_categories"] = _categories(values["data_categories"])
    kwargs["title"] = str(values.get("title") or "")
    kwargs["data_subjects"] = _subjects(values.get("data_subjects"))
    for name, allowed in _ENUMS.items():
        kwargs[name] = _enum(values.get(name), allowed, field=name)
    for name in _BOOLS:
        kwargs[name] = _bool(values.get(name), field=name)
    kwargs["measures"] = _measures(values.get("measures"), known_measures)
    _check_contradictions(kwargs, values)
    return Scenario(**kwargs)


def read_scenario_file(path: Path, *, known_measures: Iterable[str] | None = None) -> Scenario:
    """Read a scenario from a YAML or JSON file.

    :param path: the file.
    :param known_measures: passed to :func:`parse_scenario`.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(f"cannot read {path}: {exc}", field=str(path)) from exc
    try:
        return parse_scenario(data, known_measures=known_measures)
    except ScenarioError as exc:
        raise ScenarioError(exc.reason, field=f"{path}: {exc.field}") from exc


def _as_list(value: Any, *, field: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise ScenarioError("must be a list of names", field=field)
        return [v.strip() for v in value if v.strip()]
    raise ScenarioError("must be a list (or a comma-separated string)", field=field)


def _categories(value: Any) -> tuple[str, ...]:
    cats = [c.lower() for c in _as_list(value, field="data_categories")]
    for cat in cats:
        if cat not in DATA_CATEGORIES:
            allowed = ", ".join(DATA_CATEGORIES)
            raise ScenarioError(
                f"unknown category {cat!r}; one of {allowed}", field="data_categories"
            )
    if not cats:
        raise ScenarioError("is required", field="data_categories")
    return tuple(dict.fromkeys(cats))


def _subjects(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ScenarioError("must be a whole number", field="data_subjects")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{value!r} is not a whole number", field="data_subjects") from None
    if isinstance(value, float) and value != number:
        raise ScenarioError(f"{value!r} is not a whole number", field="data_subjects")
    if number < 0:
        raise ScenarioError(f"cannot be negative ({number})", field="data_subjects")
    return number


def _enum(value: Any, allowed: tuple[str, ...], *, field: str) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip().lower().replace("-", "_")
    if text not in allowed:
        raise ScenarioError(f"{value!r} is not one of {', '.join(allowed)}", field=field)
    return text


def _bool(value: Any, *, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off"}:
        return False
    raise ScenarioError(f"{value!r} is not yes/no (true/false)", field=field)


def _measures(value: Any, known: Iterable[str] | None) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    names = [m.lower() for m in _as_list(value, field="measures")]
    if known is not None:
        allowed = set(known)
        for name in names:
            if name not in allowed:
                raise ScenarioError(
                    f"unknown measure {name!r}; the rules know {', '.join(sorted(allowed))}",
                    field="measures",
                )
    return tuple(dict.fromkeys(names))


def _check_contradictions(kwargs: dict[str, Any], raw: Mapping[str, Any]) -> None:
    cats = set(kwargs["data_categories"])
    markers = sorted(cats & set(IDENTIFIABILITY_MARKERS))
    if len(markers) > 1:
        raise ScenarioError(
            f"{' and '.join(markers)} contradict each other: choose the one that describes "
            "the data (pseudonymised data are still personal data)",
            field="data_categories",
        )
    if "non_personal" in cats and cats & {"identified", "pseudonymised"}:
        raise ScenarioError(
            "non_personal contradicts identified/pseudonymised", field="data_categories"
        )
    if kwargs["consent"] == "none" and kwargs["separate_consent"] is True:
        raise ScenarioError("separate consent cannot be given when consent is 'none'",
                            field="separate_consent")  # fmt: skip
    if kwargs["exporter_foreign_controlled"] is True and kwargs["foreign_party"] is False:
        raise ScenarioError(
            "a foreign-controlled exporter means a foreign party is involved",
            field="foreign_party",
        )
    subjects = kwargs["data_subjects"]
    if subjects == 0 and cats & {"identified", "pseudonymised"}:
        raise ScenarioError(
            "personal data of 0 individuals: give the number", field="data_subjects"
        )
