"""Observations and status: add and import observations, assess indicators, build scorecards.

Takes a Session (the caller owns the transaction) and returns models. A CSV
file is checked whole before anything is added, so a bad file stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from permed_atlas.accounts import record_audit
from permed_atlas.i18n import Message
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
from permed_atlas.roadmap.observation_rows import (
    check_observation,
    raise_for_observation,
    read_observation_rows,
)
from permed_atlas.roadmap.projection import DEFAULT_LEVEL
from permed_atlas.roadmap.scorecard import Scorecard, build_scorecard
from permed_atlas.roadmap.status import Assessment, assess
from permed_atlas.roadmap.store import (
    DEMO_LABEL,
    DEMO_OBSERVATIONS,
    add_observations,
    find_observation,
    get_indicator,
    get_roadmap,
    list_indicators,
    list_observations,
    load_bundled_roadmaps,
    observations_by_indicator,
    utcnow,
)

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
    indicator = get_indicator(session, observation.indicator)
    raise_for_observation(indicator, observation, today=today or utcnow().date())
    clash = find_observation(session, indicator.code, observation.observed_on)
    if clash is not None:
        raise ObservationError(
            Message(
                "observation for %(code)s: date: %(date)s already has "
                "an observation (value %(value)s)",
                code=indicator.code,
                date=observation.observed_on.isoformat(),
                value=format(clash.value, "g"),
            ),
            field="date",
        )
    (stored,) = add_observations(session, [observation], actor_id=actor_id, entered_by=entered_by)
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
    return stored


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
    fresh, skipped = _new_observations(session, rows, problems, today=today or utcnow().date())
    if problems:
        raise ObservationImportError(path, sorted(problems))
    if not dry_run:
        add_observations(session, fresh, actor_id=actor_id, entered_by=entered_by)
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


def _new_observations(
    session: Session,
    rows: list[ObservationInput],
    problems: list[tuple[int, str, str]],
    *,
    today: date,
) -> tuple[list[ObservationInput], int]:
    """The rows to store, and how many are stored already; adds each bad row to ``problems``.

    :param today: observations after this date are refused.
    """
    indicators: dict[str, Indicator] = {}
    seen: dict[tuple[str, date], int] = {}
    fresh: list[ObservationInput] = []
    skipped = 0
    for observation in rows:
        line = observation.line or 0
        if observation.indicator not in indicators:
            try:
                indicators[observation.indicator] = get_indicator(session, observation.indicator)
            except RoadmapNotFoundError:
                problems.append((line, "indicator", f"no indicator {observation.indicator!r}"))
                continue
        indicator = indicators[observation.indicator]
        bad = check_observation(indicator, observation, today=today)
        problems.extend((line, field, message) for field, message in bad)
        key = (indicator.code, observation.observed_on)
        if key in seen:
            problems.append((line, "date", f"same indicator and date as line {seen[key]}"))
            continue
        seen[key] = line
        stored = find_observation(session, indicator.code, observation.observed_on)
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
    return fresh, skipped


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


def assess_indicator(
    session: Session, code: str, *, level: float = DEFAULT_LEVEL, today: date | None = None
) -> Assessment:
    """An indicator's projection and status.

    :param session: the platform database session.
    :param code: the indicator's code.
    :param level: coverage of the prediction interval.
    :param today: the day of the assessment (default: today, UTC), to tell a stale status.
    """
    return assess(
        get_indicator(session, code),
        list_observations(session, code),
        level=level,
        today=today or utcnow().date(),
    )


def assess_roadmap(
    session: Session,
    slug: str,
    *,
    region: str | None = None,
    level: float = DEFAULT_LEVEL,
    today: date | None = None,
) -> list[Assessment]:
    """Projection and status of every indicator of a roadmap.

    :param session: the platform database session.
    :param slug: the roadmap.
    :param region: only indicators of this region.
    :param level: coverage of the prediction interval.
    :param today: the day of the assessment (default: today, UTC), to tell a stale status.
    """
    indicators = list_indicators(session, roadmap=slug, region=region)
    observed = observations_by_indicator(session, [i.code for i in indicators])
    day = today or utcnow().date()
    return [
        assess(indicator, observed.get(indicator.code, []), level=level, today=day)
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
    assessment = assess(
        get_indicator(session, code), observations, level=level, today=utcnow().date()
    )
    return IndicatorPage(assessment=assessment, observations=tuple(observations))
