"""Editor-only Delphi pages and forms: panel import, round management, synthesis.

Every write needs an editor, is CSRF-checked and audited (``_audit.to_round``, ``to_study``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from permed_atlas.accounts import record_audit
from permed_atlas.delphi import files, report, service, store
from permed_atlas.delphi._audit import to_round, to_study
from permed_atlas.delphi._rewording import CONFIRM_FIELD, confirmation
from permed_atlas.delphi._targets import round_target, study_target
from permed_atlas.delphi.definition import ItemDraft
from permed_atlas.delphi.errors import (
    PanelFileError,
    RatingError,
    StudyFileError,
)
from permed_atlas.delphi.models import CarryDecision
from permed_atlas.delphi.pages import RefusedEdit, render_round
from permed_atlas.delphi.visibility import require_study_results
from permed_atlas.i18n import Message, gettext
from permed_atlas.web.deps import (
    NO_STORE,
    CsrfProtected,
    CurrentUser,
    EditorUser,
    FormDep,
    PathId,
    SessionDep,
    SettingsDep,
    download,
    form_texts,
    is_editor,
    render,
)

manage_router = APIRouter()

# -- panel ------------------------------------------------------------------------------------


@manage_router.get("/studies/{study_id}/panel", include_in_schema=False)
def panel_page(
    request: Request, study_id: PathId, session: SessionDep, user: EditorUser
) -> Response:
    return _render_panel(request, session, study_id)


def _render_panel(
    request: Request,
    session: Any,
    study_id: PathId,
    *,
    error: str | None = None,
    status_code: int = 200,
    imported: int | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    study = store.get_study(session, study_id)
    panels = [(p, store.list_experts(session, p.id)) for p in store.list_panels(session, study.id)]
    response = render(
        request,
        "delphi/panel.html",
        {
            "study": study,
            "panels": panels,
            "error": error,
            "imported": imported,
            "values": values or {},
        },
        status_code=status_code,
    )
    # the experts' names and e-mail addresses: not for a shared computer's cache
    response.headers.update(NO_STORE)
    return response


EXPERT_FORM = (
    "name",
    "ref",
    "email",
    "country",
    "region",
    "expertise",
    "organisation",
    "language",
)
"""The fields of the add-an-expert form."""


@manage_router.post("/studies/{study_id}/experts", include_in_schema=False)
def add_expert(
    request: Request,
    study_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    fields = form_texts(form, dict.fromkeys(EXPERT_FORM, ""))
    try:
        expert = files.add_expert(
            session,
            fields,
            study_id=study_id,
            include_hk_mo_in_china=settings.include_hk_mo_in_china,
        )
    except PanelFileError as exc:
        session.rollback()
        return _render_panel(
            request, session, study_id, error=exc.translated(), status_code=422, values=fields
        )
    return to_study(
        session,
        user,
        study_id,
        "delphi.expert.add",
        target=f"delphi_expert:{expert.id}",
        detail={"ref": expert.ref},
        page=f"/panel?added={expert.id}",
    )


@manage_router.post("/studies/{study_id}/panel", include_in_schema=False)
def panel_import(
    request: Request,
    study_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    upload = form.get("file")
    panel_name = str(form.get("panel") or "") or None
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _render_panel(
            request,
            session,
            study_id,
            error=Message("choose a CSV file to import"),
            status_code=422,
        )
    name = Path(upload.filename).name or "panel.csv"
    with tempfile.TemporaryDirectory() as tmp:
        # our own name on disk: an upload named ".." or "." named the folder itself (a 500);
        # messages still name the file as the editor knows it
        path = Path(tmp) / "panel.csv"
        # the worker thread reads the spooled upload directly (UploadFile.read needs the loop)
        path.write_bytes(upload.file.read())
        try:
            experts = files.import_panel_file(
                session,
                path,
                study_id=study_id,
                panel=panel_name,
                include_hk_mo_in_china=settings.include_hk_mo_in_china,
            )
        except PanelFileError as exc:
            session.rollback()
            message = str(exc).replace(str(path), name)
            return _render_panel(request, session, study_id, error=message, status_code=422)
    record_audit(
        session,
        actor_id=user.id,
        action="delphi.panel.import",
        target=study_target(study_id),
        detail={"experts": len(experts), "file": name},
    )
    session.commit()
    return _render_panel(request, session, study_id, imported=len(experts))


# -- round management ---------------------------------------------------------------------------


@manage_router.post("/rounds/{round_id}/open", include_in_schema=False)
def open_round(
    round_id: PathId, session: SessionDep, user: EditorUser, _csrf: CsrfProtected
) -> Response:
    store.open_round(session, round_id)
    return to_round(session, user, round_id, "delphi.round.open")


@manage_router.post("/rounds/{round_id}/close", include_in_schema=False)
def close_round(
    round_id: PathId, session: SessionDep, user: EditorUser, _csrf: CsrfProtected
) -> Response:
    result = service.close_round(session, round_id)
    return to_round(
        session,
        user,
        round_id,
        "delphi.round.close",
        detail={"consensus": sum(1 for i in result.items if i.summary.verdict != "none")},
    )


@manage_router.post("/rounds/{round_id}/invitations", include_in_schema=False)
def issue_invitations(
    request: Request,
    round_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    valid_for = store.link_lifetime(form.get("days") or "30")
    round_ = store.get_round(session, round_id)
    survey = store.get_survey(session, round_.survey_id)
    issued = store.issue_invitations(
        session,
        round_id,
        base_url=str(request.base_url),
        valid_for=valid_for,
        reissue=form.get("reissue") == "on",
    )
    record_audit(
        session,
        actor_id=user.id,
        action="delphi.invitations.issue",
        target=round_target(round_id),
        detail={"count": len(issued)},
    )
    session.commit()
    text = report.write_csv(
        report.invitation_rows(issued, survey=survey, round_number=round_.number)
    )
    if form.get("deliver") == "page":
        # links are shown once: a page with a "send" (mailto) link per expert, never cached
        response = render(
            request,
            "delphi/invitations.html",
            {
                "round": round_,
                "survey": survey,
                "rows": report.invitation_rows(issued, survey=survey, round_number=round_.number),
            },
        )
        response.headers.update(NO_STORE)
        return response
    return download(
        text
        or gettext("no new invitations: every expert already has a link (tick 'new links')") + "\n",
        media_type="text/csv; charset=utf-8",
        filename=f"invitations-{survey.pillar}-round{round_.number}.csv",
        headers=NO_STORE,
    )


@manage_router.post("/rounds/{round_id}/next", include_in_schema=False)
def next_round(
    request: Request,
    round_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    decisions: dict[str, CarryDecision] = {}
    items = store.list_items(session, round_id)
    for item in items:
        choice = str(form.get(f"decision_{item.id}") or "carry")
        statement = str(form.get(f"statement_{item.id}") or "").strip() or None
        statement_zh = str(form.get(f"statement_zh_{item.id}") or "").strip() or None
        reason = str(form.get(f"reason_{item.id}") or "").strip()
        if choice == "drop" and not reason:
            raise RatingError(
                Message("item %(code)s: give a reason for dropping it", code=item.code),
                field=f"reason_{item.id}",
            )
        decisions[item.code] = CarryDecision(
            drop=choice == "drop", statement=statement, reason=reason, statement_zh=statement_zh
        )
    wanted = {
        c: d for c, d in decisions.items() if d.drop or d.statement or d.statement_zh or d.reason
    }
    created = store.start_next_round(
        session,
        round_id,
        decisions=wanted,
        carry=str(form.get("carry") or "pending"),
        selected=[i.code for i in items if form.get(f"carry_{i.id}") == "on"],
    )
    return to_round(
        session,
        user,
        created.id,
        "delphi.round.create",
        detail={"from_round": round_id, "carry": str(form.get("carry") or "pending")},
    )


ITEM_FORM = ("code", "statement", "statement_zh", "rationale", "rationale_zh", "subtopic")
"""The fields of the add-an-item form."""


def _posted(form: Any, name: str) -> str | None:
    """A posted text field, None when the form has no such field (the text is kept)."""
    value = form.get(name)
    return str(value) if isinstance(value, str) else None


@manage_router.post("/rounds/{round_id}/items", include_in_schema=False)
def add_item(
    request: Request,
    round_id: PathId,
    session: SessionDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    texts = form_texts(form, dict.fromkeys(ITEM_FORM, ""))
    code = texts["code"].strip()
    if not code or not (texts["statement"].strip() or texts["statement_zh"].strip()):
        raise RatingError(
            Message("a new item needs a code and a statement"),
            field="code" if not code else "statement",
        )
    item = store.add_item(
        session,
        round_id,
        ItemDraft(
            code=code,
            statement=texts["statement"].strip(),
            rationale=texts["rationale"],
            subtopic=texts["subtopic"],
            statement_zh=texts["statement_zh"].strip(),
            rationale_zh=texts["rationale_zh"],
        ),
    )
    return to_round(session, user, round_id, "delphi.item.add", target=f"delphi_item:{item.id}")


EDIT_FORM = ("statement", "statement_zh", "rationale", "rationale_zh", "subtopic")
"""The text fields of the edit-an-item form."""


@manage_router.post("/items/{item_id}", include_in_schema=False)
def edit_item(
    request: Request,
    item_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    item = store.get_item(session, item_id)
    detail: dict[str, object] = {"code": item.code}
    if form.get("action") == "drop":
        store.remove_item(session, item_id, reason=str(form.get("reason") or ""))
        action = "delphi.item.drop"
    else:
        try:
            edited = store.update_item(
                session,
                item_id,
                statement=str(form.get("statement") or "") or None,
                rationale=_posted(form, "rationale"),
                subtopic=_posted(form, "subtopic"),
                statement_zh=str(form.get("statement_zh") or "") or None,
                rationale_zh=_posted(form, "rationale_zh"),
                other_language_matches=form.get(CONFIRM_FIELD) == "on",
            )
        except StudyFileError as exc:
            session.rollback()
            typed = {name: str(form.get(name) or "") for name in (*EDIT_FORM, CONFIRM_FIELD)}
            refused = RefusedEdit(item_id, exc.translated(), typed)
            return render_round(
                request,
                session,
                item.round_id,
                user=user,
                min_group_size=settings.delphi_min_group_size,
                refused=refused,
            )
        detail |= confirmation(item, edited, "statement")
        action = "delphi.item.edit"
    return to_round(
        session, user, item.round_id, action, target=f"delphi_item:{item_id}", detail=detail
    )


# -- synthesis ------------------------------------------------------------------------------------


@manage_router.get("/studies/{study_id}/synthesis", include_in_schema=False)
def synthesis_page(
    request: Request, study_id: PathId, session: SessionDep, user: CurrentUser
) -> Response:
    study = store.get_study(session, study_id)
    require_study_results(study, coordinator=is_editor(user))
    finals = [
        (s, store.list_final_items(session, s.id)) for s in store.list_surveys(session, study.id)
    ]
    return render(
        request,
        "delphi/synthesis.html",
        {
            "study": study,
            "finals": finals,
            "subtopics": store.list_subtopics(session, study.id),
            "actions": store.list_actions(session, study.id),
            "is_editor": is_editor(user),
        },
    )


@manage_router.post("/studies/{study_id}/synthesis", include_in_schema=False)
def save_synthesis(
    study_id: PathId, session: SessionDep, user: EditorUser, _csrf: CsrfProtected, form: FormDep
) -> Response:
    kind = form.get("kind")
    if kind == "code":
        raw_item = str(form.get("item_id") or "")
        if not raw_item.isdecimal():
            raise RatingError(Message("choose an item to code"), field="item_id")
        store.code_item(
            session, int(raw_item), study_id=study_id, subtopic=str(form.get("subtopic") or "")
        )
        target = f"delphi_item:{raw_item}"
    elif kind == "subtopic":
        saved = store.save_subtopic(
            session, study_id, code=str(form.get("code") or ""), label=str(form.get("label") or "")
        )
        target = f"delphi_subtopic:{saved.id}"
    else:
        item_ids = [int(str(v)) for v in form.getlist("item_ids") if str(v).isdecimal()]
        action = store.save_action(
            session,
            study_id,
            code=str(form.get("code") or ""),
            title=str(form.get("title") or ""),
            description=str(form.get("description") or ""),
            pillar=str(form.get("pillar") or ""),
            subtopic_code=str(form.get("subtopic_code") or ""),
            item_ids=item_ids,
        )
        target = f"delphi_action:{action.id}"
    return to_study(
        session,
        user,
        study_id,
        f"delphi.synthesis.{kind or 'action'}",
        target=target,
        page="/synthesis",
    )
