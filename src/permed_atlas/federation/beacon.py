"""GA4GH Beacon v2 documents of a node (pure): what each endpoint answers, in the spec's shapes.

The node's disclosure control decides *what* may be said about a count (see
disclosure.py); this module only says it the way the Beacon v2 framework
schemas (release v2.1.1, vendored in tests/fixtures/beacon-v2) require:

* every response has ``meta`` with ``beaconId``, ``apiVersion`` and
  ``returnedSchemas``; query responses also ``returnedGranularity`` and
  ``receivedRequestSummary``;
* ``numTotalResults`` is always an integer. A count the node will not show
  (below its threshold) is downgraded to boolean granularity: the summary says
  only ``exists`` and ``info.disclosure`` states the threshold;
* a record-level request is answered as a count (``returnedGranularity`` says so);
* DUO consent codes are ontology terms with the DUO ``version``; their values
  (a country for GS, a disease for DS) are ``modifiers``, never packed into the id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from permed_atlas.federation.models import CountQuery, Dataset, DisclosedCount
from permed_atlas.federation.query import query_filters

API_VERSION = "v2.0.0"
# The framework release whose schemas these documents are checked against in the tests.
SCHEMA_RELEASE = "v2.1.1"
ENTRY_TYPES: dict[str, tuple[str, str, str]] = {
    # endpoint: (entry type id, name, ontology term of the type)
    "individuals": ("individual", "Individual", "NCIT:C25190"),
    "biosamples": ("biosample", "Biosample", "NCIT:C70699"),
    "datasets": ("dataset", "Dataset", "NCIT:C47824"),
}
QUERY_ENDPOINTS = ("individuals", "biosamples")
INFORMATIONAL_ENDPOINTS = ("info", "service-info", "map", "configuration", "entry_types")

# A consent code's values become modifier terms with these prefixes (and back at the hub).
# DS names diseases (ICD-10 unless already a CURIE such as MONDO:...), GS countries
# (ISO 3166-1 alpha-2) or the platform's region sets, TS months and MOR a date.
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_VALUE_PREFIX = {
    "DUO:0000007": "ICD10",
    "DUO:0000022": "PERMED-REGION",
    "DUO:0000025": "PERMED-MONTHS",
    "DUO:0000024": "PERMED-DATE",
}
_OWN_PREFIXES = ("ICD10:", "ISO3166:", "PERMED-REGION:", "PERMED-MONTHS:", "PERMED-DATE:")


def schema_of(entity: str) -> dict[str, str]:
    """The ``returnedSchemas`` entry of an endpoint's entity."""
    type_id = ENTRY_TYPES[entity][0]
    return {"entityType": type_id, "schema": f"beacon-{type_id}-{API_VERSION}"}


def informational_meta(beacon_id: str, *, entity: str | None = None) -> dict[str, Any]:
    """``meta`` of an informational response (info, map, configuration, ...)."""
    return {
        "beaconId": beacon_id,
        "apiVersion": API_VERSION,
        "returnedSchemas": [schema_of(entity)] if entity else [],
    }


def filter_text(item: Mapping[str, str]) -> str:
    """One filter as the string ``receivedRequestSummary.filters`` lists."""
    if "operator" in item:
        return f"{item['id']}{item['operator']}{item['value']}"
    return item["id"]


def request_summary(
    query: CountQuery | None, *, entity: str, requested_granularity: str
) -> dict[str, Any]:
    """``receivedRequestSummary``: the request as the node understood it.

    :param query: the question read from the request (None when it could not be read).
    :param entity: the endpoint's entity.
    :param requested_granularity: what the client asked for (before any downgrade).
    """
    granularity = (
        requested_granularity
        if requested_granularity in {"boolean", "count", "record"}
        else "count"
    )
    summary: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "requestedSchemas": [schema_of(entity)],
        # Counts only: there are no pages of records.
        "pagination": {"skip": 0, "limit": 0},
        "requestedGranularity": granularity,
    }
    if query is not None:
        summary["filters"] = [filter_text(f) for f in query_filters(query)]
        if query.datasets:
            summary["requestParameters"] = {"datasets": {"datasetIds": list(query.datasets)}}
    return summary


def response_meta(
    beacon_id: str, *, entity: str, returned_granularity: str, summary: dict[str, Any]
) -> dict[str, Any]:
    """``meta`` of a query or error response."""
    return {
        "beaconId": beacon_id,
        "apiVersion": API_VERSION,
        "returnedSchemas": [schema_of(entity)],
        "returnedGranularity": returned_granularity,
        "receivedRequestSummary": summary,
    }


