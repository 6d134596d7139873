"""The HTTP face of one node: a GA4GH Beacon v2 (count and boolean granularity, never records).

Public, as Beacon networks and verifiers read them: ``GET /api`` and ``/api/info``
(who the node is and its disclosure rules), ``/api/service-info`` (GA4GH
service-info), ``/api/map``, ``/api/configuration``, ``/api/entry_types`` and
``/api/filtering_terms`` (only terms whose count is shown, k or more).
With ``Authorization: Bearer`` and a token from a trusted issuer (see auth.py),
issued for that very request and used once: ``GET /api/datasets`` (collections with
their DUO consent) and ``GET|POST /api/individuals`` and ``/api/biosamples``. The
documents are built by beacon.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from permed_atlas import __version__
from permed_atlas.federation import beacon
from permed_atlas.federation.auth import (
    TokenClaims,
    check_request_hash,
    check_requester,
    hash_request,
    verify_token,
)
from permed_atlas.federation.disclosure import smallest_shown
from permed_atlas.federation.errors import (
    AuthError,
    BudgetExceededError,
    DifferencingRefusedError,
    FilterError,
    RequesterNotAllowedError,
)
from permed_atlas.federation.latency import EmulatedLatency
from permed_atlas.federation.models import DisclosedCount, DisclosureRules, Entity
from permed_atlas.federation.node_requests import (
    MAX_BODY_BYTES,
    check_get_parameters,
    get_body,
    parse_body,
    read_body,
    requested_granularity,
)
from permed_atlas.federation.node_store import NodeStore
from permed_atlas.federation.query import query_from_json
from permed_atlas.i18n import Message

API_VERSION = beacon.API_VERSION
_STATUS = {
    AuthError: 401,
    RequesterNotAllowedError: 403,
    FilterError: 400,
    DifferencingRefusedError: 409,
    BudgetExceededError: 429,
}
_OUTCOME = {401: "unauthorized", 403: "forbidden", 400: "bad_request"}


@lru_cache(maxsize=1)
def _duo_vocabulary() -> tuple[dict[str, str], dict[str, str], str]:
    """DUO labels, shorthands and release, read once (the datasets endpoint names them)."""
    from permed_atlas.transfer import load_duo_ontology

    ontology = load_duo_ontology()
    labels = {t.id: t.label for t in ontology}
    shorthands = {t.shorthand.upper(): t.id for t in ontology if t.shorthand}
    return labels, shorthands, ontology.version


def disclosure_statement(store: NodeStore) -> dict[str, Any]:
    """The node's disclosure rules, in words and numbers."""
    rules = store.config.rules
    d = rules.ckm_max_deviation
    if rules.noise_epsilon:
        perturbation = (
            f"a rounded Laplace deviation of scale {rules.noise_sensitivity}/"
            f"{rules.noise_epsilon} is added; it is drawn from the counted records, so every "
            "phrasing that selects the same records gets the same count"
        )
    elif d:
        perturbation = (
            f"every count is perturbed by the cell key method: by at most {d} "
            f"(variance {rules.ckm_variance}), drawn from the records it counts, so every "
            "phrasing that selects the same records gets the same count"
            + ("; a positive count is never shown as 0" if rules.ckm_keep_zeros else "")
        )
    else:
        perturbation = "counts are not perturbed"
    return {
        "k": rules.k,
        "rounding": rules.rounding,
        "showZeros": rules.show_zeros,
        "smallestShownCount": smallest_shown(rules),
        "perturbation": ("laplace" if rules.noise_epsilon else "cell key" if d else "none"),
        "maxDeviation": None if rules.noise_epsilon else d,
        "variance": rules.ckm_variance if d and not rules.noise_epsilon else None,
        "keepZeros": rules.ckm_keep_zeros,
        "noiseEpsilon": rules.noise_epsilon,
        "dailyBudget": rules.daily_budget,
        "globalDailyBudget": rules.global_cap,
        "differencingWindowDays": rules.differencing_window_days,
        "rules": [
            perturbation,
            f"perturbed counts from 1 to {rules.k - 1} are shown as '<{rules.k}'",
            f"other counts are rounded half-up to a multiple of {rules.rounding} and never "
            f"shown below {smallest_shown(rules)}",
            "a 0 is shown as 0" if rules.show_zeros else f"a 0 is shown as '<{rules.k}'",
            f"each requester may ask {rules.daily_budget} questions per UTC day, all requesters "
            f"together {rules.global_cap}",
            "a question is refused when it nests with (is within, or contains) an earlier "
            f"answered question of the same requester in the last "
            f"{rules.differencing_window_days} days and the counts shown for them could differ "
            f"by 1 to {rules.k - 1} ('<{rules.k}' read as any of 1 to {rules.k - 1}); questions "
            "selecting the same records are one question",
            "no record ever leaves the node; every question is logged with its requester",
        ],
    }


