"""The roadmap's JSON API under /api/v1/roadmap (included through routes.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from permed_atlas.i18n import Message
from permed_atlas.landscape import region_countries
from permed_atlas.roadmap import store
from permed_atlas.roadmap.delphi_link import roadmap_from_delphi
from permed_atlas.roadmap.errors import InvalidRoadmapError, ObservationImportError
from permed_atlas.roadmap.exports import (
    assessment_dict,
    indicator_dict,
    observation_dict,
    roadmap_dict,
    scorecard_dict,
    summary_dict,
)
from permed_atlas.roadmap.models import ObservationInput
from permed_atlas.roadmap.monitoring import (
    add_observation,
    assess_indicator,
    assess_roadmap,
    import_observations,
    roadmap_scorecard,
)
from permed_atlas.roadmap.schemas import (
    ImportReportPublic,
    IndicatorCreate,
    IndicatorDetailPublic,
    IndicatorPublic,
    ObservationCreate,
    ObservationPublic,
    ObservationsImportCreate,
    RoadmapCreate,
    RoadmapPublic,
    RoadmapStatusPublic,
    RoadmapSummaryPublic,
    ScorecardPublic,
)
from permed_atlas.roadmap.spec import build_indicator
from permed_atlas.roadmap.status import describe_rule
from permed_atlas.web.deps import (
    CsrfProtected,
    EditorUser,
    SessionDep,
    SettingsDep,
    json_router,
    seed_once,
)

ensure_loaded = seed_once(
    "roadmap",
    lambda session, settings: store.load_bundled_roadmaps(
        session, regions=region_countries(settings)
    ),
)


api_router = json_router("roadmap", seed=ensure_loaded)


@api_router.get("/roadmaps", response_model=list[RoadmapSummaryPublic])
def api_roadmaps(request: Request, session: SessionDep) -> list[dict[str, Any]]:
    """Every roadmap with its counts of actions and indicators."""
    return [summary_dict(summary) for summary in store.list_roadmaps(session)]


@api_router.post("/roadmaps", status_code=201, response_model=RoadmapSummaryPublic)
def api_create_roadmap(
    body: RoadmapCreate,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Add a roadmap of your own (editors): YAML in ``document`` or the structure in ``data``."""
    document = body.data if body.data is not None else body.document
    if document is None:
        raise InvalidRoadmapError(
            Message("give the roadmap as 'document' or 'data'"), field="document"
        )
    summary = store.import_roadmap(
        session,
        document,
        where="request body",
        regions=region_countries(settings),
        actor_id=editor.id,
        dry_run=body.dry_run,
    )
    session.commit()
    return summary_dict(summary)


@api_router.post(
    "/roadmaps/from-delphi/{study}", status_code=201, response_model=RoadmapSummaryPublic
)
def api_roadmap_from_delphi(
    study: str,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Build a roadmap from a Delphi study's synthesised actions (editors)."""
    summary = roadmap_from_delphi(session, study, actor_id=editor.id, dry_run=dry_run)
    session.commit()
    return summary_dict(summary)


@api_router.get("/roadmaps/{slug}", response_model=RoadmapPublic)
def api_roadmap(slug: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """A roadmap's pillars, priorities and actions, with its source."""
    return roadmap_dict(store.get_roadmap(session, slug))


@api_router.get("/roadmaps/{slug}/indicators", response_model=list[IndicatorPublic])
def api_indicators(
    slug: str, request: Request, session: SessionDep, region: str | None = None
) -> list[dict[str, Any]]:
    """A roadmap's indicators, optionally of one region."""
    return [indicator_dict(i) for i in store.list_indicators(session, roadmap=slug, region=region)]


@api_router.post("/roadmaps/{slug}/indicators", status_code=201, response_model=IndicatorPublic)
def api_create_indicator(
    slug: str,
    body: IndicatorCreate,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Add an indicator to a roadmap (editors)."""
    indicator = store.create_indicator(
        session,
        build_indicator(slug, **body.model_dump()),
        regions=region_countries(settings),
        actor_id=editor.id,
    )
    session.commit()
    return indicator_dict(indicator)


@api_router.get("/roadmaps/{slug}/status", response_model=RoadmapStatusPublic)
def api_status(
    slug: str, request: Request, session: SessionDep, region: str | None = None
) -> dict[str, Any]:
    """Projection and status of every indicator, with the rule applied."""
    return {
        "roadmap": slug,
        "rule": describe_rule(),
        "indicators": [assessment_dict(a) for a in assess_roadmap(session, slug, region=region)],
    }


@api_router.get("/roadmaps/{slug}/scorecard", response_model=ScorecardPublic)
def api_scorecard(slug: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """Statuses rolled up per action, priority, pillar and region (EU27 and CN first)."""
    return scorecard_dict(roadmap_scorecard(session, slug))


@api_router.get("/indicators/{code}", response_model=IndicatorDetailPublic)
def api_indicator(code: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """An indicator with its status, projection and observations."""
    result = assessment_dict(assess_indicator(session, code))
    result["rule"] = describe_rule()
    result["observation_list"] = [
        observation_dict(o) for o in store.list_observations(session, code)
    ]
    return result


@api_router.get("/indicators/{code}/observations", response_model=list[ObservationPublic])
def api_observations(code: str, request: Request, session: SessionDep) -> list[dict[str, Any]]:
    """An indicator's observations in date order."""
    return [observation_dict(o) for o in store.list_observations(session, code)]


@api_router.post(
    "/indicators/{code}/observations", status_code=201, response_model=ObservationPublic
)
def api_add_observation(
    code: str,
    body: ObservationCreate,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Add one observation (editors); wrong unit, early or future date are refused."""
    observation = add_observation(
        session,
        ObservationInput(
            indicator=code,
            observed_on=body.date,
            value=body.value,
            unit=body.unit,
            source=body.source,
        ),
        actor_id=editor.id,
        entered_by=editor.email,
    )
    session.commit()
    return observation_dict(observation)


@api_router.post("/observations/import", response_model=ImportReportPublic)
def api_import_observations(
    body: ObservationsImportCreate,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
) -> Any:
    """Import a CSV of observations (editors); any bad row stores nothing.

    A bad file answers 422 with every bad ``line`` and ``field`` under ``problems``.
    """
    try:
        report = import_observations(
            session,
            body.csv,
            path=body.filename,
            actor_id=editor.id,
            entered_by=editor.email,
            dry_run=body.dry_run,
        )
    except ObservationImportError as exc:
        problems = [
            {"line": line, "field": field, "message": msg} for line, field, msg in exc.problems
        ]
        return JSONResponse(
            {"detail": str(exc), "field": exc.field, "problems": problems}, status_code=422
        )
    session.commit()
    return ImportReportPublic(**report.__dict__)
