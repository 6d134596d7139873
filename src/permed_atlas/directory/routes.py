"""Directory pages: search, entry, edit (editors), history with restore, funding match.

HTML under /directory; the JSON twins live in :mod:`permed_atlas.directory.api`
(``api_router``, under /api/v1/directory).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from permed_atlas.directory import store
from permed_atlas.directory.api import api_router, ensure_loaded, entry_page_data
from permed_atlas.directory.create import create_entry
from permed_atlas.directory.files import KIND_FIELDS
from permed_atlas.directory.models import (
    BBMRI_STATUSES,
    ENTRY_FIELDS,
    FIELD_LABELS,
    KIND_LABELS,
    KIND_NAMES,
    KINDS,
    NAME_ZH_SOURCES,
    ORIGIN_LABELS,
    PROGRAMME_STATUSES,
    RELATION_LABELS,
    REVIEW_FIELD,
    STATUS_LABELS,
    TRANSLATION_FIELDS,
    DirectoryEntry,
    shown_comment,
)
from permed_atlas.errors import InvalidInputError
from permed_atlas.landscape import region_countries
from permed_atlas.web.deps import (
    CsrfProtected,
    CurrentUser,
    EditorUser,
    FormDep,
    HeavyWork,
    SessionDep,
    SettingsDep,
    is_editor,
    page_router,
    render,
    see_other,
)
from permed_atlas.web.templating import templates

__all__ = ["api_router", "router"]

router = page_router("directory", seed=ensure_loaded)
# The labels the directory's templates show for its codes, in the reader's language.
templates.env.globals["directory_labels"] = {
    "kind": KIND_NAMES, "field": FIELD_LABELS, "status": STATUS_LABELS,
    "origin": ORIGIN_LABELS, "relation": RELATION_LABELS, "name_zh_source": NAME_ZH_SOURCES,
    "comment": shown_comment,
    "fields": lambda names: ", ".join(FIELD_LABELS.get(n, n) for n in names),
}  # fmt: skip

_LIST_FIELDS = frozenset({"regions", "keywords", "related", "funders", "unconfirmed", REVIEW_FIELD})
_TEXTAREAS = frozenset({"summary", "summary_zh", "note", "source"})
_CHOICES = {"status": PROGRAMME_STATUSES, "bbmri_eric": BBMRI_STATUSES}
# Every common field but the id and the kind, which an edit cannot change.
_COMMON_FORM = ENTRY_FIELDS[2:]
PAGE_SIZE = 20
"""Entries per list page: the whole directory on one page was 11,000 pixels tall."""


def form_fields(kind: str) -> list[str]:
    """The fields the edit form shows for an entry of ``kind``, in order."""
    return [
        *_COMMON_FORM, *sorted(KIND_FIELDS[kind]), "note", *TRANSLATION_FIELDS, REVIEW_FIELD,
        "unconfirmed",
    ]  # fmt: skip


def form_values(entry: DirectoryEntry) -> dict[str, str]:
    """An entry's fields as the edit form shows them (lists joined with commas)."""
    data = entry.to_dict()
    values = {}
    for field in form_fields(entry.kind):
        value = data.get(field)
        if isinstance(value, list):
            values[field] = ", ".join(str(v) for v in value)
        else:
            values[field] = "" if value is None else str(value)
    return values


def changes_from_form(kind: str, form: FormData) -> dict[str, Any]:
    """The changes an edit form submits, in the data files' shape."""
    changes: dict[str, Any] = {}
    for field in form_fields(kind):
        raw = form.get(field)
        if not isinstance(raw, str):
            continue
        if field in _LIST_FIELDS:
            parts = raw.replace("\n", ",").split(",")
            changes[field] = [p.strip() for p in parts if p.strip()]
        else:
            changes[field] = raw.strip() or None
    return changes


