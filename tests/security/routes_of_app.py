"""Every API route of an assembled app, under the path and with the dependencies it serves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts


def api_routes(app: FastAPI) -> list[tuple[RouteContext, list[Callable[..., Any]]]]:
    """Each API route as the app serves it, with an empty list kept for older callers.

    FastAPI 0.165 keeps included routers as lazy ``_IncludedRouter`` entries: a route of a
    router included into another (Delphi's manage and coordinate routers) keeps only its
    own path, without the prefixes above it. The route's context has the path a request
    uses and the dependant with every router's dependencies (the CSRF guard included).
    """
    return [
        (context, [])
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def calls_of(route: RouteContext) -> Iterator[Callable[..., Any]]:
    """The endpoint and every dependency (recursively) of ``route``."""
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            yield dependant.call
        stack.extend(dependant.dependencies)
