"""Delphi web pages under /delphi and the rating form behind personal links.

Study overviews are public; figures follow :mod:`.visibility` (coordinators always,
others only closed rounds of a published study); panels, individual ratings and every
write need an editor (CSRF-checked, audited). The rating form needs no
account: the personal link's token is the credential. JSON twins: :mod:`.api`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from permed_atlas.delphi import report, service, store
from permed_atlas.delphi.api import api_router
from permed_atlas.delphi.charts import distribution_svg
from permed_atlas.delphi.errors import DelphiError, InvalidTokenError
from permed_atlas.delphi.form import load_rating_form
from permed_atlas.delphi.models import RatingForm
from permed_atlas.delphi.pages import render_round, render_study
from permed_atlas.delphi.submission import submission_from_form
from permed_atlas.delphi.visibility import require_study_results
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import (
    HTML_LANG,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    ngettext,
    use_language,
)
from permed_atlas.i18n import gettext as _
from permed_atlas.web.deps import (
    NO_STORE,
    CurrentUser,
    EditorUser,
    FormDep,
    PathId,
    PdfWork,
    SessionDep,
    SettingsDep,
    download,
    is_editor,
    render,
    see_other,
)
from permed_atlas.web.errors import status_for

router = APIRouter(prefix="/delphi", tags=["delphi"])
# the site's language parameter (web.language): on the rating form it only picks another
# language of a bilingual study
LANGUAGE_PARAMETER = "lang"
__all__ = ["api_router", "router"]


@router.get("/", include_in_schema=False)
def index(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(
        request,
        "delphi/index.html",
        {"studies": store.list_studies(session), "is_editor": is_editor(user)},
    )


@router.get("/studies/{study_id}", include_in_schema=False)
def study_page(
    request: Request, study_id: PathId, session: SessionDep, user: CurrentUser
) -> Response:
    return render_study(request, session, study_id, user=user)


@router.get("/rounds/{round_id}", include_in_schema=False)
def round_page(
    request: Request,
    round_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> Response:
    return render_round(
        request, session, round_id, user=user, min_group_size=settings.delphi_min_group_size
    )


def _study_report(
    study_id: PathId, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> report.StudyReport:
    """The report a viewer may see: coordinators get every round, others only a published
    study's closed rounds (anything else raises ResultsNotPublishedError, a 403)."""
    coordinator = is_editor(user)
    require_study_results(store.get_study(session, study_id), coordinator=coordinator)
    return report.build_study_report(
        session,
        study_id,
        min_group_size=settings.delphi_min_group_size,
        closed_only=not coordinator,
    )


StudyReportDep = Annotated[report.StudyReport, Depends(_study_report)]


@router.get("/studies/{study_id}/report", include_in_schema=False)
def report_page(request: Request, data: StudyReportDep) -> Response:
    return render(
        request,
        "delphi/report.html",
        {
            "report": data,
            "pdf_available": report.find_chromium() is not None,
            **report.chart_context(data),
        },
    )


@router.get("/studies/{study_id}/report.html", include_in_schema=False)
def report_document(data: StudyReportDep) -> Response:
    html = report.render_report_html(data)
    return Response(html, media_type="text/html")


@router.get("/studies/{study_id}/report.pdf", include_in_schema=False)
def report_pdf(_printing: PdfWork, data: StudyReportDep) -> Response:
    # the report is built once admitted: FastAPI solves the parameters in their order
    with tempfile.TemporaryDirectory() as tmp:
        path = report.write_pdf(report.render_report_html(data), Path(tmp) / "report.pdf")
        content = path.read_bytes()
    return download(content, media_type="application/pdf", filename=f"{data.study.slug}-report.pdf")


@router.get("/studies/{study_id}/statistics.csv", include_in_schema=False)
def statistics_csv(data: StudyReportDep) -> Response:
    return download(
        report.write_csv(report.statistics_rows(data)),
        media_type="text/csv; charset=utf-8",
        filename=f"{data.study.slug}-statistics.csv",
    )


@router.get("/studies/{study_id}/ratings.csv", include_in_schema=False)
def ratings_csv(study_id: PathId, session: SessionDep, user: EditorUser) -> Response:
    study = store.get_study(session, study_id)
    return download(
        report.write_csv(report.ratings_rows(session, study.id)),
        media_type="text/csv; charset=utf-8",
        filename=f"{study.slug}-ratings.csv",
        # each expert's answers: as the invitation list, never kept by a cache
        headers=NO_STORE,
    )


