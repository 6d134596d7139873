"""Reading a transfer scenario from a mapping (YAML/JSON file, form, API, CLI flags).

Every error names the field. Contradictions are refused rather than guessed:
anonymised data cannot also carry direct identifiers, a dataset cannot be
both anonymised and pseudonymised, and consent ``none`` with separate consent
obtained does not add up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from permed_atlas.countries import CountryError, resolve_country
from permed_atlas.i18n import Message, require_one_of
from permed_atlas.transfer.errors import ScenarioError
from permed_atlas.transfer.fields import (
    ALIASES,
    DATA_CATEGORIES,
    FIELDS,
    FIELDS_BY_NAME,
    IDENTIFIABILITY_MARKERS,
    FieldSpec,
)
from permed_atlas.transfer.models import Scenario
from permed_atlas.types import CountryCode
from permed_atlas.userfiles import load_yaml

SCENARIO_FIELDS = frozenset(FIELDS_BY_NAME)


def parse_scenario(data: Any, *, known_measures: Iterable[str] | None = None) -> Scenario:
    """Validate a mapping and build a :class:`Scenario`.

    :param data: field -> value; ``from``/``to``/``data``/``subjects`` are accepted aliases.
    :param known_measures: measure names the loaded rules understand; others are refused.
    :raises ScenarioError: naming the first bad field.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(
            Message("a scenario must be a mapping of fields"),
            field="scenario",
        )
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = ALIASES.get(str(key), str(key))
        if name not in SCENARIO_FIELDS:
            known = ", ".join(sorted(SCENARIO_FIELDS))
            raise ScenarioError(
                Message("unknown field; known fields: %(known)s", known=known),
                field=str(key),
            )
        if name in values and values[name] != value:
            # "from" and "exporter_country" both given: neither may win silently.
            raise ScenarioError(
                Message(
                    "given twice with different values (%(first)s, %(second)s); give it once",
                    first=repr(values[name]),
                    second=repr(value),
                ),
                field=name,
            )
        values[name] = value
    parsed: dict[str, Any] = {}
    for spec in FIELDS:
        raw = values.get(spec.name)
        if spec.kind not in {"categories", "names"} and isinstance(raw, list | tuple):
            raise ScenarioError(
                Message(
                    "given more than once (%(values)s); give it once",
                    values=", ".join(repr(v) for v in raw),
                ),
                field=spec.name,
            )
        if raw in (None, "", [], ()):
            if spec.required:
                raise ScenarioError(Message("is required"), field=spec.name)
            continue
        if spec.kind == "names":
            parsed[spec.name] = _measures(raw, known_measures)
        else:
            parsed[spec.name] = _PARSERS[spec.kind](raw, spec)
    _check_contradictions(parsed)
    _check_counts(parsed)
    stated = {
        name: value for name, value in parsed.items()
        if name not in {"exporter_country", "importer_country", "data_categories", "measures",
                        "title"}
    }  # fmt: skip
    return Scenario(
        exporter_country=parsed["exporter_country"],
        importer_country=parsed["importer_country"],
        data_categories=parsed["data_categories"],
        stated=stated,
        measures=parsed.get("measures", ()),
        title=parsed.get("title", ""),
    )


