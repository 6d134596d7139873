"""The API reference page (Swagger UI) served from this machine, never from a CDN.

FastAPI's own docs page loads Swagger UI from jsDelivr: blank without internet and slow or
blocked from mainland China, where half of the platform's users are. The assets come from the
``swagger-ui-bundle-v2`` package instead, and the page starts Swagger UI from a script file
rather than an inline script so a strict Content-Security-Policy can forbid inline code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response
from swagger_ui_bundle import swagger_ui_path

from permed_atlas.web.templating import render

DOCS_PATH = "/api/v1/docs"
SWAGGER_UI_MOUNT = "/static/swagger-ui"

router = APIRouter(include_in_schema=False)


def swagger_ui_assets() -> StaticFiles:
    """The Swagger UI distribution (scripts, styles) as a static mount."""
    return StaticFiles(directory=str(swagger_ui_path))


@router.get(DOCS_PATH)
def api_docs(request: Request) -> Response:
    """Swagger UI over the app's OpenAPI document, all assets local."""
    return render(request, "api_docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/docs")
def docs_alias() -> Response:
    """``/docs`` is where FastAPI users look first; the reference lives under the API prefix."""
    return RedirectResponse(DOCS_PATH, status_code=308)
