"""Roadmaps and their indicators: read, created, imported from files, loaded from the bundle.

Every write is audited with ``permed_atlas.accounts.record_audit``. A whole
file (roadmap or observations) is checked before anything is added, so a bad
file leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.db import model_from_row
from permed_atlas.i18n import Message
from permed_atlas.landscape import region_countries
from permed_atlas.roadmap.errors import (
    InvalidRoadmapError,
    RoadmapExistsError,
)
from permed_atlas.roadmap.models import (
    Action,
    Indicator,
    Pillar,
    Priority,
    Roadmap,
    RoadmapSummary,
    Scope,
    Source,
)
from permed_atlas.roadmap.scopes import RegionCatalog, check_scope
from permed_atlas.roadmap.spec import (
    parse_indicators,
    parse_roadmap,
)
from permed_atlas.roadmap.store.rows import indicator_row, roadmap_row, to_indicator, utcnow
from permed_atlas.roadmap.tables import IndicatorRow, RoadmapNodeRow, RoadmapRow
from permed_atlas.userfiles import load_yaml

DATA_DIR = BUNDLED_DATA_DIR / "roadmap"
BUNDLED_DIR = DATA_DIR / "roadmaps"
DEMO_OBSERVATIONS = DATA_DIR / "demo_observations.csv"
DEMO_LABEL = "demo data"


# The roadmap row keeps its Source flat, one ``source_<field>`` column per field: this
# mapping is the one place that pairs them, for reading and for writing.
_SOURCE_COLUMNS = {field.name: f"source_{field.name}" for field in fields(Source)}


def _source_of(row: RoadmapRow) -> Source:
    return Source(**{name: getattr(row, column) for name, column in _SOURCE_COLUMNS.items()})


def _to_roadmap(session: Session, row: RoadmapRow) -> Roadmap:
    nodes = session.scalars(
        select(RoadmapNodeRow)
        .where(RoadmapNodeRow.roadmap_id == row.id)
        .order_by(RoadmapNodeRow.position, RoadmapNodeRow.id)
    ).all()
    children: dict[int | None, list[RoadmapNodeRow]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    pillars = []
    for pillar in children.get(None, []):
        priorities = []
        for priority in children.get(pillar.id, []):
            actions = tuple(
                model_from_row(
                    Action,
                    action,
                    delphi_items=tuple(action.delphi_items or ()),
                    title_zh=action.title_zh or "",
                )
                for action in children.get(priority.id, [])
            )
            priorities.append(
                Priority(priority.code, priority.title, actions, title_zh=priority.title_zh or "")
            )
        pillars.append(
            Pillar(pillar.code, pillar.title, tuple(priorities), title_zh=pillar.title_zh or "")
        )
    return model_from_row(
        Roadmap,
        row,
        source=_source_of(row),
        pillars=tuple(pillars),
        title_zh=row.title_zh or "",
    )


def list_roadmaps(session: Session) -> list[RoadmapSummary]:
    """Every roadmap with its number of actions and indicators, bundled ones first.

    :param session: the platform database session.
    """
    rows = session.scalars(select(RoadmapRow).order_by(RoadmapRow.bundled.desc(), RoadmapRow.slug))
    summaries = []
    for row in rows:
        actions = session.scalar(
            select(func.count())
            .select_from(RoadmapNodeRow)
            .where(RoadmapNodeRow.roadmap_id == row.id, RoadmapNodeRow.kind == "action")
        )
        indicators = session.scalar(
            select(func.count()).select_from(IndicatorRow).where(IndicatorRow.roadmap_id == row.id)
        )
        summaries.append(
            model_from_row(
                RoadmapSummary,
                row,
                actions=actions or 0,
                indicators=indicators or 0,
                title_zh=row.title_zh or "",
            )
        )
    return summaries


def get_roadmap(session: Session, slug: str) -> Roadmap:
    """One roadmap with its pillars, priorities and actions.

    :param session: the platform database session.
    :param slug: the roadmap's slug, e.g. ``ic2permed``.
    """
    return _to_roadmap(session, roadmap_row(session, slug))


def list_indicators(
    session: Session, *, roadmap: str | None = None, region: str | None = None
) -> list[Indicator]:
    """Indicators, optionally of one roadmap and one region, ordered by code.

    :param session: the platform database session.
    :param roadmap: a roadmap slug.
    :param region: a region code (EU27, CN, ...).
    """
    query = select(IndicatorRow, RoadmapRow.slug).join(
        RoadmapRow, RoadmapRow.id == IndicatorRow.roadmap_id
    )
    if roadmap is not None:
        query = query.where(RoadmapRow.id == roadmap_row(session, roadmap).id)
    if region is not None:
        query = query.where(IndicatorRow.region == region.upper())
    rows = session.execute(query.order_by(IndicatorRow.id)).all()
    return [to_indicator(row, slug) for row, slug in rows]


def get_indicator(session: Session, code: str) -> Indicator:
    """One indicator by its code.

    :param session: the platform database session.
    :param code: e.g. ``dpyd-demo-berlin``.
    """
    row, slug = indicator_row(session, code)
    return to_indicator(row, slug)


def _add_nodes(session: Session, roadmap_id: int, roadmap: Roadmap) -> None:
    existing = {
        node.code: node
        for node in session.scalars(
            select(RoadmapNodeRow).where(RoadmapNodeRow.roadmap_id == roadmap_id)
        )
    }

    def upsert(
        kind: str, code: str, title: str, parent: int | None, position: int, **extra: Any
    ) -> int:
        # extra: description, delphi_items, title_zh
        node = existing.get(code)
        if node is None:
            node = RoadmapNodeRow(roadmap_id=roadmap_id, code=code, delphi_items=[])
            session.add(node)
        node.kind, node.title, node.parent_id, node.position = kind, title, parent, position
        node.description = extra.get("description", "")
        node.delphi_items = list(extra.get("delphi_items", ()))
        node.title_zh = extra.get("title_zh", "")
        session.flush()
        return node.id

    for i, pillar in enumerate(roadmap.pillars):
        pillar_id = upsert("pillar", pillar.code, pillar.title, None, i, title_zh=pillar.title_zh)
        for j, priority in enumerate(pillar.priorities):
            priority_id = upsert(
                "priority", priority.code, priority.title, pillar_id, j, title_zh=priority.title_zh
            )
            for k, action in enumerate(priority.actions):
                upsert(
                    "action",
                    action.code,
                    action.title,
                    priority_id,
                    k,
                    description=action.description,
                    delphi_items=action.delphi_items,
                    title_zh=action.title_zh,
                )


def _write_indicator(
    session: Session,
    row: IndicatorRow | None,
    indicator: Indicator,
    roadmap_id: int,
    actor_id: int | None,
) -> IndicatorRow:
    if row is None:
        row = IndicatorRow(code=indicator.code, created_by=actor_id, created_at=utcnow())
        session.add(row)
    row.roadmap_id = roadmap_id
    row.name, row.definition, row.unit = indicator.name, indicator.definition, indicator.unit
    row.name_zh = indicator.name_zh
    row.direction = indicator.direction
    row.baseline_value, row.baseline_date = indicator.baseline_value, indicator.baseline_date
    row.target_value, row.target_date = indicator.target_value, indicator.target_date
    row.region, row.country = indicator.scope.region, indicator.scope.country
    row.centre = indicator.scope.centre
    row.actions = list(indicator.action_codes)
    row.data_source, row.note = indicator.data_source, indicator.note
    row.name_zh, row.unit_zh = indicator.name_zh, indicator.unit_zh
    return row


def _checked_indicators(
    indicators: Iterable[Indicator], regions: RegionCatalog, where: str
) -> list[Indicator]:
    checked = []
    for indicator in indicators:
        scope = check_scope(indicator.scope, regions=regions, where=f"{where}: {indicator.code}")
        checked.append(_replace_scope(indicator, scope))
    return checked


def _refuse_stored_indicator(session: Session, code: str, *, field: str) -> None:
    """Refuse a new indicator whose code is already stored (codes are unique across roadmaps)."""
    if session.scalar(select(IndicatorRow.id).where(IndicatorRow.code == code)):
        raise RoadmapExistsError(
            Message("an indicator %(code)s already exists", code=repr(code)),
            field=field,
        )


def _replace_scope(indicator: Indicator, scope: Scope) -> Indicator:
    return replace(indicator, scope=scope)


def create_roadmap(
    session: Session,
    roadmap: Roadmap,
    *,
    indicators: Sequence[Indicator] = (),
    regions: RegionCatalog | None = None,
    actor_id: int | None = None,
    dry_run: bool = False,
    where: str | None = None,
) -> RoadmapSummary:
    """Store a new roadmap with its indicators; refuse a slug or indicator code already used.

    :param session: the platform database session.
    :param roadmap: the parsed roadmap.
    :param indicators: its indicators (scopes are checked).
    :param regions: region catalog for scope checks (bundled region sets by default).
    :param actor_id: the editor, or None for the system.
    :param dry_run: check everything, store nothing.
    :param where: file or form it came from, for error messages (default: the slug).
    """
    catalog = regions if regions is not None else region_countries()
    checked = _checked_indicators(indicators, catalog, where or roadmap.slug)
    if session.scalar(select(RoadmapRow.id).where(RoadmapRow.slug == roadmap.slug)) is not None:
        raise RoadmapExistsError(
            Message("a roadmap %(slug)s already exists", slug=repr(roadmap.slug)),
            field="slug",
        )
    for indicator in checked:
        _refuse_stored_indicator(session, indicator.code, field="indicators")
    summary = RoadmapSummary(
        slug=roadmap.slug,
        title=roadmap.title,
        source_title=roadmap.source.title,
        bundled=roadmap.bundled,
        actions=len(roadmap.actions()),
        indicators=len(checked),
    )
    if dry_run:
        return summary
    row = RoadmapRow(
        slug=roadmap.slug, bundled=roadmap.bundled, created_by=actor_id, created_at=utcnow()
    )
    _set_roadmap_fields(row, roadmap)
    session.add(row)
    session.flush()
    _add_nodes(session, row.id, roadmap)
    for indicator in checked:
        _write_indicator(session, None, indicator, row.id, actor_id)
    session.flush()
    record_audit(
        session,
        actor_id=actor_id,
        action="roadmap.create",
        target=f"roadmap:{roadmap.slug}",
        detail={"actions": summary.actions, "indicators": summary.indicators},
    )
    return summary


def _set_roadmap_fields(row: RoadmapRow, roadmap: Roadmap) -> None:
    row.title, row.description = roadmap.title, roadmap.description
    row.title_zh = roadmap.title_zh
    for name, column in _SOURCE_COLUMNS.items():
        setattr(row, column, getattr(roadmap.source, name))


def read_roadmap_text(
    text: str | Mapping[str, Any], *, where: str, bundled: bool = False
) -> tuple[Roadmap, list[Indicator]]:
    """Parse a roadmap document (YAML or JSON text, or its parsed mapping).

    :param text: the document, or the mapping it parses to.
    :param where: file or form name, for error messages.
    :param bundled: whether it ships with PerMed Atlas.
    """
    if isinstance(text, Mapping):
        data: Any = text
    else:
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise InvalidRoadmapError(
                Message(
                    "%(where)s%(line)s: not valid YAML (%(exc)s)",
                    where=where,
                    line=line,
                    exc=exc,
                ),
                field="document",
            ) from exc
    roadmap = parse_roadmap(data, where=where, bundled=bundled)
    indicators = parse_indicators(data.get("indicators"), roadmap=roadmap, where=where)
    return roadmap, indicators


def import_roadmap(
    session: Session,
    text: str | Mapping[str, Any],
    *,
    where: str,
    regions: RegionCatalog | None = None,
    actor_id: int | None = None,
    dry_run: bool = False,
) -> RoadmapSummary:
    """Add an editor's own roadmap from a YAML or JSON document (the bundled files' format).

    :param session: the platform database session.
    :param text: the document (YAML or JSON text, or its parsed mapping).
    :param where: file or form name, for error messages.
    :param regions: region catalog for scope checks.
    :param actor_id: the editor.
    :param dry_run: check everything, store nothing.
    """
    roadmap, indicators = read_roadmap_text(text, where=where)
    return create_roadmap(
        session,
        roadmap,
        indicators=indicators,
        regions=regions,
        actor_id=actor_id,
        dry_run=dry_run,
        where=where,
    )


def create_indicator(
    session: Session,
    indicator: Indicator,
    *,
    regions: RegionCatalog | None = None,
    actor_id: int | None = None,
) -> Indicator:
    """Add one indicator to an existing roadmap.

    :param session: the platform database session.
    :param indicator: the indicator (its actions must exist in its roadmap).
    :param regions: region catalog for the scope check.
    :param actor_id: the editor.
    """
    row = roadmap_row(session, indicator.roadmap)
    roadmap = _to_roadmap(session, row)
    unknown = [code for code in indicator.action_codes if code not in roadmap.action_codes()]
    if unknown:
        raise InvalidRoadmapError(
            Message(
                "actions: no action %(value)s in roadmap %(slug)s",
                value=repr(unknown[0]),
                slug=repr(roadmap.slug),
            ),
            field="actions",
        )
    (checked,) = _checked_indicators([indicator], regions or region_countries(), indicator.code)
    _refuse_stored_indicator(session, checked.code, field="code")
    _write_indicator(session, None, checked, row.id, actor_id)
    session.flush()
    record_audit(
        session,
        actor_id=actor_id,
        action="roadmap.indicator.create",
        target=f"indicator:{checked.code}",
        detail={"roadmap": roadmap.slug, "scope": checked.scope.label()},
    )
    return checked


def load_bundled_roadmaps(
    session: Session, *, folder: Path = BUNDLED_DIR, regions: RegionCatalog | None = None
) -> list[RoadmapSummary]:
    """Load (or bring up to date) the roadmaps shipped as data files; safe to run again.

    New roadmaps, actions and indicators are added, changed text is updated; nothing
    is deleted, and observations are never touched.

    :param session: the platform database session.
    :param folder: the folder of roadmap files.
    :param regions: region catalog for scope checks.
    """
    catalog = regions if regions is not None else region_countries()
    loaded = []
    for path in sorted(folder.glob("*.yaml")):
        roadmap, indicators = read_roadmap_text(
            path.read_text(encoding="utf-8"), where=str(path), bundled=True
        )
        row = session.scalar(select(RoadmapRow).where(RoadmapRow.slug == roadmap.slug))
        if row is None:
            create_roadmap(
                session, roadmap, indicators=indicators, regions=catalog, where=str(path)
            )
        else:
            _set_roadmap_fields(row, roadmap)
            _add_nodes(session, row.id, roadmap)
            for indicator in _checked_indicators(indicators, catalog, str(path)):
                existing = session.scalar(
                    select(IndicatorRow).where(IndicatorRow.code == indicator.code)
                )
                _write_indicator(session, existing, indicator, row.id, None)
            session.flush()
        loaded.append(next(s for s in list_roadmaps(session) if s.slug == roadmap.slug))
    return loaded
