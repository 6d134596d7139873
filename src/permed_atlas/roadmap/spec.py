"""Pure: read roadmap specs (parsed YAML/JSON dicts) and indicators into models.

Observation files are read by :mod:`permed_atlas.roadmap.observation_rows`.

Nothing here touches files or the database; callers pass text or dicts and a
``where`` (file name or form) that every error message starts with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from permed_atlas.datafiles import (
    Where,
    read_choice,
    read_list,
    read_mapping,
    read_text,
    read_texts,
)
from permed_atlas.i18n import Message
from permed_atlas.roadmap.errors import InvalidRoadmapError
from permed_atlas.roadmap.models import (
    DIRECTIONS,
    Action,
    Direction,
    Indicator,
    Pillar,
    Priority,
    Roadmap,
    Scope,
    Source,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_HEADING_KEYS = frozenset({"code", "title", "title_zh"})
_DOCUMENT_KEYS = frozenset(
    {"slug", "title", "title_zh", "description", "source", "pillars", "indicators"}
)
_PERCENT_WORDS = re.compile(r"\b(percent|per cent|pct)\b")
_T = TypeVar("_T")


def _where(where: str) -> Where:
    return Where(where, lambda message, field: InvalidRoadmapError(message, field=field))


def fail(where: str, field: str, message: str) -> Exception:
    """The error for ``field`` of the document or file ``where`` (raise it)."""
    return _where(where).fail(field, message, stated=True)


def _text(
    data: Mapping[str, Any], key: str, where: str, path: str, *, required: bool = True
) -> str:
    """The text at ``path + key``, named so in the error; optional text absent is ""."""
    return (
        read_text(data.get(key), where=_where(where), field=f"{path}{key}", required=required) or ""
    )


def _node(value: Any, where: str, field: str) -> Mapping[str, Any]:
    return read_mapping(value, where=_where(where), field=field, required=True)


def _tree_node(value: Any, where: str, path: str, known: frozenset[str]) -> Mapping[str, Any]:
    """A document, pillar, priority or action; a key it does not know is refused, as a
    nested ``actions:`` under an action or a misspelt ``prioritys:`` was dropped unseen."""
    doc = _node(value, where, path[:-1] or "document")
    for key in doc:
        if key not in known:
            raise fail(
                where,
                f"{path}{key}",
                Message("unknown field; known fields: %(known)s", known=", ".join(sorted(known))),
            )
    return doc


def _list(value: Any, where: str, field: str) -> Sequence[Any]:
    return read_list(value, where=_where(where), field=field)


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
        raise fail(where, field, f"{value!r} is not a date (YYYY-MM-DD)") from exc


def parse_number(value: Any, *, where: str, field: str) -> float:
    """A finite number from text or YAML.

    :param value: the raw value.
    :param where: file or form, for the message.
    :param field: field name, for the message.
    """
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError as exc:
        raise fail(where, field, f"{value!r} is not a number") from exc
    if isinstance(value, bool) or not math.isfinite(number):
        raise fail(where, field, f"{value!r} is not a finite number")
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
    doc = _tree_node(data, where, "", _DOCUMENT_KEYS)
    slug = _text(doc, "slug", where, "")
    if not SLUG.match(slug):
        raise fail(where, "slug", f"{slug!r} must be lower-case letters, digits, '.', '-' or '_'")
    raw_pillars = _list(doc.get("pillars"), where, "pillars")
    if not raw_pillars:
        raise fail(where, "pillars", "a roadmap needs at least one pillar")
    codes = _Codes(where)
    return Roadmap(
        slug=slug,
        title=_text(doc, "title", where, ""),
        title_zh=_text(doc, "title_zh", where, "", required=False),
        description=_text(doc, "description", where, "", required=False),
        source=_read_source(doc.get("source"), where),
        pillars=tuple(
            _read_pillar(raw, where=where, path=f"pillars[{i}].", codes=codes)
            for i, raw in enumerate(raw_pillars)
        ),
        bundled=bundled,
    )


def _read_source(value: Any, where: str) -> Source:
    doc = _node(value, where, "source")
    optional = {
        key: _text(doc, key, where, "source.", required=False) or None
        for key in ("url", "published", "checked", "note")
    }
    return Source(title=_text(doc, "title", where, "source."), **optional)


class _Codes:
    """The codes of one roadmap's pillars, priorities and actions: valid and used once."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.seen: set[str] = set()

    def read(self, node: Mapping[str, Any], path: str) -> str:
        code = _text(node, "code", self.where, path)
        if not CODE.match(code):
            raise fail(self.where, f"{path}code", f"{code!r} is not a valid code")
        if code in self.seen:
            raise fail(self.where, f"{path}code", f"{code!r} is used twice")
        self.seen.add(code)
        return code


def _read_pillar(raw: Any, *, where: str, path: str, codes: _Codes) -> Pillar:
    doc = _tree_node(raw, where, path, _HEADING_KEYS | {"priorities"})
    priorities = _children(doc, "priorities", _read_priority, where=where, path=path, codes=codes)
    return Pillar(**_heading(doc, where=where, path=path, codes=codes), priorities=priorities)


def _read_priority(raw: Any, *, where: str, path: str, codes: _Codes) -> Priority:
    doc = _tree_node(raw, where, path, _HEADING_KEYS | {"actions"})
    actions = _children(doc, "actions", _read_action, where=where, path=path, codes=codes)
    return Priority(**_heading(doc, where=where, path=path, codes=codes), actions=actions)