def read_scenario_file(path: Path, *, known_measures: Iterable[str] | None = None) -> Scenario:
    """Read a scenario from a YAML or JSON file.

    :param path: the file.
    :param known_measures: passed to :func:`parse_scenario`.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(
            Message("cannot read %(path)s: %(exc)s", path=path, exc=exc),
            field=str(path),
        ) from exc
    try:
        return parse_scenario(data, known_measures=known_measures)
    except ScenarioError as exc:
        raise ScenarioError(exc.reason, field=f"{path}: {exc.field}") from exc


def _as_list(value: Any, *, field: str) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise ScenarioError(Message("must be a list of names"), field=field)
        return [v.strip() for v in value if v.strip()]
    raise ScenarioError(
        Message("must be a list (or a comma-separated string)"),
        field=field,
    )


def _country(value: Any, spec: FieldSpec) -> CountryCode:
    try:
        return resolve_country(value, field=spec.name, allow_eu_eea=True)
    except CountryError as exc:
        raise ScenarioError(exc.reason, field=spec.name) from exc


def _categories(value: Any, spec: FieldSpec) -> tuple[str, ...]:
    cats = [c.lower() for c in _as_list(value, field=spec.name)]
    for cat in cats:
        require_one_of(
            "unknown category %(value)s; one of %(options)s",
            value=cat,
            options=DATA_CATEGORIES,
            error=partial(ScenarioError, field=spec.name),
        )
    if not cats:
        raise ScenarioError(Message("is required"), field=spec.name)
    return tuple(dict.fromkeys(cats))


def _count(value: Any, spec: FieldSpec) -> int:
    field = spec.name
    if isinstance(value, bool):
        raise ScenarioError(Message("must be a whole number"), field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ScenarioError(
            Message("%(value)s is not a whole number", value=repr(value)),
            field=field,
        ) from None
    if isinstance(value, float) and value != number:
        raise ScenarioError(
            Message("%(value)s is not a whole number", value=repr(value)),
            field=field,
        )
    if number < 0:
        raise ScenarioError(
            Message("cannot be negative (%(number)s)", number=number),
            field=field,
        )
    return number


def _choice(value: Any, spec: FieldSpec) -> str:
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    text = dict(spec.value_aliases).get(text, text)
    require_one_of(
        "%(value)s is not one of %(options)s",
        value=value,
        key=text,
        options=spec.choices,
        error=partial(ScenarioError, field=spec.name),
    )
    return text


def _yesno(value: Any, spec: FieldSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "on"}:
        return True
    if text in {"false", "no", "0", "off"}:
        return False
    raise ScenarioError(
        Message("%(value)s is not yes/no (true/false)", value=repr(value)),
        field=spec.name,
    )


def _text(value: Any, spec: FieldSpec) -> str:
    return str(value).strip()


_PARSERS: dict[str, Callable[[Any, FieldSpec], Any]] = {
    "country": _country, "categories": _categories, "count": _count, "choice": _choice,
    "yesno": _yesno, "text": _text,
}  # fmt: skip


def _measures(value: Any, known: Iterable[str] | None) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    names = [m.lower() for m in _as_list(value, field="measures")]
    if known is not None:
        allowed = sorted(set(known))
        for name in names:
            require_one_of(
                "unknown measure %(value)s; the rules know %(options)s",
                value=name,
                options=allowed,
                error=partial(ScenarioError, field="measures"),
            )
    return tuple(dict.fromkeys(names))


def _check_contradictions(parsed: dict[str, Any]) -> None:
    cats = set(parsed["data_categories"])
    markers = sorted(cats & set(IDENTIFIABILITY_MARKERS))
    if len(markers) > 1:
        raise ScenarioError(
            Message(
                "%(options)s contradict each other: choose the one that describes the"
                " data (pseudonymised data are still personal data)",
                options=" and ".join(markers),
            ),
            field="data_categories",
        )
    if "non_personal" in cats and cats & {"identified", "pseudonymised"}:
        raise ScenarioError(
            Message("non_personal contradicts identified/pseudonymised"),
            field="data_categories",
        )
    if parsed.get("consent") == "none" and parsed.get("separate_consent") is True:
        raise ScenarioError(
            Message("separate consent cannot be given when consent is 'none'"),
            field="separate_consent",
        )  # fmt: skip
    if parsed.get("exporter_foreign_controlled") is True and parsed.get("foreign_party") is False:
        raise ScenarioError(
            Message(
                "a foreign-controlled exporter means a foreign party is involved",
            ),
            field="foreign_party",
        )
    if parsed.get("small_cells") is not None and "aggregate" not in cats:
        raise ScenarioError(
            Message(
                "small cells describe aggregate data; add 'aggregate' or leave it out",
            ),
            field="small_cells",
        )  # fmt: skip
    if parsed.get("access_mode") == "remote_access" and cats == {"samples"}:
        raise ScenarioError(
            Message("samples cannot be accessed remotely; choose copy (shipping)"),
            field="access_mode",
        )  # fmt: skip
    personal = cats & {"identified", "pseudonymised"}
    for name in ("data_subjects", "sensitive_subjects"):
        if parsed.get(name) == 0 and personal and "non_sensitive_subjects" not in parsed:
            raise ScenarioError(
                Message("personal data of 0 individuals: give the number"),
                field=name,
            )


def _check_counts(parsed: dict[str, Any]) -> None:
    """The cumulative counts include this transfer, so they cannot be below its own count.

    Accepted, a lower cumulative count would be the one the CAC thresholds read: 12,000
    patients' health data with ``sensitive_subjects: 5000`` would get the standard contract
    instead of the security assessment.
    """
    total = parsed.get("data_subjects")
    cats = set(parsed["data_categories"])
    if total is None or cats & {"anonymised", "aggregate", "non_personal"}:
        return
    sensitive, other = parsed.get("sensitive_subjects"), parsed.get("non_sensitive_subjects")
    low: tuple[str, str, int] | None = None  # field blamed, what is counted, the count
    if cats & {"health", "genetic"}:
        if sensitive is not None:
            low = ("sensitive_subjects", "sensitive_subjects", sensitive)
    elif parsed.get("minors_under_14") is not True:
        if other is not None:
            low = ("non_sensitive_subjects", "non_sensitive_subjects", other)
    elif sensitive is not None and other is not None:
        low = ("sensitive_subjects", "sensitive_subjects + non_sensitive_subjects",
               sensitive + other)  # fmt: skip
    if low is not None and low[2] < total:
        raise ScenarioError(
            Message(
                "%(what)s (%(count)s) is below the %(total)s individuals of this transfer "
                "(data_subjects); it counts since 1 January with this transfer included",
                what=low[1],
                count=low[2],
                total=total,
            ),
            field=low[0],
        )
