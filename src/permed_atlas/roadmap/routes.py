"""Roadmap pages: roadmaps, the roadmap tree with uptake status, indicators, scorecards.

HTML under /roadmap; the JSON twins live in :mod:`permed_atlas.roadmap.api`
(``api_router``, under /api/v1/roadmap). CSV, SVG and PNG downloads sit beside
each page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Request, UploadFile
from starlette.responses import Response

from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message, gettext
from permed_atlas.landscape import region_countries
from permed_atlas.roadmap import store
from permed_atlas.roadmap.api import api_router, ensure_loaded
from permed_atlas.roadmap.chart import render_chart
from permed_atlas.roadmap.delphi_link import delphi_item_links, roadmap_from_delphi
from permed_atlas.roadmap.exports import assessment_row, roadmap_rows, scorecard_rows, to_csv
from permed_atlas.roadmap.models import ObservationInput
from permed_atlas.roadmap.monitoring import (
    add_observation,
    import_observations,
    indicator_page,
    roadmap_overview,
)
from permed_atlas.roadmap.spec import build_indicator, parse_date, parse_number
from permed_atlas.roadmap.status import describe_rule
from permed_atlas.web.deps import (
    CsrfProtected,
    CurrentUser,
    EditorUser,
    HeavyWork,
    SessionDep,
    SettingsDep,
    download,
    is_editor,
    page_router,
    render,
    see_other,
)

__all__ = ["api_router", "router"]

router = page_router("roadmap", seed=ensure_loaded)

MAX_UPLOAD = 5_000_000


@router.get("/")
def index(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "roadmap/index.html",
        {"roadmaps": store.list_roadmaps(session), "is_editor": is_editor(user)},
    )


@router.get("/new")
def new_roadmap_form(request: Request, editor: EditorUser) -> Response:
    return render(request, "roadmap/new.html", {"document": "", "error": None})


@router.post("/new")
def new_roadmap(
    request: Request,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    document: Annotated[str, Form(max_length=2_000_000)],
) -> Response:
    try:
        summary = store.import_roadmap(
            session,
            document,
            where=gettext("roadmap form"),
            regions=region_countries(settings),
            actor_id=editor.id,
        )
    except InvalidInputError as exc:
        session.rollback()
        context = {"document": document, "error": exc.translated()}
        return render(request, "roadmap/new.html", context, status_code=422)
    session.commit()
    return see_other(f"/roadmap/{summary.slug}")


@router.post("/from-delphi")
def from_delphi(
    request: Request,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    study: Annotated[str, Form(max_length=200)],
) -> Response:
    summary = roadmap_from_delphi(session, study.strip(), actor_id=editor.id)
    session.commit()
    return see_other(f"/roadmap/{summary.slug}")


@router.get("/import")
def import_form(request: Request, editor: EditorUser) -> Response:
    return render(request, "roadmap/import.html", {"error": None, "problems": [], "report": None})


@router.post("/import")
def import_upload(
    request: Request,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    file: UploadFile,
) -> Response:
    # read in this worker thread: UploadFile.read would need the event loop
    raw = file.file.read(MAX_UPLOAD + 1)
    name = file.filename or "upload.csv"
    context: dict[str, Any] = {"error": None, "problems": [], "report": None}
    try:
        if len(raw) > MAX_UPLOAD:
            raise InvalidInputError(
                Message(
                    "%(name)s: larger than %(max_upload)s bytes",
                    name=name,
                    max_upload=MAX_UPLOAD,
                ),
                field="file",
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                Message("%(name)s: not UTF-8 text (%(exc)s)", name=name, exc=exc),
                field="file",
            ) from exc
        context["report"] = import_observations(
            session, text, path=name, actor_id=editor.id, entered_by=editor.email
        )
    except InvalidInputError as exc:
        session.rollback()
        context["error"] = exc.translated()
        context["problems"] = getattr(exc, "problems", [])
        return render(request, "roadmap/import.html", context, status_code=422)
    session.commit()
    return render(request, "roadmap/import.html", context)


@router.get("/indicators/{code}")
def indicator(request: Request, code: str, session: SessionDep, user: CurrentUser) -> Response:
    return _indicator_response(request, session, code, user=user)


def _indicator_response(
    request: Request,
    session: SessionDep,
    code: str,
    *,
    user: Any,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = indicator_page(session, code)
    context = {
        "page": page,
        "indicator": page.assessment.indicator,
        "assessment": page.assessment,
        "svg": render_chart(page.assessment),
        "rule": describe_rule(),
        "is_editor": is_editor(user),
        "error": error,
        "form": form or {},
        "today": date.today().isoformat(),
    }
    return render(request, "roadmap/indicator.html", context, status_code=status_code)


@router.post("/indicators/{code}/observations")
def add_observation_form(
    request: Request,
    code: str,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    observed_on: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=40)],
    source: Annotated[str, Form(max_length=2000)],
    unit: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    form = {"observed_on": observed_on, "value": value, "unit": unit or "", "source": source}
    try:
        observation = ObservationInput(
            indicator=code,
            observed_on=parse_date(observed_on, where="observation form", field="date"),
            value=parse_number(value, where="observation form", field="value"),
            unit=unit,
            source=source,
        )
        add_observation(session, observation, actor_id=editor.id, entered_by=editor.email)
    except InvalidInputError as exc:
        session.rollback()
        return _indicator_response(
            request, session, code, user=editor, error=exc.translated(), form=form, status_code=422
        )
    session.commit()
    return see_other(f"/roadmap/indicators/{code}")


@router.get("/indicators/{code}/chart.svg")
def chart_svg(_drawing: HeavyWork, request: Request, code: str, session: SessionDep) -> Response:
    svg = render_chart(indicator_page(session, code).assessment)
    return download(svg, media_type="image/svg+xml", filename=f"{code}.svg")


@router.get("/indicators/{code}/chart.png")
def chart_png(_drawing: HeavyWork, request: Request, code: str, session: SessionDep) -> Response:
    import vl_convert

    svg = render_chart(indicator_page(session, code).assessment)
    return download(
        vl_convert.svg_to_png(svg, scale=2), media_type="image/png", filename=f"{code}.png"
    )


@router.get("/indicators/{code}/observations.csv")
def observations_csv(request: Request, code: str, session: SessionDep) -> Response:
    page = indicator_page(session, code)
    unit = page.assessment.indicator.unit
    rows = [
        {
            "indicator": o.indicator,
            "date": o.observed_on.isoformat(),
            "value": o.value,
            "unit": unit,
            "source": o.source,
            "entered_by": o.public_entered_by,
        }
        for o in page.observations
    ]
    columns = ("indicator", "date", "value", "unit", "source", "entered_by")
    return download(
        to_csv(rows, columns=columns), media_type="text/csv", filename=f"{code}-observations.csv"
    )


@router.get("/{slug}")
def roadmap_page(request: Request, slug: str, session: SessionDep, user: CurrentUser) -> Response:
    overview = roadmap_overview(session, slug)
    return render(
        request,
        "roadmap/roadmap.html",
        {
            "overview": overview,
            "roadmap": overview.roadmap,
            "card": overview.scorecard,
            "rule": describe_rule(),
            "is_editor": is_editor(user),
            "delphi_links": delphi_item_links(
                session, [ref for _, _, a in overview.roadmap.actions() for ref in a.delphi_items]
            ),
        },
    )


@router.get("/{slug}/scorecard")
def scorecard_page(request: Request, slug: str, session: SessionDep) -> Response:
    overview = roadmap_overview(session, slug)
    return render(
        request,
        "roadmap/scorecard.html",
        {"roadmap": overview.roadmap, "card": overview.scorecard, "rule": describe_rule()},
    )


@router.get("/{slug}/scorecard.csv")
def scorecard_csv(request: Request, slug: str, session: SessionDep) -> Response:
    card = roadmap_overview(session, slug).scorecard
    return download(
        to_csv(scorecard_rows(card)), media_type="text/csv", filename=f"{slug}-scorecard.csv"
    )


@router.get("/{slug}/actions.csv")
def actions_csv(request: Request, slug: str, session: SessionDep) -> Response:
    rows = roadmap_rows(store.get_roadmap(session, slug))
    return download(to_csv(rows), media_type="text/csv", filename=f"{slug}-actions.csv")


@router.get("/{slug}/indicators.csv")
def indicators_csv(request: Request, slug: str, session: SessionDep) -> Response:
    rows = [assessment_row(a) for a in roadmap_overview(session, slug).assessments]
    return download(to_csv(rows), media_type="text/csv", filename=f"{slug}-indicators.csv")


@router.get("/{slug}/indicators/new")
def new_indicator_form(
    request: Request, slug: str, editor: EditorUser, session: SessionDep
) -> Response:
    roadmap = store.get_roadmap(session, slug)
    return render(
        request, "roadmap/indicator_new.html", {"roadmap": roadmap, "error": None, "form": {}}
    )


@router.post("/{slug}/indicators/new")
def new_indicator(
    request: Request,
    slug: str,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    code: Annotated[str, Form(max_length=80)],
    name: Annotated[str, Form(max_length=300)],
    definition: Annotated[str, Form(max_length=4000)],
    unit: Annotated[str, Form(max_length=80)],
    direction: Annotated[str, Form(max_length=16)],
    baseline_value: Annotated[str, Form(max_length=40)],
    baseline_date: Annotated[str, Form(max_length=20)],
    target_value: Annotated[str, Form(max_length=40)],
    target_date: Annotated[str, Form(max_length=20)],
    region: Annotated[str, Form(max_length=32)],
    country: Annotated[str, Form(max_length=2)] = "",
    centre: Annotated[str, Form(max_length=200)] = "",
    actions: Annotated[list[str] | None, Form()] = None,
    data_source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = {k: v for k, v in locals().items() if isinstance(v, str)}
    roadmap = store.get_roadmap(session, slug)
    where = "indicator form"
    try:
        if direction not in {"increase", "decrease"}:
            raise InvalidInputError(
                Message("direction: must be increase or decrease"),
                field="direction",
            )
        new = build_indicator(
            slug,
            code=code,
            name=name,
            definition=definition,
            unit=unit,
            direction=direction,  # type: ignore[arg-type]
            baseline_value=parse_number(baseline_value, where=where, field="baseline_value"),
            baseline_date=parse_date(baseline_date, where=where, field="baseline_date"),
            target_value=parse_number(target_value, where=where, field="target_value"),
            target_date=parse_date(target_date, where=where, field="target_date"),
            region=region,
            country=country,
            centre=centre,
            actions=actions or (),
            data_source=data_source,
        )
        store.create_indicator(session, new, regions=region_countries(settings), actor_id=editor.id)
    except InvalidInputError as exc:
        session.rollback()
        context = {"roadmap": roadmap, "error": exc.translated(), "form": form}
        return render(request, "roadmap/indicator_new.html", context, status_code=422)
    session.commit()
    return see_other(f"/roadmap/indicators/{new.code}")
