"""The HTTP face of one node: a small FastAPI app in the style of a GA4GH Beacon v2.

Endpoints: ``GET /api/info`` (who the node is and its disclosure rules),
``GET /api/filtering_terms``, ``GET /api/datasets`` (collections with their
DUO codes), ``GET|POST /api/individuals`` and ``/api/biosamples`` (count or
boolean answers, never records). Every request needs ``Authorization: Bearer``
with a token from a trusted issuer (see auth.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from permed_atlas.federation.auth import TokenClaims, check_requester, verify_token
from permed_atlas.federation.disclosure import smallest_shown
from permed_atlas.federation.errors import (
    AuthError,
    BudgetExceededError,
    DifferencingRefusedError,
    FilterError,
    RequesterNotAllowedError,
)
from permed_atlas.federation.models import CountQuery, DisclosedCount, DisclosureRules, Entity
from permed_atlas.federation.node_store import NodeStore
from permed_atlas.federation.query import parse_filter_text, query_filters, query_from_json

API_VERSION = "v2.0.0"
_STATUS = {
    AuthError: 401,
    RequesterNotAllowedError: 403,
    FilterError: 400,
    DifferencingRefusedError: 409,
    BudgetExceededError: 429,
}
_OUTCOME = {401: "unauthorized", 403: "forbidden", 400: "bad_request"}


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
            f"{rules.differencing_window_days} days and their perturbed counts differ by 1 to "
            f"{rules.k - 1}; questions selecting the same records are one question",
            "no record ever leaves the node; every question is logged with its requester",
        ],
    }


def create_node_app(
    store: NodeStore, *, clock: Callable[[], float] = time.time
) -> FastAPI:
    """Build the node's app around its store.

    :param store: the loaded node store.
    :param clock: the time source for token expiry and the log (seconds since the epoch).
    """
    identity = store.config.identity
    app = FastAPI(title=f"PerMed Atlas node {identity.id}", version=API_VERSION)
    app.state.store = store

    def meta(granularity: str | None = None, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"beaconId": identity.id, "apiVersion": API_VERSION}
        if granularity:
            out["returnedGranularity"] = granularity
        out.update(extra)
        return out

    def error(status: int, message: str) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            {"meta": meta(), "error": {"errorCode": status, "errorMessage": message}},
            status_code=status,
            headers=headers,
        )

    def authenticate(request: Request) -> TokenClaims:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise AuthError("missing bearer token")
        claims = verify_token(
            header[7:].strip(),
            secrets=store.config.trusted_issuers,
            audience=identity.id,
            now=int(clock()),
        )
        check_requester(claims, allowed=store.config.allowed_requesters)
        return claims

    def now() -> datetime:
        return datetime.fromtimestamp(clock(), tz=UTC)

    def guarded(request: Request) -> TokenClaims | JSONResponse:
        try:
            return authenticate(request)
        except (AuthError, RequesterNotAllowedError) as exc:
            status = _STATUS[type(exc)]
            store.log_failure(requester="", issuer="", outcome=_OUTCOME[status], now=now())
            return error(status, str(exc))

    @app.get("/api/info")
    @app.get("/api")
    def info(request: Request) -> Any:
        claims = guarded(request)
        if isinstance(claims, JSONResponse):
            return claims
        return {
            "meta": meta(),
            "response": {
                "id": identity.id,
                "name": identity.name,
                "apiVersion": API_VERSION,
                "environment": "prod",
                "organization": {"id": identity.id, "name": identity.name},
                "region": identity.region,
                "country": identity.country,
                "entities": ["individuals", "biosamples"],
                "granularities": ["boolean", "count"],
                "disclosureControl": disclosure_statement(store),
            },
        }

    @app.get("/api/filtering_terms")
    def filtering_terms(request: Request) -> Any:
        claims = guarded(request)
        if isinstance(claims, JSONResponse):
            return claims
        k = store.config.rules.k
        terms: list[dict[str, Any]] = []
        # Only terms held by at least k samples are listed, so the list itself
        # cannot reveal a rare diagnosis or material.
        for column, prefix in (("diagnosis3", "ICD10"), ("material", "material"),
                               ("sample_type", "sample_type"), ("storage", "storage"),
                               ("sex", "sex"), ("country", "country")):
            terms.extend(
                {"type": "ontologyTerm" if prefix == "ICD10" else "custom",
                 "id": f"{prefix}:{value}", "scopes": ["biosamples", "individuals"]}
                for value, n in store.term_counts(column) if n >= k
            )
        terms.append({"type": "alphanumeric", "id": "age_at_collection",
                      "operators": ["=", "<", "<=", ">", ">="]})
        terms.append({"type": "alphanumeric", "id": "collection_year",
                      "operators": ["=", "<", "<=", ">", ">="]})
        terms.append({"type": "custom", "id": "ICD10:chapter:<I..XXII>",
                      "label": "an ICD-10 chapter; ICD10:C50 also matches C50.x; "
                      "ICD10:C50-C58 is a range of categories"})
        return {"meta": meta(), "response": {"filteringTerms": terms}}

    @app.get("/api/datasets")
    def datasets(request: Request) -> Any:
        claims = guarded(request)
        if isinstance(claims, JSONResponse):
            return claims
        return {
            "meta": meta(),
            "response": {"collections": [
                {"id": d.id, "name": d.collection, "dataUseConditions": {
                    "duoDataUse": [{"id": code} for code in d.duo_codes]}}
                for d in store.datasets
            ]},
        }

    def answer(request: Request, entity: Entity, body: dict[str, Any]) -> Any:
        claims = guarded(request)
        if isinstance(claims, JSONResponse):
            return claims
        try:
            query = query_from_json(body, entity=entity)
            unknown = set(query.datasets) - {d.id for d in store.datasets}
            if unknown:
                raise FilterError(f"unknown dataset id(s) {sorted(unknown)}", field="datasetIds")
            shown = store.answer(query, requester=claims.requester, issuer=claims.issuer,
                                 now=now())
        except (FilterError, DifferencingRefusedError, BudgetExceededError) as exc:
            status = _STATUS[type(exc)]
            if status == 400:
                store.log_failure(requester=claims.requester, issuer=claims.issuer,
                                  outcome="bad_request", now=now())
            return error(status, str(exc))
        # Encoded directly: FastAPI's generic encoder costs more than the count itself.
        return FastJSONResponse(_count_response(query, shown, store.config.rules, meta))

    # The body is read on the event loop. A count the cube answers (tens of
    # microseconds, plus one log insert) is answered right there: a hop to the
    # thread pool would cost more than the count. A count that scans the table
    # runs in the thread pool so that it does not hold up the node's other requests.
    async def post(request: Request, entity: Entity) -> Any:
        body = await _body(request)
        if store.answers_quickly(entity):
            return answer(request, entity, body)
        return await run_in_threadpool(answer, request, entity, body)

    @app.post("/api/individuals")
    async def post_individuals(request: Request) -> Any:
        return await post(request, "individuals")

    @app.post("/api/biosamples")
    async def post_biosamples(request: Request) -> Any:
        return await post(request, "biosamples")

    @app.get("/api/individuals")
    def get_individuals(request: Request) -> Any:
        return answer(request, "individuals", _get_body(request))

    @app.get("/api/biosamples")
    def get_biosamples(request: Request) -> Any:
        return answer(request, "biosamples", _get_body(request))

    return app


class FastJSONResponse(JSONResponse):
    """A JSON response encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.body())
    except ClientDisconnect:
        return {}
    except ValueError:
        return {"query": "not json"}
    return data if isinstance(data, dict) else {"query": "not an object"}


