"""Observations and status: add and import observations, assess indicators, build scorecards.

Takes a Session (the caller owns the transaction) and returns models. A CSV
file is checked whole before anything is added, so a bad file stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.roadmap.errors import (
    ObservationError,
    ObservationImportError,
    RoadmapNotFoundError,
)
from permed_atlas.roadmap.models import (
    ImportReport,
    Indicator,
    Observation,
    ObservationInput,
    Roadmap,
)
from permed_atlas.roadmap.projection import DEFAULT_LEVEL
from permed_atlas.roadmap.scorecard import Scorecard, build_scorecard
from permed_atlas.roadmap.spec import (
    check_observation,
    raise_for_observation,
    read_observation_rows,
)
from permed_atlas.roadmap.status import Assessment, assess
from permed_atlas.roadmap.store import (
    DEMO_LABEL,
    DEMO_OBSERVATIONS,
    _indicator_row,
    _now,
    _to_indicator,
    _to_observation,
    get_indicator,
    get_roadmap,
    list_indicators,
    list_observations,
    load_bundled_roadmaps,
)
from permed_atlas.roadmap.tables import IndicatorRow, ObservationRow

# --- observations --------------------------------------------------------------------------


def add_observation(
    session: Session,
    observation: ObservationInput,
    *,
    actor_id: int | None,
    entered_by: str,
    today: date | None = None,
) -> Observation:
    """Store one observation after checking unit, date and value against its indicator.

    :param session: the platform database session.
    :param observation: what was observed.
    :param actor_id: the editor's user id (None for the CLI or the system).
    :param entered_by: who entered it, as shown on pages (an email, "demo data", ...).
    :param today: observations after this date are refused (default: today, UTC).
    """
    row, slug = _indicator_row(session, observation.indicator)
    indicator = _to_indicator(row, slug)
    raise_for_observation(indicator, observation, today=today or _now().date())
    clash = session.scalar(
        select(ObservationRow).where(
            ObservationRow.indicator_id == row.id,
            ObservationRow.observed_on == observation.observed_on,
        )
    )
    if clash is not None:
        raise ObservationError(
            f"observation for {indicator.code}: date: {observation.observed_on.isoformat()} "
            f"already has an observation (value {clash.value:g})",
            field="date",
        )
    stored = ObservationRow(
        indicator_id=row.id,
        observed_on=observation.observed_on,
        value=observation.value,
        source=observation.source.strip(),
        entered_by_id=actor_id,
        entered_by=entered_by,
        entered_at=_now(),
    )
    session.add(stored)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent writer got there first
        raise ObservationError(
            f"observation for {indicator.code}: date: already stored", field="date"
        ) from exc
    record_audit(
        session,
        actor_id=actor_id,
        action="roadmap.observation.add",
        target=f"indicator:{indicator.code}",
        detail={
            "date": observation.observed_on.isoformat(),
            "value": observation.value,
            "source": observation.source,
            "entered_by": entered_by,
        },
    )
    return _to_observation(stored, indicator.code)


def import_observations(
    session: Session,
    text: str,
    *,
    path: str,
    actor_id: int | None,
    entered_by: str,
    today: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import observations from CSV text (indicator,date,value,unit,source); all or nothing.

    Every row is checked first; any bad row raises :class:`ObservationImportError`
    listing each bad line and field, and nothing is stored. A row identical to a stored
    observation (same indicator, date and value) is skipped, so a file can be re-imported.

    :param session: the platform database session.
    :param text: the CSV text.
    :param path: the file name, for messages.
    :param actor_id: the editor's user id (None for the CLI or the system).
    :param entered_by: who entered it, as shown on pages.
    :param today: observations after this date are refused (default: today, UTC).
    :param dry_run: check the file and report, store nothing.
    """
    rows, problems = read_observation_rows(text, where=path)
    limit = today or _now().date()
    indicators: dict[str, tuple[IndicatorRow, Indicator]] = {}
    seen: dict[tuple[str, date], int] = {}
    fresh: list[ObservationInput] = []
    skipped = 0
    for observation in rows:
        line = observation.line or 0
        if observation.indicator not in indicators:
            try:
                row, slug = _indicator_row(session, observation.indicator)
            except RoadmapNotFoundError:
                problems.append((line, "indicator", f"no indicator {observation.indicator!r}"))
                continue
            indicators[observation.indicator] = (row, _to_indicator(row, slug))
        row, indicator = indicators[observation.indicator]
        bad = check_observation(indicator, observation, today=limit)
        problems.extend((line, field, message) for field, message in bad)
        key = (indicator.code, observation.observed_on)
        if key in seen:
            problems.append((line, "date", f"same indicator and date as line {seen[key]}"))
            continue
        seen[key] = line
        stored = session.scalar(
            select(ObservationRow).where(
                ObservationRow.indicator_id == row.id,
                ObservationRow.observed_on == observation.observed_on,
            )
        )
        if stored is not None:
            if stored.value == observation.value:
                skipped += 1
            else:
                problems.append(
                    (
                        line,
                        "date",
                        f"{indicator.code} already has value {stored.value:g} on "
                        f"{observation.observed_on.isoformat()}",
                    )
                )
            continue
        if not bad:
            fresh.append(observation)
    if problems:
        raise ObservationImportError(path, sorted(problems))
    if not dry_run:
        now = _now()
        for observation in fresh:
            session.add(
                ObservationRow(
                    indicator_id=indicators[observation.indicator][0].id,
                    observed_on=observation.observed_on,
                    value=observation.value,
                    source=observation.source,
                    entered_by_id=actor_id,
                    entered_by=entered_by,
                    entered_at=now,
                )
            )
        session.flush()
        if fresh:
            record_audit(
                session,
                actor_id=actor_id,
                action="roadmap.observation.import",
                target=f"file:{Path(path).name}",
                detail={
                    "stored": len(fresh),
                    "indicators": sorted({o.indicator for o in fresh}),
                    "entered_by": entered_by,
                },
            )
    return ImportReport(
        path=path, read=len(rows), stored=len(fresh), skipped_existing=skipped, dry_run=dry_run
    )


