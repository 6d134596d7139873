"""Pure: read roadmap specs (parsed YAML/JSON dicts) and observation CSV text into models.

Nothing here touches files or the database; callers pass text or dicts and a
``where`` (file name or form) that every error message starts with.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from permed_atlas.roadmap.errors import InvalidRoadmapError, ObservationError
from permed_atlas.roadmap.models import (
    DIRECTIONS,
    Action,
    Indicator,
    ObservationInput,
    Pillar,
    Priority,
    Roadmap,
    Scope,
    Source,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
CSV_COLUMNS: tuple[str, ...] = ("indicator", "date", "value", "unit", "source")
_PERCENT_WORDS = re.compile(r"\b(percent|per cent|pct)\b")


def _fail(where: str, field: str, message: str) -> InvalidRoadmapError:
    return InvalidRoadmapError(f"{where}: {field}: {message}", field=field)


def _text(
    data: Mapping[str, Any], key: str, where: str, path: str, *, required: bool = True
) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(where, f"{path}{key}", "missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _fail(where, f"{path}{key}", f"must be text, not {type(value).__name__}")
    return str(value).strip()


def _mapping(value: Any, where: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(where, field, "must be a mapping")
    return value


def _list(value: Any, where: str, field: str) -> Sequence[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(where, field, "must be a list")
    return value


def parse_date(value: Any, *, where: str, field: str) -> date:
    """An ISO date (YYYY-MM-DD) from text or a YAML date.

    :param value: the raw value.
    :param where: file or form, for the message.
    :param field: field name, for the message.
    """
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise _fail(where, field, f"{value!r} is not a date (YYYY-MM-DD)") from exc


def parse_number(value: Any, *, where: str, field: str) -> float:
    """A finite number from text or YAML.

    :param value: the raw value.
    :param where: file or form, for the message.
    :param field: field name, for the message.
    """
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError as exc:
        raise _fail(where, field, f"{value!r} is not a number") from exc
    if isinstance(value, bool) or not math.isfinite(number):
        raise _fail(where, field, f"{value!r} is not a finite number")
    return number


def normalize_unit(unit: str) -> str:
    """A unit compared case- and space-insensitively, with "percent" spelled "%".

    :param unit: the unit as written.
    """
    text = " ".join(unit.lower().split())
    return _PERCENT_WORDS.sub("%", text)


def units_match(indicator_unit: str, given: str) -> bool:
    """Whether an observation's unit is the indicator's (``%`` fits ``% of centres``).

    :param indicator_unit: the indicator's unit.
    :param given: the observation's unit.
    """
    expected, actual = normalize_unit(indicator_unit), normalize_unit(given)
    if expected == actual:
        return True
    return expected.split(" of ", 1)[0] == actual and " of " in expected


def is_percent(unit: str) -> bool:
    return normalize_unit(unit).startswith("%")


def parse_roadmap(data: Any, *, where: str, bundled: bool = False) -> Roadmap:
    """Build a :class:`Roadmap` from a parsed file.

    :param data: the parsed YAML/JSON document.
    :param where: file or form name, for error messages.
    :param bundled: whether it ships with PerMed Atlas.
    """
    doc = _mapping(data, where, "document")
    slug = _text(doc, "slug", where, "")
    if not SLUG.match(slug):
        raise _fail(where, "slug", f"{slug!r} must be lower-case letters, digits, '.', '-' or '_'")
    source_doc = _mapping(doc.get("source"), where, "source")
    source = Source(
        title=_text(source_doc, "title", where, "source."),
        url=_text(source_doc, "url", where, "source.", required=False) or None,
        published=_text(source_doc, "published", where, "source.", required=False) or None,
        checked=_text(source_doc, "checked", where, "source.", required=False) or None,
        note=_text(source_doc, "note", where, "source.", required=False) or None,
    )
    seen: set[str] = set()

    def code_of(node: Mapping[str, Any], path: str) -> str:
        code = _text(node, "code", where, path)
        if not CODE.match(code):
            raise _fail(where, f"{path}code", f"{code!r} is not a valid code")
        if code in seen:
            raise _fail(where, f"{path}code", f"{code!r} is used twice")
        seen.add(code)
        return code

    pillars = []
    raw_pillars = _list(doc.get("pillars"), where, "pillars")
    if not raw_pillars:
        raise _fail(where, "pillars", "a roadmap needs at least one pillar")
    for i, raw_pillar in enumerate(raw_pillars):
        ppath = f"pillars[{i}]."
        pillar_doc = _mapping(raw_pillar, where, ppath[:-1])
        priorities = []
        for j, raw_priority in enumerate(
            _list(pillar_doc.get("priorities"), where, f"{ppath}priorities")
        ):
            qpath = f"{ppath}priorities[{j}]."
            priority_doc = _mapping(raw_priority, where, qpath[:-1])
            actions = []
            for k, raw_action in enumerate(
                _list(priority_doc.get("actions"), where, f"{qpath}actions")
            ):
                apath = f"{qpath}actions[{k}]."
                action_doc = _mapping(raw_action, where, apath[:-1])
                items = _list(action_doc.get("delphi_items"), where, f"{apath}delphi_items")
                actions.append(
                    Action(
                        code=code_of(action_doc, apath),
                        title=_text(action_doc, "title", where, apath),
                        description=_text(action_doc, "description", where, apath, required=False),
                        delphi_items=tuple(str(item) for item in items),
                        title_zh=_text(action_doc, "title_zh", where, apath, required=False),
                    )
                )
            priorities.append(
                Priority(
                    code=code_of(priority_doc, qpath),
                    title=_text(priority_doc, "title", where, qpath),
                    actions=tuple(actions),
                    title_zh=_text(priority_doc, "title_zh", where, qpath, required=False),
                )
            )
        pillars.append(
            Pillar(
                code=code_of(pillar_doc, ppath),
                title=_text(pillar_doc, "title", where, ppath),
                priorities=tuple(priorities),
                title_zh=_text(pillar_doc, "title_zh", where, ppath, required=False),
            )
        )
    return Roadmap(
        slug=slug,
        title=_text(doc, "title", where, ""),
        title_zh=_text(doc, "title_zh", where, "", required=False),
        description=_text(doc, "description", where, "", required=False),
        source=source,
        pillars=tuple(pillars),
        bundled=bundled,
    )


def parse_indicator(
    data: Any,
    *,
    roadmap: Roadmap,
    where: str,
    path: str = "",
    defaults: Mapping[str, Any] | None = None,
) -> Indicator:
    """Build one :class:`Indicator`; ``defaults`` supplies fields the entry leaves out.

    :param data: the parsed entry (a mapping).
    :param roadmap: the roadmap it belongs to (actions must exist there).
    :param where: file or form name, for error messages.
    :param path: field path prefix, for error messages.
    :param defaults: shared fields of an indicator family (``scopes:`` lists).
    """
    entry = dict(defaults or {})
    entry.update(_mapping(data, where, path[:-1] or "indicator"))
    code = _text(entry, "code", where, path)
    if not CODE.match(code):
        raise _fail(where, f"{path}code", f"{code!r} is not a valid code")
    direction = _text(entry, "direction", where, path)
    if direction not in DIRECTIONS:
        raise _fail(where, f"{path}direction", f"{direction!r} must be 'increase' or 'decrease'")
    baseline = _mapping(entry.get("baseline"), where, f"{path}baseline")
    target = _mapping(entry.get("target"), where, f"{path}target")
    scope_doc = entry.get("scope") or {
        key: entry[key] for key in ("region", "country", "centre") if key in entry
    }
    scope_doc = _mapping(scope_doc, where, f"{path}scope")
    scope = Scope(
        region=_text(scope_doc, "region", where, f"{path}scope."),
        country=(
            _text(scope_doc, "country", where, f"{path}scope.", required=False).upper() or None
        ),
        centre=_text(scope_doc, "centre", where, f"{path}scope.", required=False) or None,
    )
    actions = tuple(str(a) for a in _list(entry.get("actions"), where, f"{path}actions"))
    known = roadmap.action_codes()
    for n, action in enumerate(actions):
        if action not in known:
            raise _fail(
                where, f"{path}actions[{n}]", f"no action {action!r} in roadmap {roadmap.slug!r}"
            )
    indicator = Indicator(
        code=code,
        roadmap=roadmap.slug,
        name=_text(entry, "name", where, path),
        definition=_text(entry, "definition", where, path),
        unit=_text(entry, "unit", where, path),
        direction=direction,  # type: ignore[arg-type]
        baseline_value=parse_number(
            baseline.get("value"), where=where, field=f"{path}baseline.value"
        ),
        baseline_date=parse_date(baseline.get("date"), where=where, field=f"{path}baseline.date"),
        target_value=parse_number(target.get("value"), where=where, field=f"{path}target.value"),
        target_date=parse_date(target.get("date"), where=where, field=f"{path}target.date"),
        scope=scope,
        action_codes=actions,
        data_source=_text(entry, "data_source", where, path, required=False),
        note=_text(entry, "note", where, path, required=False) or None,
        name_zh=_text(entry, "name_zh", where, path, required=False),
    )
    if indicator.target_date <= indicator.baseline_date:
        raise _fail(where, f"{path}target.date", "must come after the baseline date")
    if is_percent(indicator.unit):
        for name, value in (
            ("baseline", indicator.baseline_value),
            ("target", indicator.target_value),
        ):
            if not 0.0 <= value <= 100.0:
                raise _fail(where, f"{path}{name}.value", f"{value:g} is not a percentage (0-100)")
    return indicator


def parse_indicators(data: Any, *, roadmap: Roadmap, where: str) -> list[Indicator]:
    """Every indicator of a roadmap file's ``indicators:`` list, families expanded.

    An entry with ``scopes:`` is a family: each scope entry becomes one indicator
    with the entry's fields as defaults.

    :param data: the list under ``indicators``.
    :param roadmap: the roadmap they belong to.
    :param where: file or form name, for error messages.
    """
    indicators: list[Indicator] = []
    for i, raw in enumerate(_list(data, where, "indicators")):
        path = f"indicators[{i}]."
        entry = _mapping(raw, where, path[:-1])
        if "scopes" in entry:
            family = {key: value for key, value in entry.items() if key not in {"scopes", "key"}}
            for j, scope_entry in enumerate(_list(entry["scopes"], where, f"{path}scopes")):
                indicators.append(
                    parse_indicator(
                        scope_entry,
                        roadmap=roadmap,
                        where=where,
                        path=f"{path}scopes[{j}].",
                        defaults=family,
                    )
                )
        else:
            indicators.append(parse_indicator(entry, roadmap=roadmap, where=where, path=path))
    codes = [indicator.code for indicator in indicators]
    for code in codes:
        if codes.count(code) > 1:
            raise _fail(where, "indicators", f"indicator code {code!r} is used twice")
    return indicators


def read_observation_rows(
    text: str, *, where: str
) -> tuple[list[ObservationInput], list[tuple[int, str, str]]]:
    """Read observation rows from CSV text; return the good rows and ``(line, field, problem)``.

    Columns: indicator, date, value, unit, source (header required, order free).

    :param text: the CSV text.
    :param where: the file name, for messages.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        return [], [
            (
                1,
                missing[0],
                f"the header has no column {missing[0]!r} (expected {', '.join(CSV_COLUMNS)})",
            )
        ]
    extra = [column for column in header if column not in CSV_COLUMNS]
    if extra:
        return [], [
            (1, extra[0], f"unknown column {extra[0]!r} (expected {', '.join(CSV_COLUMNS)})")
        ]
    rows: list[ObservationInput] = []
    problems: list[tuple[int, str, str]] = []
    for raw in reader:
        line = reader.line_num
        record = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if key}
        if None in raw:
            problems.append((line, "value", "more fields than the header has"))
            continue
        if not any(record.values()):
            continue
        try:
            for column in CSV_COLUMNS:
                if not record.get(column):
                    raise _fail(where, column, "missing")
            rows.append(
                ObservationInput(
                    indicator=record["indicator"],
                    observed_on=parse_date(record["date"], where=where, field="date"),
                    value=parse_number(record["value"], where=where, field="value"),
                    unit=record["unit"],
                    source=record["source"],
                    line=line,
                )
            )
        except InvalidRoadmapError as exc:
            message = str(exc).split(": ", 2)[-1]
            problems.append((line, exc.field or "?", message))
    if not rows and not problems:
        problems.append((1, "indicator", "the file has no observation rows"))
    return rows, problems


