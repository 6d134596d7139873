"""Pure: validate a study definition (parsed from YAML) into plain drafts.

Shape::

    slug: ic2permed-demo
    title: ...
    description: ...
    consensus: {kind: share, agree_share: 0.7, exclude_share: 0.7, region_gap: 0.2}
    panels: [Main panel]
    surveys:
      - pillar: P1
        title: ...
        panel: Main panel
        items:
          - {code: P1-01, statement: ..., rationale: ..., subtopic: DATA}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.models import CarryDecision, ConsensusRule

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")
_RULE_KINDS = ("share", "median_iqr", "share_and_median_iqr")
QUARTILE_METHODS = ("linear", "spss")


@dataclass(frozen=True)
class ItemDraft:
    code: str
    statement: str
    rationale: str = ""
    subtopic: str = ""


@dataclass(frozen=True)
class SurveyDraft:
    pillar: str
    title: str
    panel: str
    items: tuple[ItemDraft, ...]


@dataclass(frozen=True)
class StudyDraft:
    slug: str
    title: str
    description: str
    rule: ConsensusRule
    panels: tuple[str, ...]
    surveys: tuple[SurveyDraft, ...]


def parse_rule(data: Mapping[str, Any] | None, *, path: str = "consensus") -> ConsensusRule:
    """A consensus rule from a mapping; unknown keys and bad values name the field.

    :param data: e.g. ``{"kind": "share", "agree_share": 0.7}``; None gives the default rule.
    :param path: where the mapping came from, for messages.
    """
    if data is None:
        return ConsensusRule()
    if not isinstance(data, Mapping):
        raise StudyFileError(f"{path}: must be a mapping", field="consensus")
    known = {f.name: f for f in fields(ConsensusRule)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise StudyFileError(f"{path}.{key}: unknown setting", field=f"consensus.{key}")
        if key == "kind":
            if value not in _RULE_KINDS:
                raise StudyFileError(
                    f"{path}.kind: must be one of {', '.join(_RULE_KINDS)}", field="consensus.kind"
                )
        elif key == "quartile_method":
            if value not in QUARTILE_METHODS:
                raise StudyFileError(
                    f"{path}.quartile_method: must be one of {', '.join(QUARTILE_METHODS)}",
                    field="consensus.quartile_method",
                )
        elif key == "opposite_max" and value is None:
            pass
        elif key == "min_region_n":
            if not isinstance(value, int) or value < 1:
                raise StudyFileError(f"{path}.{key}: must be a positive integer", field=key)
        else:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise StudyFileError(f"{path}.{key}: must be a number", field=f"consensus.{key}")
            if key.endswith("share") or key in ("region_gap", "opposite_max"):
                if not 0 < value <= 1:
                    raise StudyFileError(
                        f"{path}.{key}: a share between 0 and 1 (0.7 for 70%)", field=key
                    )
            elif not 0 <= value <= 5:
                raise StudyFileError(f"{path}.{key}: must be between 0 and 5", field=key)
        values[key] = value
    return ConsensusRule(**values)


def parse_study_definition(data: Any, *, path: str) -> StudyDraft:
    """Validate a study definition.

    :param data: the parsed YAML document.
    :param path: the file name, for messages.
    """

    def fail(where: str, message: str) -> StudyFileError:
        return StudyFileError(f"{path}: {where}: {message}", field=where)

    if not isinstance(data, Mapping):
        raise StudyFileError(f"{path}: the document must be a mapping", field=None)
    slug = str(data.get("slug", ""))
    if not _SLUG.match(slug):
        raise fail("slug", "lower-case letters, digits and dashes, 2-79 characters")
    title = str(data.get("title", "")).strip()
    if not title:
        raise fail("title", "is missing")
    panels = tuple(str(p) for p in (data.get("panels") or ["Panel"]))
    surveys_raw = data.get("surveys")
    if not isinstance(surveys_raw, list) or not surveys_raw:
        raise fail("surveys", "a non-empty list of surveys is needed")
    surveys: list[SurveyDraft] = []
    pillars: set[str] = set()
    for i, raw in enumerate(surveys_raw):
        where = f"surveys[{i}]"
        if not isinstance(raw, Mapping):
            raise fail(where, "must be a mapping")
        pillar = str(raw.get("pillar", "")).strip()
        if not pillar:
            raise fail(f"{where}.pillar", "is missing")
        if pillar in pillars:
            raise fail(f"{where}.pillar", f"{pillar!r} appears twice")
        pillars.add(pillar)
        panel = str(raw.get("panel", panels[0]))
        if panel not in panels:
            raise fail(f"{where}.panel", f"{panel!r} is not in panels")
        items = _parse_items(raw.get("items"), where=where, fail=fail)
        surveys.append(
            SurveyDraft(
                pillar=pillar, title=str(raw.get("title", pillar)), panel=panel, items=items
            )
        )
    return StudyDraft(
        slug=slug,
        title=title,
        description=str(data.get("description", "")),
        rule=parse_rule(data.get("consensus"), path=f"{path}: consensus"),
        panels=panels,
        surveys=tuple(surveys),
    )


def _parse_items(raw_items: Any, *, where: str, fail: Any) -> tuple[ItemDraft, ...]:
    if not isinstance(raw_items, list) or not raw_items:
        raise fail(f"{where}.items", "a non-empty list of items is needed")
    items: list[ItemDraft] = []
    codes: set[str] = set()
    for j, item in enumerate(raw_items):
        at = f"{where}.items[{j}]"
        if not isinstance(item, Mapping):
            raise fail(at, "must be a mapping")
        code = str(item.get("code", "")).strip()
        statement = str(item.get("statement", "")).strip()
        if not code:
            raise fail(f"{at}.code", "is missing")
        if code in codes:
            raise fail(f"{at}.code", f"{code!r} appears twice")
        if not statement:
            raise fail(f"{at}.statement", "is missing")
        codes.add(code)
        items.append(
            ItemDraft(
                code=code,
                statement=statement,
                rationale=str(item.get("rationale", "") or ""),
                subtopic=str(item.get("subtopic", "") or ""),
            )
        )
    return tuple(items)


def parse_round_plan(
    data: Any, *, path: str
) -> tuple[dict[str, CarryDecision], tuple[ItemDraft, ...]]:
    """Validate the plan for the next round: decisions on non-consensus items, and new items.

    Shape: ``{decisions: {P1-06: {statement: ..., reason: ...}, P1-10: {drop: true,
    reason: ...}}, new_items: [{code: ..., statement: ...}]}``; an empty plan carries
    every non-consensus item unchanged.

    :param data: the parsed YAML document (None for an empty plan).
    :param path: the file name, for messages.
    """

    def fail(where: str, message: str) -> StudyFileError:
        return StudyFileError(f"{path}: {where}: {message}", field=where)

    if data is None:
        return {}, ()
    if not isinstance(data, Mapping):
        raise StudyFileError(f"{path}: the plan must be a mapping", field=None)
    unknown = set(data) - {"decisions", "new_items"}
    if unknown:
        raise fail(sorted(unknown)[0], "unknown key (use decisions and new_items)")
    decisions: dict[str, CarryDecision] = {}
    for code, raw in (data.get("decisions") or {}).items():
        where = f"decisions.{code}"
        if not isinstance(raw, Mapping):
            raise fail(where, "must be a mapping")
        drop = raw.get("drop", False)
        if not isinstance(drop, bool):
            raise fail(f"{where}.drop", "must be true or false")
        statement = raw.get("statement")
        if statement is not None and not str(statement).strip():
            raise fail(f"{where}.statement", "is empty")
        reason = str(raw.get("reason", "") or "").strip()
        if drop and not reason:
            raise fail(f"{where}.reason", "say why the item is dropped")
        decisions[str(code)] = CarryDecision(
            drop=drop, statement=None if statement is None else str(statement), reason=reason
        )
    new_items: tuple[ItemDraft, ...] = ()
    if data.get("new_items"):
        new_items = _parse_items(data["new_items"], where="new_items", fail=fail)
    return decisions, new_items


def _percent_field(fields: Mapping[str, str], name: str, *, required: bool) -> float | None:
    raw = fields.get(name, "").strip().rstrip("%").strip()
    if not raw:
        if required:
            raise StudyFileError(f"{name}: give a percentage, e.g. 70", field=name)
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise StudyFileError(
            f"{name}: {raw!r} is not a number (e.g. 70 for 70%)", field=name
        ) from exc
    if not 0 < value <= 100:
        raise StudyFileError(f"{name}: a percentage above 0 and at most 100", field=name)
    return value / 100


def study_draft_from_form(fields: Mapping[str, str]) -> StudyDraft:
    """A new study (no pillars yet) from the web form; percentages as typed (70 for 70%).

    :param fields: slug, title, description, kind, agree_share, exclude_share,
        opposite_max (blank for no cap), quartile_method.
    """
    slug = fields.get("slug", "").strip()
    if not _SLUG.match(slug):
        raise StudyFileError(
            "slug: lower-case letters, digits and dashes, 2-79 characters", field="slug"
        )
    title = fields.get("title", "").strip()
    if not title:
        raise StudyFileError("title: is missing", field="title")
    rule: dict[str, Any] = {
        "kind": fields.get("kind", "share") or "share",
        "agree_share": _percent_field(fields, "agree_share", required=True),
        "exclude_share": _percent_field(fields, "exclude_share", required=True),
        "opposite_max": _percent_field(fields, "opposite_max", required=False),
        "quartile_method": fields.get("quartile_method", "linear") or "linear",
    }
    return StudyDraft(
        slug=slug,
        title=title,
        description=fields.get("description", "").strip(),
        rule=parse_rule(rule, path="consensus"),
        panels=("Panel",),
        surveys=(),
    )
