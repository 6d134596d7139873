"""The directory's JSON API under /api/v1/directory (included through routes.py).

Writes (PUT an entry, POST a restore) need an editor's session and the CSRF
token in ``X-CSRF-Token``, as everywhere on the platform.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from permed_atlas.directory import store
from permed_atlas.directory.exports import (
    EXPORT_FORMATS,
    entry_dict,
    export_entries,
    hit_dict,
    match_dict,
    related_dict,
    revision_dict,
)
from permed_atlas.directory.schemas import (
    DirectorySearchPublic,
    EntryDetailPublic,
    EntryUpdate,
    FundingMatchCreate,
    FundingMatchesPublic,
    RestoreCreate,
    RevisionDetailPublic,
    RevisionPublic,
)
from permed_atlas.web.deps import (
    CsrfProtected,
    CurrentUser,
    EditorUser,
    HeavyWork,
    PathId,
    SessionDep,
    SettingsDep,
    download,
    is_editor,
    json_router,
    seed_once,
)

ensure_loaded = seed_once(
    "directory", lambda session, settings: store.load_seed_directory(session, settings=settings)
)


api_router = json_router("directory", seed=ensure_loaded)


def entry_page_data(session: SessionDep, entry_id: str) -> dict[str, Any]:
    """An entry with its revision, edited flag and related entries (both directions)."""
    entry = store.get_entry(session, entry_id)
    revision, edited = store.entry_state(session, entry_id)
    data = entry_dict(entry)
    data["revision"] = revision
    data["edited"] = edited
    data["related_entries"] = [related_dict(r) for r in store.related_entries(session, entry_id)]
    data["links"]["history"] = f"/api/v1/directory/entries/{entry_id}/history"
    return data


@api_router.get("/entries", response_model=DirectorySearchPublic, response_model_exclude_unset=True)
def api_search(
    _searching: HeavyWork,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=500, description="free text; empty lists all")] = "",
    kind: Annotated[
        list[str] | None, Query(description="funder, programme, call, law, ...")
    ] = None,
    region: Annotated[list[str] | None, Query(description="country or region-set code")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Search entries (BM25 over name, acronym, summary, keywords), filtered by kind and region."""
    hits = store.search_directory(
        session, q, kinds=kind, regions=region or (), limit=limit, settings=settings
    )
    return {
        "query": q,
        "kinds": kind or [],
        "regions": region or [],
        "total": len(hits),
        "hits": [hit_dict(h) for h in hits],
    }


@api_router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "the entries as a file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                # A file whose rows are the entries in the data files' flat shape.
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/EntryDataPublic"},
                    }
                },
            },
        }
    },
)
def api_export(
    session: SessionDep,
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "json",
    kind: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Every entry (or those of some kinds) as a CSV or JSON download."""
    body = export_entries(store.list_entries(session, kinds=kind), fmt=format)
    media = "text/csv" if format == "csv" else "application/json"
    return download(body, media_type=media, filename=f"directory.{format}")


@api_router.get(
    "/entries/{entry_id}", response_model=EntryDetailPublic, response_model_exclude_unset=True
)
def api_entry(entry_id: str, session: SessionDep) -> dict[str, Any]:
    """One entry with its related entries (those it names and those naming it)."""
    return entry_page_data(session, entry_id)


@api_router.put(
    "/entries/{entry_id}", response_model=EntryDetailPublic, response_model_exclude_unset=True
)
def api_update_entry(
    entry_id: str,
    body: EntryUpdate,
    editor: EditorUser,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Edit an entry (editors): a new revision is kept and audited; seed loads keep it."""
    changes = body.model_dump(exclude_unset=True, exclude={"comment", "base_revision"})
    store.update_entry(
        session,
        entry_id,
        changes=changes,
        actor_id=editor.id,
        comment=body.comment,
        base_revision=body.base_revision,
        settings=settings,
    )
    session.commit()
    return entry_page_data(session, entry_id)


@api_router.get("/entries/{entry_id}/history", response_model=list[RevisionPublic])
def api_history(entry_id: str, session: SessionDep, user: CurrentUser) -> list[dict[str, Any]]:
    """An entry's revisions, newest first, with who (to editors), when, why and what changed."""
    editor = is_editor(user)
    return [revision_dict(r, with_actor=editor) for r in store.list_revisions(session, entry_id)]


@api_router.get(
    "/entries/{entry_id}/history/{number}",
    response_model=RevisionDetailPublic,
    response_model_exclude_unset=True,
)
def api_revision(
    entry_id: str, number: PathId, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    """One revision with its full snapshot (the editor's email only to editors)."""
    revision = store.get_revision(session, entry_id, number)
    return revision_dict(revision, with_snapshot=True, with_actor=is_editor(user))


@api_router.post(
    "/entries/{entry_id}/restore",
    response_model=EntryDetailPublic,
    response_model_exclude_unset=True,
)
def api_restore(
    entry_id: str,
    body: RestoreCreate,
    editor: EditorUser,
    session: SessionDep,
    _csrf: CsrfProtected,
) -> dict[str, Any]:
    """Make an earlier revision current again (editors), as a new revision."""
    store.restore_revision(
        session,
        entry_id,
        body.revision,
        actor_id=editor.id,
        comment=body.comment,
        base_revision=body.base_revision,
    )
    session.commit()
    return entry_page_data(session, entry_id)


@api_router.post(
    "/funding-match", response_model=FundingMatchesPublic, response_model_exclude_unset=True
)
def api_funding_match(
    body: FundingMatchCreate, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Programmes and calls whose scope fits the description and whose regions cover the project."""
    matches = store.match_funding(
        session,
        description=body.description,
        regions=body.regions,
        limit=body.limit,
        coverage=body.coverage,
        settings=settings,
    )
    return {
        "regions": body.regions,
        "coverage": body.coverage,
        "matches": [match_dict(m) for m in matches],
    }


__all__ = ["EXPORT_FORMATS", "api_router", "ensure_loaded", "entry_page_data"]