def create_node_app(
    store: NodeStore,
    *,
    clock: Callable[[], float] = time.time,
    latency: EmulatedLatency | None = None,
) -> FastAPI:
    """Build the node's app around its store.

    :param store: the loaded node store.
    :param clock: the time source for token expiry and the log (seconds since the epoch).
    :param latency: an emulated wide-area delay added to every request and reply (benchmarks
        and demos on one machine; None in production).
    """
    identity = store.config.identity
    app = FastAPI(title=f"PerMed Atlas node {identity.id}", version=API_VERSION)
    app.state.store = store
    if latency is not None:
        app.add_middleware(latency.middleware)
    node = _Node(store, clock)

    # Unknown paths (/api/runs, a record's /api/biosamples/{id}) and methods get a Beacon
    # error document too: a Beacon client or verifier reads every answer as one.
    @app.exception_handler(StarletteHTTPException)
    async def beacon_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = node.error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    _add_public_routes(app, store, node.beacon_id)
    _add_query_routes(app, node)
    return app


class _Node:
    """What the node's guarded endpoints share: the store, the clock and the Beacon id."""

    def __init__(self, store: NodeStore, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        identity = store.config.identity
        self.beacon_id = identity.beacon_id or identity.id

    def error(
        self,
        status: int,
        message: str,
        *,
        entity: str = "biosamples",
        summary: dict[str, Any] | None = None,
    ) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            beacon.error_response(
                self.beacon_id, status=status, message=message, entity=entity, summary=summary
            ),
            status_code=status,
            headers=headers,
        )

    def authenticate(self, request: Request) -> TokenClaims:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise AuthError(Message("missing bearer token"))
        claims = verify_token(
            header[7:].strip(),
            secrets=self.store.config.trusted_issuers,
            audience=self.store.config.identity.id,
            now=int(self.clock()),
        )
        check_requester(claims, allowed=self.store.config.allowed_requesters)
        return claims

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def log_failure(self, claims: TokenClaims, outcome: str) -> None:
        """Log a refused request under its token's requester and issuer."""
        self.store.log_failure(
            requester=claims.requester, issuer=claims.issuer, outcome=outcome, now=self.now()
        )

    def guarded(self, request: Request, entity: str = "biosamples") -> TokenClaims | JSONResponse:
        """The claims of the request's token (not yet checked against the request), or a 401/403."""
        try:
            return self.authenticate(request)
        except (AuthError, RequesterNotAllowedError) as exc:
            status = _STATUS[type(exc)]
            self.store.log_failure(
                requester="", issuer="", outcome=_OUTCOME[status], now=self.now()
            )
            return self.error(status, str(exc), entity=entity)

    def spend(
        self, request: Request, claims: TokenClaims, body: bytes, entity: str
    ) -> JSONResponse | None:
        """A 401 unless the token was issued for this request and not used before.

        Logged with the token's requester and not counted against any budget: the token
        is genuine, but whoever sent this request may have read it from a log or a proxy.
        A token sent with another body does not use up its nonce, so the hub's own request
        still goes through.
        """
        try:
            check_request_hash(
                claims,
                hash_request(
                    request.method,
                    _endpoint_path(request),
                    query=request.scope["query_string"].decode("latin-1"),
                    body=body,
                ),
            )
            self.store.spend_token(claims, now=int(self.clock()))
        except AuthError as exc:
            self.log_failure(claims, "unauthorized")
            return self.error(401, str(exc), entity=entity)
        return None

    def admitted(self, request: Request, entity: str) -> TokenClaims | JSONResponse:
        """The claims of a bodiless request's token once it is checked and spent, or the error."""
        claims = self.guarded(request, entity)
        if isinstance(claims, JSONResponse):
            return claims
        return self.spend(request, claims, b"", entity) or claims

    def answer(
        self,
        request: Request,
        entity: Entity,
        body: dict[str, Any],
        *,
        claims: TokenClaims | JSONResponse | None = None,
    ) -> Any:
        claims = self.admitted(request, entity) if claims is None else claims
        if isinstance(claims, JSONResponse):
            return claims
        store = self.store
        requested = requested_granularity(body)
        summary = beacon.request_summary(None, entity=entity, requested_granularity=requested)
        try:
            if request.method == "GET":
                check_get_parameters(request)
            query = query_from_json(body, entity=entity)
            summary = beacon.request_summary(query, entity=entity, requested_granularity=requested)
            unknown = set(query.datasets) - {d.id for d in store.datasets}
            if unknown:
                raise FilterError(
                    Message("unknown dataset id(s) %(unknown)s", unknown=sorted(unknown)),
                    field="datasetIds",
                )
            shown = store.answer(
                query, requester=claims.requester, issuer=claims.issuer, now=self.now()
            )
        except (FilterError, DifferencingRefusedError, BudgetExceededError) as exc:
            status = _STATUS[type(exc)]
            if status == 400:
                self.log_failure(claims, "bad_request")
            return self.error(status, str(exc), entity=entity, summary=summary)
        rules = store.config.rules
        # Encoded directly: FastAPI's generic encoder costs more than the count itself.
        return FastJSONResponse(
            beacon.count_response(
                self.beacon_id,
                query=query,
                shown=shown,
                k=rules.k,
                rounding=rules.rounding,
                requested_granularity=requested,
                perturbation=_perturbation(rules, shown),
            )
        )

    # The body is read on the event loop. A count the cube answers (tens of
    # microseconds, plus one log insert) is answered right there: a hop to the
    # thread pool would cost more than the count. A count that scans the table
    # runs in the thread pool so that it does not hold up the node's other requests.
    # The token is checked before the body is read, and the body is read only up to
    # MAX_BODY_BYTES: anyone can reach a node, and a body is held in memory to be parsed.
    async def post(self, request: Request, entity: Entity) -> Any:
        claims = self.guarded(request, entity)
        if isinstance(claims, JSONResponse):
            return claims
        raw = await read_body(request)
        if raw is None:
            # Not counted against the requester: a body never read cannot be matched
            # with the token, which may have been read from a log by someone else.
            self.log_failure(claims, "too_large")
            message = Message(
                "the request body is larger than %(limit)s bytes", limit=MAX_BODY_BYTES
            )
            return self.error(413, str(message), entity=entity)
        refused = self.spend(request, claims, raw, entity)
        if refused is not None:
            return refused
        body = parse_body(raw)
        if self.store.answers_quickly(entity):
            return self.answer(request, entity, body, claims=claims)
        return await run_in_threadpool(partial(self.answer, request, entity, body, claims=claims))


