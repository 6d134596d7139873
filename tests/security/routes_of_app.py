"""Every API route of an assembled app, with the router-level dependencies it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def api_routes(app: FastAPI) -> list[tuple[APIRoute, list[Callable[..., Any]]]]:
    """Each APIRoute under its full path, with the calls of the routers' dependencies.

    FastAPI 0.165 keeps included routers as lazy ``_IncludedRouter`` entries, so
    ``app.routes`` alone shows only the routes declared on the app itself.
    """
    found: list[tuple[APIRoute, list[Callable[..., Any]]]] = []
    for entry in app.routes:
        context = getattr(entry, "include_context", None)
        extra = [d.dependency for d in (context.dependencies if context else []) if d.dependency]
        if context is None:
            if isinstance(entry, APIRoute):
                found.append((entry, []))
            continue
        from fastapi.routing import _iter_included_route_candidates

        for route in _iter_included_route_candidates([entry]):
            if isinstance(route, APIRoute):
                found.append((route, extra))
    return found


def calls_of(route: APIRoute) -> Iterator[Callable[..., Any]]:
    """The endpoint and every dependency (recursively) of ``route``."""
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            yield dependant.call
        stack.extend(dependant.dependencies)