def _get_body(request: Request) -> dict[str, Any]:
    params = request.query_params
    body: dict[str, Any] = {
        "query": {
            "filters": parse_filter_text(params.get("filters", "")),
            "requestedGranularity": params.get("requestedGranularity", "count"),
            "requestParameters": {},
        }
    }
    if params.get("datasetIds"):
        body["query"]["requestParameters"]["datasetIds"] = params["datasetIds"].split(",")
    return body


def _count_response(
    query: CountQuery, shown: DisclosedCount, rules: DisclosureRules,
    meta: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    summary: dict[str, Any] = {"exists": shown.exists}
    if query.granularity == "count":
        summary["numTotalResults"] = shown.value if shown.value is not None else shown.display
        summary["countPrecision"] = shown.precision
        if shown.suppressed:
            summary["countAdjustedTo"] = [shown.display]
    disclosure: dict[str, Any] = {
        "display": shown.display,
        "suppressed": shown.suppressed,
        "k": rules.k,
        "rounding": rules.rounding,
        "perturbation": shown.perturbation,
        "maxDeviation": shown.max_deviation,
    }
    # lower/upper bound the true count. A suppressed cell states only its upper
    # bound (k-1+D) and only when that is at least k, so every number in a
    # response stays outside 1..k-1; its lower bound follows from "<k".
    if not shown.suppressed:
        disclosure["lower"], disclosure["upper"] = shown.lower, shown.upper
    elif shown.upper >= rules.k:
        disclosure["upper"] = shown.upper
    return {
        "meta": meta(
            query.granularity,
            receivedRequestSummary={"filters": [f["id"] for f in query_filters(query)],
                                    "requestedGranularity": query.granularity},
            returnedSchemas=[{"entityType": query.entity}],
        ),
        "responseSummary": summary,
        "info": {"disclosure": disclosure} if query.granularity == "count" else {},
    }