def _children(
    doc: Mapping[str, Any],
    key: str,
    read: Callable[..., _T],
    *,
    where: str,
    path: str,
    codes: _Codes,
) -> tuple[_T, ...]:
    """The pillar's priorities or the priority's actions, each read by ``read``."""
    items = _list(doc.get(key), where, f"{path}{key}")
    return tuple(
        read(item, where=where, path=f"{path}{key}[{i}].", codes=codes)
        for i, item in enumerate(items)
    )


def _heading(doc: Mapping[str, Any], *, where: str, path: str, codes: _Codes) -> dict[str, str]:
    """The code, title and Chinese title a pillar and a priority share; read after the children,
    so codes are claimed in the order the file's actions, priorities and pillars close."""
    return {
        "code": codes.read(doc, path),
        "title": _text(doc, "title", where, path),
        "title_zh": _text(doc, "title_zh", where, path, required=False),
    }


def _read_action(raw: Any, *, where: str, path: str, codes: _Codes) -> Action:
    doc = _tree_node(raw, where, path, _HEADING_KEYS | {"description", "delphi_items"})
    items = read_texts(doc.get("delphi_items"), where=_where(where), field=f"{path}delphi_items")
    return Action(
        code=codes.read(doc, path),
        title=_text(doc, "title", where, path),
        description=_text(doc, "description", where, path, required=False),
        delphi_items=items,
        title_zh=_text(doc, "title_zh", where, path, required=False),
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
    entry.update(_node(data, where, path[:-1] or "indicator"))
    code = _text(entry, "code", where, path)
    if not CODE.match(code):
        raise fail(where, f"{path}code", f"{code!r} is not a valid code")
    direction = read_choice(
        entry.get("direction"), where=_where(where), field=f"{path}direction", choices=DIRECTIONS
    )
    baseline = _node(entry.get("baseline"), where, f"{path}baseline")
    target = _node(entry.get("target"), where, f"{path}target")
    scope_doc = entry.get("scope") or {
        key: entry[key] for key in ("region", "country", "centre") if key in entry
    }
    scope_doc = _node(scope_doc, where, f"{path}scope")
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
            raise fail(
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
        unit_zh=_text(entry, "unit_zh", where, path, required=False),
    )
    problem = indicator_problem(indicator)
    if problem is not None:
        field, message = problem
        raise fail(where, f"{path}{field}", message)
    return indicator


def indicator_problem(indicator: Indicator) -> tuple[str, Message] | None:
    """The first thing wrong with an indicator's own fields, as ``(field, problem)``.

    A file, the form and the API all build indicators, so all three refuse through this
    one check; fields are named as in a roadmap file (``target.value``).

    :param indicator: the indicator as read.
    """
    if not CODE.match(indicator.code):
        return "code", Message("%(code)s is not a valid code", code=repr(indicator.code))
    for name, value in (("baseline", indicator.baseline_value), ("target", indicator.target_value)):
        if not math.isfinite(value):
            return f"{name}.value", Message(
                "%(value)s is not a finite number", value=format(value, "g")
            )
    if indicator.target_date <= indicator.baseline_date:
        return "target.date", Message("must come after the baseline date")
    if is_percent(indicator.unit):
        for name, value in (
            ("baseline", indicator.baseline_value),
            ("target", indicator.target_value),
        ):
            if not 0.0 <= value <= 100.0:
                return f"{name}.value", Message(
                    "%(value)s is not a percentage (0-100)", value=format(value, "g")
                )
    # A target on the wrong side of the baseline makes the indicator "on track" while it
    # moves away from what the roadmap wants (equal is allowed: keeping a level reached).
    values = {
        "target": format(indicator.target_value, "g"),
        "baseline": format(indicator.baseline_value, "g"),
    }
    if indicator.direction == "increase" and indicator.target_value < indicator.baseline_value:
        return "target.value", Message(
            "%(target)s is below the baseline %(baseline)s, but the direction is increase",
            **values,
        )
    if indicator.direction == "decrease" and indicator.target_value > indicator.baseline_value:
        return "target.value", Message(
            "%(target)s is above the baseline %(baseline)s, but the direction is decrease",
            **values,
        )
    return None


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
        entry = _node(raw, where, path[:-1])
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
            raise fail(where, "indicators", f"indicator code {code!r} is used twice")
    return indicators


def build_indicator(
    roadmap: str,
    *,
    code: str,
    name: str,
    definition: str,
    unit: str,
    direction: Direction,
    baseline_value: float,
    baseline_date: date,
    target_value: float,
    target_date: date,
    region: str,
    country: str | None,
    centre: str | None,
    actions: Sequence[str],
    data_source: str,
) -> Indicator:
    """The indicator a form or a JSON request describes, its fields already typed.

    The page's form and the API both build a new indicator here, so the two refuse the
    same input. Texts are trimmed; an empty country or centre is no scope level; blank
    action codes are dropped.

    :param roadmap: the slug of the roadmap it belongs to.
    """
    indicator = Indicator(
        code=code.strip(),
        roadmap=roadmap,
        name=name.strip(),
        definition=definition.strip(),
        unit=unit.strip(),
        direction=direction,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        target_value=target_value,
        target_date=target_date,
        scope=Scope(region=region, country=country or None, centre=centre or None),
        action_codes=tuple(a.strip() for a in actions if a.strip()),
        data_source=data_source.strip(),
    )
    problem = indicator_problem(indicator)
    if problem is not None:
        # the form's and the API's fields are flat: target.value is target_value
        field = problem[0].replace(".", "_")
        raise InvalidRoadmapError(
            Message("%(field)s: %(problem)s", field=field, problem=problem[1]), field=field
        )
    return indicator
