"""Validation against the official Beacon v2 framework schemas vendored in tests/fixtures/beacon-v2.

The schemas refer to each other by relative paths and, in places, by their
``raw.githubusercontent.com/.../main/`` URLs; both resolve to the vendored files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "beacon-v2"
_UPSTREAM = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"

SCHEMAS = {
    "info": "framework/json/responses/beaconInfoResponse.json",
    "map": "framework/json/responses/beaconMapResponse.json",
    "configuration": "framework/json/responses/beaconConfigurationResponse.json",
    "entry_types": "framework/json/responses/beaconEntryTypesResponse.json",
    "filtering_terms": "framework/json/responses/beaconFilteringTermsResponse.json",
    "service-info": "framework/json/responses/ga4gh-service-info-1-0-0-schema.json",
    "count": "framework/json/responses/beaconCountResponse.json",
    "boolean": "framework/json/responses/beaconBooleanResponse.json",
    "collections": "framework/json/responses/beaconCollectionsResponse.json",
    "error": "framework/json/responses/beaconErrorResponse.json",
    "request": "framework/json/requests/beaconRequestBody.json",
    "dataset": "models/json/beacon-v2-default-model/datasets/defaultSchema.json",
}


def _retrieve(uri: str) -> Resource[Any]:
    if uri.startswith(_UPSTREAM):
        path = ROOT / uri.removeprefix(_UPSTREAM)
    elif uri.startswith("file://"):
        path = Path(uri.removeprefix("file://"))
    else:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
    if not path.is_file() or ROOT not in path.resolve().parents:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
    return Resource.from_contents(
        json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012
    )


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one of :data:`SCHEMAS`, resolving references across the vendored files."""
    uri = (ROOT / SCHEMAS[name]).as_uri()
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    return Draft202012Validator(
        {"$ref": uri}, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors_of(name: str, document: Any) -> list[str]:
    """Every schema violation of ``document``, as ``path: message`` lines (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator(name).iter_errors(document)
    ]


def assert_valid(name: str, document: Any) -> None:
    """Fail with every violation when ``document`` does not validate against schema ``name``."""
    problems = errors_of(name, document)
    assert not problems, f"not a valid Beacon {name} document:\n" + "\n".join(problems)


def schema_for(path: str, status: int, document: Any) -> str:
    """Which schema a node's response to ``path`` with ``status`` must follow."""
    endpoint = path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if status >= 400:
        return "error"
    if endpoint in {"api", "info"}:
        return "info"
    if endpoint in {"service-info", "map", "configuration", "entry_types", "filtering_terms"}:
        return endpoint
    if endpoint == "datasets":
        return "collections"
    granularity = document.get("meta", {}).get("returnedGranularity")
    return "count" if granularity == "count" else "boolean"


def assert_valid_node_response(path: str, status: int, document: Any) -> None:
    """Validate a node's response by its endpoint, status and granularity; collections too."""
    name = schema_for(path, status, document)
    assert_valid(name, document)
    if name == "collections":
        for collection in document["response"]["collections"]:
            assert_valid("dataset", collection)