@router.get("/studies/{study_id}/export.xlsx", include_in_schema=False)
def export_xlsx(
    study_id: PathId, session: SessionDep, user: EditorUser, settings: SettingsDep
) -> Response:
    study = store.get_study(session, study_id)
    with tempfile.TemporaryDirectory() as tmp:
        content = report.write_xlsx(
            session,
            study.id,
            Path(tmp) / "export.xlsx",
            min_group_size=settings.delphi_min_group_size,
        ).read_bytes()
    return download(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"{study.slug}.xlsx",
        headers=NO_STORE,
    )


# -- the rating form ----------------------------------------------------------------------


@router.get("/respond/{token}", include_in_schema=False)
def respond_form(request: Request, token: str, session: SessionDep) -> Response:
    # Only a count (or "duplicate") travels in the URL, never text to show; the notice is
    # composed when the page is, in the form's language.
    return _render_form(request, session, token, saved=request.query_params.get("saved", ""))


def _saved_notice(saved: str) -> str | None:
    if saved == "duplicate":
        return _("These answers were already saved; nothing was stored twice.")
    if saved.isdecimal():
        n = int(saved)
        return ngettext(
            "%(num)s answer saved; you can change them until the round closes.",
            "%(num)s answers saved; you can change them until the round closes.",
            n,
        ) % {"num": n}
    return None


def _form_language(request: Request, form: RatingForm) -> str:
    """The invitation decides the form's language, not the browser: ``?lang=`` only picks
    another of the study's languages (the switch of a bilingual study)."""
    asked = request.query_params.get(LANGUAGE_PARAMETER)
    if form.study is not None and asked in form.study.languages:
        return str(asked)
    return form.language


def _form_switch(request: Request, form: RatingForm, language: str) -> list[dict[str, Any]]:
    """The language switch of the rating form: the study's languages, none if only one."""
    if form.study is None or not form.study.bilingual:
        return []
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "href": f"{request.url.path}?{LANGUAGE_PARAMETER}={code}",
            "current": code == language,
        }
        for code in form.study.languages
    ]


def _render_form(
    request: Request,
    session: Any,
    token: str,
    *,
    saved: str = "",
    error: DelphiError | InvalidInputError | None = None,
    status_code: int = 200,
    submitted: tuple[dict[int, object], dict[int, str]] | None = None,
) -> Response:
    min_group_size = request.app.state.settings.delphi_min_group_size
    try:
        form = load_rating_form(session, token, min_group_size=min_group_size)
    except InvalidTokenError as exc:
        response = render(
            request,
            "delphi/respond.html",
            {"form": None, "error": exc.translated(), "secret_path": True},
            status_code=404,
        )
        response.headers.update(NO_STORE)
        return response
    language = _form_language(request, form)
    with use_language(language):
        message = None
        if error is not None:
            message = error.translated() if isinstance(error, DelphiError) else str(error)
        response = render(
            request,
            "delphi/respond.html",
            {
                "form": form,
                "token": token,
                # the address is the expert's personal link: the "Log in" link must not carry it
                "secret_path": True,
                "language": language,
                # the site's switch would follow the browser: the form offers the study's
                "language_links": lambda _request: _form_switch(request, form, language),
                "chosen_language": request.query_params.get(LANGUAGE_PARAMETER),
                "notice": _saved_notice(saved),
                "error": message,
                "distribution_svg": distribution_svg,
                "min_group_size": min_group_size,
                # after a refused save the form shows what was typed, not only what is stored
                "submitted_ratings": submitted[0] if submitted else {},
                "submitted_comments": submitted[1] if submitted else {},
            },
            status_code=status_code,
            language=language,
        )
    response.headers.update(NO_STORE)
    response.headers["Content-Language"] = HTML_LANG[language]
    return response


@router.post("/respond/{token}", include_in_schema=False)
def respond_save(request: Request, token: str, session: SessionDep, form: FormDep) -> Response:
    submission = submission_from_form(form)
    try:
        result = service.submit(session, token, submission)
    except (DelphiError, InvalidInputError) as exc:
        # InvalidInputError: a comment over its length limit (permed_atlas.limits)
        session.rollback()
        return _render_form(
            request,
            session,
            token,
            error=exc,
            status_code=status_for(exc),
            submitted=(dict(submission.ratings), dict(submission.comments)),
        )
    session.commit()
    saved = "duplicate" if result.duplicate else str(result.saved)
    # a language picked with the form's switch stays picked after the save
    chosen = request.query_params.get(LANGUAGE_PARAMETER)
    keep = f"&{LANGUAGE_PARAMETER}={chosen}" if chosen in SUPPORTED_LANGUAGES else ""
    return see_other(f"/delphi/respond/{token}?saved={saved}{keep}")


# Management pages and forms (panel, rounds, synthesis) live in manage.py.
from permed_atlas.delphi.coordinate import coordinate_router  # noqa: E402
from permed_atlas.delphi.manage import manage_router  # noqa: E402

router.include_router(manage_router)
router.include_router(coordinate_router)