def _endpoint_path(request: Request) -> str:
    """The request's path under the node's root (``/api/biosamples``), as the hub signs it.

    The hub signs the path under the node's registered URL, so a reverse proxy that
    serves the node under a prefix (passed on as the ASGI ``root_path``) changes nothing.
    """
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "").rstrip("/")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


def _add_public_routes(app: FastAPI, store: NodeStore, beacon_id: str) -> None:
    """The informational endpoints.

    They are public: a Beacon network, a registry or a verifier reads them before it has
    any token. They say nothing about the samples.
    """
    identity = store.config.identity

    @app.get("/api/info")
    @app.get("/api")
    def info() -> Any:
        return beacon.info_response(
            beacon_id=beacon_id,
            name=identity.name,
            region=identity.region,
            country=identity.country,
            disclosure=disclosure_statement(store),
            version=__version__,
            organization_url=identity.organization_url,
        )

    @app.get("/api/service-info")
    def service_info(request: Request) -> Any:
        return beacon.service_info(
            beacon_id=beacon_id,
            name=identity.name,
            version=__version__,
            organization_url=identity.organization_url or str(request.base_url),
        )

    @app.get("/api/map")
    def beacon_map(request: Request) -> Any:
        return beacon.map_response(beacon_id, root_url=str(request.base_url).rstrip("/") + "/api")

    @app.get("/api/configuration")
    def configuration() -> Any:
        return beacon.configuration_response(beacon_id)

    @app.get("/api/entry_types")
    def entry_types() -> Any:
        return beacon.entry_types_response(beacon_id)

    # Public like the other informational endpoints (a Beacon network reads it to know what
    # it may ask): the list is fixed, not a question, and names only terms whose count is shown.
    # Made once: the samples do not change while the node serves, and without a count cube
    # each listed term costs a table scan, which a public endpoint must not repeat per call.
    # (An empty list is made once too: "if not terms" would scan again on every call.)
    listed_terms = lru_cache(maxsize=1)(partial(_filtering_terms, store))

    @app.get("/api/filtering_terms")
    def filtering_terms() -> Any:
        return beacon.filtering_terms_response(beacon_id, listed_terms())