def check_observation(
    indicator: Indicator, observation: ObservationInput, *, today: date | None = None
) -> list[tuple[str, str]]:
    """What is wrong with an observation for this indicator, as ``(field, problem)``.

    :param indicator: the indicator it is for.
    :param observation: the observation.
    :param today: observations after this date are refused.
    """
    problems: list[tuple[str, str]] = []
    if observation.unit is not None and not units_match(indicator.unit, observation.unit):
        problems.append(
            (
                "unit",
                f"{observation.unit!r} is not the unit of {indicator.code} ({indicator.unit!r}); "
                f"enter the value in {indicator.unit} (no conversion between units is defined)",
            )
        )
    if observation.observed_on < indicator.baseline_date:
        problems.append(
            (
                "date",
                f"{observation.observed_on.isoformat()} is before the baseline date "
                f"{indicator.baseline_date.isoformat()} of {indicator.code}",
            )
        )
    if today is not None and observation.observed_on > today:
        problems.append(("date", f"{observation.observed_on.isoformat()} is in the future"))
    if not math.isfinite(observation.value):
        problems.append(("value", "is not a finite number"))
    elif is_percent(indicator.unit) and not 0.0 <= observation.value <= 100.0:
        problems.append(("value", f"{observation.value:g} is not a percentage (0-100)"))
    if not observation.source.strip():
        problems.append(("source", "missing"))
    return problems


def raise_for_observation(
    indicator: Indicator, observation: ObservationInput, *, today: date | None = None
) -> None:
    """Raise :class:`ObservationError` naming the first bad field, if any.

    :param indicator: the indicator it is for.
    :param observation: the observation.
    :param today: observations after this date are refused.
    """
    problems = check_observation(indicator, observation, today=today)
    if problems:
        field, message = problems[0]
        raise ObservationError(f"observation for {indicator.code}: {field}: {message}", field=field)
