"""Coordinators' study set-up pages: a new study, its pillars, publication of its results,
and the import of a study run elsewhere.

Every write needs an editor, is CSRF-checked and audited (``_audit.to_round``, ``to_study``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from permed_atlas.delphi import store
from permed_atlas.delphi._audit import to_study
from permed_atlas.delphi._rewording import CONFIRM_FIELD, confirmation
from permed_atlas.delphi.definition import study_draft_from_form
from permed_atlas.delphi.errors import ResponsesFileError, RoundStateError, StudyFileError
from permed_atlas.delphi.pages import RefusedEdit, render_study
from permed_atlas.i18n import Message
from permed_atlas.web.deps import (
    CsrfProtected,
    EditorUser,
    FormDep,
    PathId,
    SessionDep,
    form_texts,
    render,
)

coordinate_router = APIRouter()

# -- study and pillars -------------------------------------------------------------------------

# what the new-study form shows first: the common 70% rule, no cap, linear quartiles, a
# verdict only on valid ratings from at least half the panel
STUDY_DEFAULTS = {
    "languages": "en",
    "kind": "share",
    "agree_share": "70",
    "exclude_share": "70",
    "opposite_max": "",
    "quartile_method": "linear",
    "min_valid_share": "50",
}


# the fields the new-study form posts, with what a missing one means
STUDY_FORM = {
    "slug": "",
    "languages": "en",
    "title": "",
    "title_zh": "",
    "description": "",
    "description_zh": "",
    "kind": "share",
    "agree_share": "",
    "exclude_share": "",
    "opposite_max": "",
    "quartile_method": "linear",
    "min_valid_share": "",
}


@coordinate_router.get("/new", include_in_schema=False)
def new_study_page(request: Request, user: EditorUser) -> Response:
    return render(request, "delphi/study_new.html", {"values": STUDY_DEFAULTS, "error": None})


@coordinate_router.post("/new", include_in_schema=False)
def create_study(
    request: Request,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    values = form_texts(form, STUDY_FORM)
    try:
        study = store.create_study(session, study_draft_from_form(values))
    except (StudyFileError, RoundStateError) as exc:
        session.rollback()
        return render(
            request,
            "delphi/study_new.html",
            {"values": values, "error": exc.translated()},
            status_code=422,
        )
    return to_study(session, user, study.id, "delphi.study.create", detail={"slug": study.slug})


@coordinate_router.post("/studies/{study_id}/pillars", include_in_schema=False)
def add_pillar(
    study_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    pillar: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    title_zh: Annotated[str, Form()] = "",
) -> Response:
    survey = store.add_survey(session, study_id, pillar=pillar, title=title, title_zh=title_zh)
    return to_study(
        session,
        user,
        study_id,
        "delphi.pillar.add",
        target=f"delphi_survey:{survey.id}",
        detail={"pillar": survey.pillar},
    )


@coordinate_router.post("/surveys/{survey_id}", include_in_schema=False)
def edit_pillar(
    request: Request,
    survey_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    title: Annotated[str, Form()] = "",
    title_zh: Annotated[str | None, Form()] = None,
    other_language_matches: Annotated[bool, Form()] = False,
) -> Response:
    before = store.get_survey(session, survey_id)
    try:
        survey = store.update_survey(
            session,
            survey_id,
            title=title,
            title_zh=title_zh,
            other_language_matches=other_language_matches,
        )
    except StudyFileError as exc:
        session.rollback()
        typed = {"title": title, "title_zh": title_zh or ""}
        if other_language_matches:
            typed[CONFIRM_FIELD] = "on"
        refused = RefusedEdit(survey_id, exc.translated(), typed)
        return render_study(request, session, before.study_id, user=user, refused=refused)
    return to_study(
        session,
        user,
        survey.study_id,
        "delphi.pillar.edit",
        target=f"delphi_survey:{survey.id}",
        detail=confirmation(before, survey, "title") or None,
    )


# -- import of a study run elsewhere -------------------------------------------------------------


@coordinate_router.post("/studies/{study_id}/responses", include_in_schema=False)
def import_responses(
    request: Request,
    study_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    file: Annotated[UploadFile, File()],
    pillar: Annotated[str, Form()] = "",
) -> Response:
    from permed_atlas.delphi.importing import parse_responses_csv
    from permed_atlas.delphi.replay import import_responses as replay

    name = Path(file.filename or "responses.csv").name
    try:
        text = file.file.read().decode("utf-8")
        drafts = parse_responses_csv(text, path=name)
        summaries = replay(session, study_id, drafts, path=name, pillar=pillar or None)
    except UnicodeDecodeError:
        session.rollback()
        raise ResponsesFileError(
            Message("not UTF-8 text (save the sheet as 'CSV UTF-8')"),
            path=name,
            line=None,
            field=None,
        ) from None
    except ResponsesFileError:
        session.rollback()
        raise
    return to_study(
        session,
        user,
        study_id,
        "delphi.responses.import",
        detail={"responses": len(drafts), "rounds": sum(s.rounds for s in summaries), "file": name},
    )


# -- publication ---------------------------------------------------------------------------------


@coordinate_router.post("/studies/{study_id}/publish", include_in_schema=False)
def publish_study(
    study_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    published: Annotated[str, Form()] = "on",
) -> Response:
    study = store.set_published(session, study_id, published=published != "off")
    return to_study(
        session,
        user,
        study.id,
        "delphi.study.publish" if study.published else "delphi.study.unpublish",
    )