def count_response(
    beacon_id: str,
    *,
    query: CountQuery,
    shown: DisclosedCount,
    k: int,
    rounding: int,
    requested_granularity: str,
    perturbation: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The answer to a count or boolean question, from what disclosure control allows.

    :param beacon_id: the node's Beacon id.
    :param query: the question (its granularity: count or boolean).
    :param shown: the disclosed count.
    :param k: the node's threshold: counts below it are never shown.
    :param rounding: the node's rounding base.
    :param requested_granularity: what the client asked for (record becomes count).
    :param perturbation: how the shown count was perturbed before threshold and rounding
        (``{"method": "none"}`` when it was not).
    """
    summary = request_summary(
        query, entity=query.entity, requested_granularity=requested_granularity
    )
    disclosure: dict[str, Any] = {
        "display": shown.display,
        "suppressed": shown.suppressed,
        "k": k,
        "rounding": rounding,
        "countPrecision": shown.precision,
        "perturbation": dict(perturbation or {"method": "none"}),
    }
    as_count = query.granularity == "count" and not shown.suppressed and shown.value is not None
    response_summary: dict[str, Any] = {"exists": shown.exists}
    if as_count:
        response_summary["numTotalResults"] = int(shown.value or 0)
        disclosure["lower"], disclosure["upper"] = shown.lower, shown.upper
    elif query.granularity == "count":
        # Below the threshold there is no integer the node may say: the answer is
        # downgraded to boolean, and the threshold tells the client what that means.
        disclosure["downgradedBecause"] = f"the count is below the node's threshold of {k}"
        # A perturbing node may state the true count's upper bound (k-1+D), but only when it
        # is at least k, so that no number in a response falls in 1..k-1.
        if shown.upper >= k:
            disclosure["upper"] = shown.upper
    granularity = "count" if as_count else "boolean"
    out: dict[str, Any] = {
        "meta": response_meta(
            beacon_id, entity=query.entity, returned_granularity=granularity, summary=summary
        ),
        "responseSummary": response_summary,
    }
    if query.granularity == "count":
        out["info"] = {"disclosure": disclosure}
    return out


def error_response(
    beacon_id: str,
    *,
    status: int,
    message: str,
    entity: str = "biosamples",
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``beaconErrorResponse``."""
    summary = summary or request_summary(None, entity=entity, requested_granularity="count")
    return {
        "meta": response_meta(
            beacon_id, entity=entity, returned_granularity="boolean", summary=summary
        ),
        "error": {"errorCode": status, "errorMessage": message},
    }


def info_response(
    *,
    beacon_id: str,
    name: str,
    region: str,
    country: str,
    disclosure: dict[str, Any],
    version: str,
    organization_url: str = "",
) -> dict[str, Any]:
    """``/info``: who the node is, and its disclosure rules under ``info``."""
    return {
        "meta": informational_meta(beacon_id),
        "response": {
            "id": beacon_id,
            "name": name,
            "apiVersion": API_VERSION,
            "version": version,
            "environment": "prod",
            "organization": {
                "id": beacon_id,
                "name": name,
                **({"welcomeUrl": organization_url} if organization_url else {}),
            },
            "description": f"Count-only biobank discovery node ({region}, {country}); "
            "no record leaves the node",
            "info": {
                "region": region,
                "country": country,
                "entryTypes": list(QUERY_ENDPOINTS),
                "granularities": ["boolean", "count"],
                "disclosureControl": disclosure,
            },
        },
    }


def service_info(
    *, beacon_id: str, name: str, version: str, organization_url: str
) -> dict[str, Any]:
    """GA4GH ``/service-info`` (service-info 1.0.0, as the Beacon framework embeds it).

    :param organization_url: the biobank's web address (the node's own root when it has none).
    """
    return {
        "id": beacon_id,
        "name": name,
        "type": {"group": "org.ga4gh", "artifact": "beacon", "version": API_VERSION},
        "description": "Count-only biobank discovery node (PerMed Atlas)",
        "organization": {"name": name, "url": organization_url},
        "version": version,
        "environment": "prod",
    }


def map_response(beacon_id: str, *, root_url: str) -> dict[str, Any]:
    """``/map``: the node's endpoints per entry type.

    :param root_url: the absolute URL of the Beacon root (``.../api``), no trailing slash.
    """
    sets = {
        ENTRY_TYPES[name][0]: {"entryType": ENTRY_TYPES[name][0], "rootUrl": f"{root_url}/{name}"}
        for name in (*QUERY_ENDPOINTS, "datasets")
    }
    return {
        "meta": informational_meta(beacon_id),
        "response": {"$schema": "beaconMapSchema.json", "endpointSets": sets},
    }


def _entry_type(name: str) -> dict[str, Any]:
    type_id, label, term = ENTRY_TYPES[name]
    return {
        "id": type_id,
        "name": label,
        "partOfSpecification": f"Beacon {API_VERSION}",
        "ontologyTermForThisType": {"id": term, "label": label},
        "defaultSchema": {
            "id": f"beacon-{type_id}-{API_VERSION}",
            "name": f"Default {label}",
            "referenceToSchemaDefinition": f"https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/"
            f"{SCHEMA_RELEASE}/models/json/beacon-v2-default-model/{name}/"
            "defaultSchema.json",
            "schemaVersion": SCHEMA_RELEASE,
        },
        # A node answers counts of what filters select; an empty filter list is allowed.
        "nonFilteredQueriesAllowed": True,
    }


def entry_types_response(beacon_id: str) -> dict[str, Any]:
    """``/entry_types``."""
    return {
        "meta": informational_meta(beacon_id),
        "response": {
            "entryTypes": {
                ENTRY_TYPES[n][0]: _entry_type(n) for n in (*QUERY_ENDPOINTS, "datasets")
            }
        },
    }


def configuration_response(beacon_id: str) -> dict[str, Any]:
    """``/configuration``: entry types, maturity and security (queries need a token)."""
    return {
        "meta": informational_meta(beacon_id),
        "response": {
            "$schema": "beaconConfigurationSchema.json",
            "maturityAttributes": {"productionStatus": "PROD"},
            "securityAttributes": {"defaultGranularity": "count", "securityLevels": ["CONTROLLED"]},
            "entryTypes": {
                ENTRY_TYPES[n][0]: _entry_type(n) for n in (*QUERY_ENDPOINTS, "datasets")
            },
        },
    }


def filtering_terms_response(beacon_id: str, terms: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``/filtering_terms``."""
    return {"meta": informational_meta(beacon_id), "response": {"filteringTerms": list(terms)}}


def duo_data_use(
    code_text: str, *, labels: Mapping[str, str], shorthands: Mapping[str, str], version: str
) -> dict[str, Any]:
    """One consent code as a Beacon ``duoDataUse`` term: ``"DUO:0000022=CN"`` ->
    ``{"id": "DUO:0000022", "version": ..., "modifiers": [{"id": "ISO3166:CN"}]}``.

    :param code_text: the code as the node's table holds it (values after ``=``, ``|``-separated).
    :param labels: DUO id -> label.
    :param shorthands: DUO shorthand (GS, DS, ...) -> id.
    :param version: the DUO release.
    """
    code, _, values = code_text.partition("=")
    curie = shorthands.get(code.strip().upper(), code.strip())
    term: dict[str, Any] = {"id": curie, "version": version}
    if curie in labels:
        term["label"] = labels[curie]
    modifiers = [_modifier(curie, v.strip()) for v in values.split("|") if v.strip()]
    if modifiers:
        term["modifiers"] = modifiers
    return term


def _modifier(curie: str, value: str) -> dict[str, str]:
    if ":" in value:
        return {"id": value}
    if curie == "DUO:0000022" and _COUNTRY.match(value.upper()):
        return {"id": f"ISO3166:{value.upper()}"}
    return {"id": f"{_VALUE_PREFIX.get(curie, 'PERMED-VALUE')}:{value}"}


def consent_text(term: Mapping[str, Any]) -> str:
    """A ``duoDataUse`` term back in the matcher's text form (the inverse of :func:`duo_data_use`).

    Reads the packed legacy form too: a term whose id already holds ``=`` is kept.
    """
    values = []
    for modifier in term.get("modifiers") or ():
        value = str(modifier.get("id", ""))
        for prefix in _OWN_PREFIXES:
            if value.startswith(prefix):
                value = value[len(prefix) :]
                break
        if value:
            values.append(value)
    code = str(term["id"])
    return f"{code}={'|'.join(values)}" if values else code


def collections_response(
    beacon_id: str,
    datasets: Iterable[Dataset],
    *,
    labels: Mapping[str, str],
    shorthands: Mapping[str, str],
    version: str,
) -> dict[str, Any]:
    """``/datasets``: each collection with its consent as ``dataUseConditions``."""
    collections = []
    for dataset in datasets:
        entry: dict[str, Any] = {"id": dataset.id, "name": dataset.collection}
        terms = [
            duo_data_use(c, labels=labels, shorthands=shorthands, version=version)
            for c in dataset.duo_codes
        ]
        if terms:
            entry["dataUseConditions"] = {"duoDataUse": terms}
        collections.append(entry)
    summary = request_summary(None, entity="datasets", requested_granularity="record")
    return {
        "meta": response_meta(
            beacon_id, entity="datasets", returned_granularity="record", summary=summary
        ),
        "responseSummary": {"exists": bool(collections), "numTotalResults": len(collections)},
        "response": {"collections": collections},
    }
