"""Every page and GET endpoint answers hostile path and query values with a 4xx, never a 500.

The OpenAPI fuzz covers the JSON API's declared parameters; this walks every GET route the
app has, HTML pages included, as an administrator (who sees the most), and sends values no
form would: huge and negative numbers, bad dates, traversal, markup, long and non-ASCII text,
under parameter names the pages use and ones they do not.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Route

VALUES = [
    "", "x", "-1", "0", "99999999999999999999", "1.5", "%00", "<script>", "CN", "zz",
    "2024-13-45", "1e9", "../../etc/passwd", "数据", "a" * 3000, "'; DROP TABLE x;--", "null",
]  # fmt: skip
PARAMS = [
    "page", "q", "year_from", "year_to", "country", "region", "topic", "lang", "sort", "kind",
    "format", "limit", "offset", "study", "round", "id", "top", "institution", "source", "type",
    "mode", "from", "to", "per_page", "cursor", "chart", "metric", "panel", "status", "next",
]  # fmt: skip
PATH_VALUES = ["1", "0", "-1", "x", "999999", "a" * 300, "%2e%2e", "数据"]
TRIES_PER_ROUTE = 8


def _get_paths(routes: Iterable[Any], prefix: str = "") -> Iterator[str]:
    """The path of every GET route, walking into included routers."""
    for route in routes:
        if type(route).__name__ == "_IncludedRouter":  # FastAPI >= 0.16x keeps them nested
            inner = prefix + (getattr(route.include_context, "prefix", "") or "")
            yield from _get_paths(route.original_router.routes, inner)
        elif isinstance(route, APIRoute | Route) and "GET" in (route.methods or set()):
            yield prefix + route.path


def test_no_get_route_answers_a_hostile_request_with_a_server_error(
    app: Any, client: Any, make_user: Any, login: Any, web_corpus: Any
) -> None:
    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    paths = sorted(p for p in set(_get_paths(app.routes)) if "logout" not in p)
    # Every capability's pages are walked: a change in how routers nest cannot shrink this.
    assert len(paths) >= 90, paths
    rnd = random.Random(0)
    failures = []
    for template in paths:
        for _ in range(TRIES_PER_ROUTE):
            path = re.sub(r"\{[^}]+\}", lambda _: rnd.choice(PATH_VALUES), template)
            params = {rnd.choice(PARAMS): rnd.choice(VALUES) for _ in range(rnd.randint(0, 4))}
            response = client.get(path, params=params, follow_redirects=False)
            if response.status_code >= 500:
                failures.append((path, params, response.status_code, response.text[:200]))
    assert not failures, "\n".join(map(str, failures[:20]))
