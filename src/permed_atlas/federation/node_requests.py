"""Reading a node's query requests: the JSON body (bounded) and the GET parameters.

A POST body is read only up to :data:`MAX_BODY_BYTES`, as bytes (the token is bound to
them), then parsed; a GET's parameters are turned into the body a POST would carry, and
a parameter the node does not read is refused.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

from permed_atlas.federation.errors import FilterError
from permed_atlas.federation.query import parse_filter_text
from permed_atlas.i18n import Message

# A Beacon count request is a few hundred bytes; a thousand filters stay under 64 KiB.
MAX_BODY_BYTES = 1 << 20


def requested_granularity(body: dict[str, Any]) -> str:
    """The granularity a body asks for, as written ("count" when it names none)."""
    query = body.get("query")
    value = query.get("requestedGranularity") if isinstance(query, dict) else None
    return str(value or "count")


async def read_body(request: Request) -> bytes | None:
    """The body's bytes as sent (the token is bound to them); None when larger than MAX_BODY_BYTES.

    A client that goes away mid-body leaves what arrived, which its token does not match.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    raw = bytearray()
    try:
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                return None
    except ClientDisconnect:
        pass
    return bytes(raw)


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON body as an object (a non-object reads as a query the parser refuses)."""
    try:
        data = orjson.loads(raw)
    except ValueError:
        return {"query": "not json"}
    return data if isinstance(data, dict) else {"query": "not an object"}


# Beacon's GET parameters of a query endpoint; skip, limit, includeResultsetResponses and
# requestedSchema shape record lists and result sets, which a count answer has none of.
_GET_PARAMETERS = {
    "filters",
    "requestedGranularity",
    "datasetIds",
    "skip",
    "limit",
    "includeResultsetResponses",
    "requestedSchema",
    "testMode",
}


_LISTS = {"filters", "datasetIds"}


def check_get_parameters(request: Request) -> None:
    """Refuse a GET parameter the node does not read, as the POST body's are refused.

    Ignored, a misspelt ``datasetId=`` or a ``cohortIds=`` would silently widen the
    question to every collection.
    """
    unknown = sorted(set(request.query_params) - _GET_PARAMETERS)
    if unknown:
        raise FilterError(
            Message("unsupported query parameter(s) %(names)s", names=unknown),
            field="query parameters",
        )
    # filters and datasetIds repeated add up (see get_body); another repeated parameter
    # would have one of its values silently dropped.
    repeated = sorted(
        name
        for name in set(request.query_params) - _LISTS
        if len(request.query_params.getlist(name)) > 1
    )
    if repeated:
        raise FilterError(
            Message("query parameter(s) %(names)s given more than once", names=repeated),
            field="query parameters",
        )


def get_body(request: Request) -> dict[str, Any]:
    """The Beacon request body a GET's ``filters``, granularity and ``datasetIds`` stand for.

    ``filters=ICD10:C50&filters=sex:female`` is ``filters=ICD10:C50,sex:female``: read
    as one parameter, only the last would count, and the answer would be for sex:female.
    """
    params = request.query_params
    body: dict[str, Any] = {
        "query": {
            "filters": parse_filter_text(",".join(params.getlist("filters"))),
            "requestedGranularity": params.get("requestedGranularity", "count"),
            "requestParameters": {},
        }
    }
    datasets = ",".join(params.getlist("datasetIds"))
    if datasets:
        body["query"]["requestParameters"]["datasetIds"] = datasets.split(",")
    return body