def load_demo_observations(session: Session, *, today: date | None = None) -> ImportReport:
    """Load the bundled demo observations (loads the bundled roadmaps first); safe to rerun.

    :param session: the platform database session.
    :param today: observations after this date are refused (default: today, UTC).
    """
    load_bundled_roadmaps(session)
    return import_observations(
        session,
        DEMO_OBSERVATIONS.read_text(encoding="utf-8"),
        path=str(DEMO_OBSERVATIONS),
        actor_id=None,
        entered_by=DEMO_LABEL,
        today=today,
    )


# --- status --------------------------------------------------------------------------------


def assess_indicator(session: Session, code: str, *, level: float = DEFAULT_LEVEL) -> Assessment:
    """An indicator's projection and status.

    :param session: the platform database session.
    :param code: the indicator's code.
    :param level: coverage of the prediction interval.
    """
    return assess(get_indicator(session, code), list_observations(session, code), level=level)


def assess_roadmap(
    session: Session, slug: str, *, region: str | None = None, level: float = DEFAULT_LEVEL
) -> list[Assessment]:
    """Projection and status of every indicator of a roadmap.

    :param session: the platform database session.
    :param slug: the roadmap.
    :param region: only indicators of this region.
    :param level: coverage of the prediction interval.
    """
    indicators = list_indicators(session, roadmap=slug, region=region)
    ids = {
        row.code: row.id
        for row in session.scalars(
            select(IndicatorRow).where(IndicatorRow.code.in_([i.code for i in indicators]))
        )
    }
    by_indicator: dict[int, list[Observation]] = {}
    if ids:
        code_of = {v: k for k, v in ids.items()}
        for row in session.scalars(
            select(ObservationRow).where(ObservationRow.indicator_id.in_(list(ids.values())))
        ):
            by_indicator.setdefault(row.indicator_id, []).append(
                _to_observation(row, code_of[row.indicator_id])
            )
    return [
        assess(indicator, by_indicator.get(ids[indicator.code], []), level=level)
        for indicator in indicators
    ]


def roadmap_scorecard(session: Session, slug: str, *, level: float = DEFAULT_LEVEL) -> Scorecard:
    """The roadmap's scorecard: statuses rolled up per action, priority, pillar and region.

    :param session: the platform database session.
    :param slug: the roadmap.
    :param level: coverage of the prediction interval.
    """
    return build_scorecard(get_roadmap(session, slug), assess_roadmap(session, slug, level=level))


@dataclass(frozen=True)
class RoadmapOverview:
    """A roadmap with every indicator's assessment and the scorecard built from them."""

    roadmap: Roadmap
    assessments: tuple[Assessment, ...]
    scorecard: Scorecard


def roadmap_overview(
    session: Session, slug: str, *, level: float = DEFAULT_LEVEL
) -> RoadmapOverview:
    """The roadmap tree, its indicators' statuses and its scorecard in one read.

    :param session: the platform database session.
    :param slug: the roadmap.
    :param level: coverage of the prediction interval.
    """
    roadmap = get_roadmap(session, slug)
    assessments = assess_roadmap(session, slug, level=level)
    return RoadmapOverview(
        roadmap=roadmap,
        assessments=tuple(assessments),
        scorecard=build_scorecard(roadmap, assessments),
    )


@dataclass(frozen=True)
class IndicatorPage:
    """An indicator's assessment with its observations."""

    assessment: Assessment
    observations: tuple[Observation, ...]


def indicator_page(session: Session, code: str, *, level: float = DEFAULT_LEVEL) -> IndicatorPage:
    """An indicator's assessment and its observations in one read.

    :param session: the platform database session.
    :param code: the indicator.
    :param level: coverage of the prediction interval.
    """
    observations = list_observations(session, code)
    assessment = assess(get_indicator(session, code), observations, level=level)
    return IndicatorPage(assessment=assessment, observations=tuple(observations))