@router.get("/")
def index(
    _searching: HeavyWork,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    region: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    kinds = [kind] if kind else None
    regions = [region] if region else []
    hits = store.search_directory(session, q, kinds=kinds, regions=regions, settings=settings)
    query = urlencode([(k, v) for k, v in (("q", q), ("kind", kind), ("region", region)) if v])
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    page = min(page, pages)  # a page past the end shows the last one, not an empty list
    start = (page - 1) * PAGE_SIZE
    return render(
        request,
        "directory/index.html",
        {
            "hits": hits[start : start + PAGE_SIZE],
            "total": len(hits),
            "first": start + 1,
            "page": page,
            "pages": pages,
            "page_url": "/directory/?" + (f"{query}&" if query else "") + "page=",
            "q": q,
            "kind": kind,
            "region": region,
            "kinds": KINDS,
            "kind_labels": KIND_LABELS,
            "regions": sorted(region_countries(settings)),
            "json_url": "/api/v1/directory/entries" + (f"?{query}" if query else ""),
            "is_editor": is_editor(user),
        },
    )


@router.get("/funding")
def funding(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    description: Annotated[str, Query(max_length=20_000)] = "",
    regions: Annotated[str, Query(max_length=400)] = "",
    coverage: Annotated[str, Query(pattern="^(all|any)$")] = "all",
) -> Response:
    codes = [c.strip() for c in regions.replace(";", ",").split(",") if c.strip()]
    context: dict[str, Any] = {
        "description": description,
        "regions": regions,
        "coverage": coverage,
        "matches": None,
        "error": None,
        "known_regions": sorted(region_countries(settings)),
    }
    status = 200
    if description.strip():
        try:
            context["matches"] = store.match_funding(
                session,
                description=description,
                regions=codes,
                coverage="any" if coverage == "any" else "all",
                settings=settings,
            )
        except InvalidInputError as exc:
            context["error"] = exc.translated()
            status = 422
    return render(request, "directory/funding.html", context, status_code=status)


async def _submitted_form(request: Request) -> FormData:
    # Read in the event loop so the handler itself can stay a plain (threadpool) def.
    return await request.form()


@dataclass(frozen=True)
class _FormPage:
    """The new-entry or edit form of an entry ``kind``: its template and what it adds."""

    template: str
    kind: str
    context: dict[str, Any]

    def render(
        self,
        request: Request,
        *,
        values: dict[str, str] | None = None,
        error: str | None = None,
        comment: str = "",
        status_code: int = 200,
    ) -> Response:
        """The form with the kind's fields, what was typed and, when refused, why."""
        return render(
            request,
            self.template,
            {
                **self.context,
                "fields": form_fields(self.kind) if self.kind in KINDS else [],
                "values": values or {},
                "textareas": _TEXTAREAS,
                "choices": _CHOICES,
                "error": error,
                "comment": comment,
            },
            status_code=status_code,
        )


def _new_form(kind: str) -> _FormPage:
    context = {"kind": kind if kind in KINDS else "", "kinds": KINDS, "kind_labels": KIND_LABELS}
    return _FormPage("directory/new.html", kind, context)


def _edit_form(entry: DirectoryEntry, revision: int) -> _FormPage:
    context = {"entry": entry, "list_fields": _LIST_FIELDS, "revision": revision}
    return _FormPage("directory/edit.html", entry.kind, context)


def _typed_values(data: Mapping[str, Any]) -> dict[str, str]:
    """A refused form's fields as the user typed them (lists joined with commas)."""
    return {k: ", ".join(v) if isinstance(v, list) else (v or "") for k, v in data.items()}


@router.get("/new")
def new_form(
    request: Request, editor: EditorUser, kind: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    return _new_form(kind).render(request)


@router.post("/new")
def new_submit(
    request: Request,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    form: Annotated[FormData, Depends(_submitted_form)],
) -> Response:
    kind = str(form.get("kind") or "")
    entry_id = str(form.get("id") or "").strip()
    data = {**changes_from_form(kind, form), "id": entry_id, "kind": kind} if kind in KINDS else {}
    comment = str(form.get("comment") or "")
    try:
        create_entry(
            session, data or {"kind": kind}, actor_id=editor.id, comment=comment, settings=settings
        )
    except InvalidInputError as exc:
        session.rollback()
        return _new_form(kind).render(
            request,
            values=_typed_values(data),
            error=exc.translated(),
            comment=comment,
            status_code=422,
        )
    session.commit()
    return see_other(f"/directory/{entry_id}")


@router.get("/{entry_id}")
def entry_page(request: Request, entry_id: str, session: SessionDep, user: CurrentUser) -> Response:
    data = entry_page_data(session, entry_id)
    return render(
        request,
        "directory/entry.html",
        {
            "entry": store.get_entry(session, entry_id),
            "data": data,
            "related": data["related_entries"],
            "kind_labels": KIND_LABELS,
            "is_editor": is_editor(user),
            "detail_fields": sorted(KIND_FIELDS[data["kind"]]),
        },
    )


@router.get("/{entry_id}/edit")
def edit_form(request: Request, entry_id: str, editor: EditorUser, session: SessionDep) -> Response:
    entry = store.get_entry(session, entry_id)
    revision, _ = store.entry_state(session, entry_id)
    return _edit_form(entry, revision).render(request, values=form_values(entry))


@router.post("/{entry_id}/edit")
def edit_submit(
    request: Request,
    entry_id: str,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    form: FormDep,
) -> Response:
    entry = store.get_entry(session, entry_id)
    changes = changes_from_form(entry.kind, form)
    comment = str(form.get("comment") or "")
    base = str(form.get("base_revision") or "")
    try:
        base_revision = int(base) if base else None
        store.update_entry(
            session,
            entry_id,
            changes=changes,
            actor_id=editor.id,
            comment=comment,
            base_revision=base_revision,
            settings=settings,
        )
    except (InvalidInputError, ValueError) as exc:
        session.rollback()
        revision, _ = store.entry_state(session, entry_id)
        message = (
            exc.translated()
            if isinstance(exc, InvalidInputError)
            else "base_revision: not a number"
        )
        return _edit_form(entry, revision).render(
            request, values=_typed_values(changes), error=message, comment=comment, status_code=422
        )
    session.commit()
    return see_other(f"/directory/{entry_id}")


@router.get("/{entry_id}/history")
def history(request: Request, entry_id: str, session: SessionDep, user: CurrentUser) -> Response:
    entry = store.get_entry(session, entry_id)
    revisions = store.list_revisions(session, entry_id)
    if not is_editor(user):
        # an editor's login email is theirs: readers see that an editor changed the entry
        revisions = [replace(r, actor_email=None) for r in revisions]
    return render(
        request,
        "directory/history.html",
        {
            "entry": entry,
            "revisions": revisions,
            "is_editor": is_editor(user),
            "current": revisions[0].number if revisions else 0,
        },
    )


@router.post("/{entry_id}/restore")
def restore(
    request: Request,
    entry_id: str,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    revision: Annotated[int, Form(ge=1)],
    comment: Annotated[str, Form(max_length=500)] = "",
    base_revision: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    store.restore_revision(
        session,
        entry_id,
        revision,
        actor_id=editor.id,
        comment=comment or None,
        base_revision=base_revision,
    )
    session.commit()
    return see_other(f"/directory/{entry_id}/history")