def _add_query_routes(app: FastAPI, node: _Node) -> None:
    """The endpoints that need a requester's token: datasets and the counts."""

    @app.get("/api/datasets")
    def datasets(request: Request) -> Any:
        claims = node.admitted(request, "datasets")
        if isinstance(claims, JSONResponse):
            return claims
        labels, shorthands, version = _duo_vocabulary()
        return beacon.collections_response(
            node.beacon_id,
            node.store.datasets,
            labels=labels,
            shorthands=shorthands,
            version=version,
        )

    @app.post("/api/individuals")
    async def post_individuals(request: Request) -> Any:
        return await node.post(request, "individuals")

    @app.post("/api/biosamples")
    async def post_biosamples(request: Request) -> Any:
        return await node.post(request, "biosamples")

    @app.get("/api/individuals")
    def get_individuals(request: Request) -> Any:
        return node.answer(request, "individuals", get_body(request))

    @app.get("/api/biosamples")
    def get_biosamples(request: Request) -> Any:
        return node.answer(request, "biosamples", get_body(request))


def _perturbation(rules: DisclosureRules, shown: DisclosedCount) -> dict[str, Any]:
    """How a shown count was perturbed before threshold and rounding, as each count states it."""
    if shown.perturbation == "laplace":
        return {
            "method": "laplace",
            "epsilon": rules.noise_epsilon,
            "sensitivity": rules.noise_sensitivity,
            "maxDeviation": None,
            "note": "drawn from the counted records: the same records get the same noise",
        }
    if shown.perturbation == "cell key":
        return {
            "method": "cell key",
            "maxDeviation": shown.max_deviation,
            "variance": rules.ckm_variance,
            "keepZeros": rules.ckm_keep_zeros,
            "note": "drawn from the counted records: the same records get the same count",
        }
    return {"method": "none", "maxDeviation": 0}


def _filtering_terms(store: NodeStore) -> list[dict[str, Any]]:
    terms: list[dict[str, Any]] = []
    # A term is listed when its count, as the node would show it, is at least k: the
    # threshold applies to the perturbed count, as everywhere. Listed by its true count,
    # this public list would tell anyone whether a "<5" term really holds 5-7 samples, or
    # a "5" term fewer than 5.
    for column, prefix in (
        ("diagnosis3", "ICD10"),
        ("material", "material"),
        ("sample_type", "sample_type"),
        ("storage", "storage"),
        ("sex", "sex"),
        ("country", "country"),
    ):
        terms.extend(
            {
                "type": "ontologyTerm" if prefix == "ICD10" else "custom",
                "id": f"{prefix}:{value}",
                "scopes": ["biosamples", "individuals"],
            }
            for value, _ in store.term_counts(column)
            if _shown(store, f"{prefix}:{value}")
        )
    terms.extend(
        {
            "type": "alphanumeric",
            "id": field,
            "operators": ["=", "<", "<=", ">", ">="],
            "scopes": ["biosamples", "individuals"],
        }
        for field in ("age_at_collection", "collection_year")
    )
    terms.append(
        {
            "type": "custom",
            "id": "ICD10:chapter:<I..XXII>",
            "label": "an ICD-10 chapter; ICD10:C50 also matches C50.x; "
            "ICD10:C50-C58 is a range of categories",
        }
    )
    return terms


def _shown(store: NodeStore, term: str) -> bool:
    """Whether the node shows the biosample count of ``term`` as a number (k or more)."""
    try:
        query = query_from_json({"query": {"filters": [{"id": term}]}}, entity="biosamples")
    except FilterError:
        return False
    # A shown 0 (value 0) is not a term the node holds; "<k" has no value at all.
    return (store.release(query).value or 0) > 0


class FastJSONResponse(JSONResponse):
    """A JSON response encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
