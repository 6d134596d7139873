"""Beacon v2 style request bodies <-> :class:`CountQuery` (pure).

Filters (a list, ANDed across dimensions, ORed within one):

* ``{"id": "ICD10:C50"}``, ``{"id": "ICD10:C50-C58"}``, ``{"id": "ICD10:chapter:II"}``
* ``{"id": "sex:female"}`` (or NCIT:C16576 female, NCIT:C20197 male, NCIT:C17998 unknown)
* ``{"id": "material:SERUM"}``, ``sample_type:tissue``, ``storage:LN``,
  ``country:DE``
* ``{"id": "age_at_collection", "operator": ">=", "value": "40"}``; also ``collection_year``;
  operators ``=``, ``<``, ``<=``, ``>``, ``>=``;
  and ``{"id": "sex", "operator": "=", "value": ...}``

The same filters are accepted in a GET as ``?filters=ICD10:C50,sex:female,age_at_collection>=40``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from permed_atlas.federation.errors import FilterError
from permed_atlas.federation.icd10 import IcdPattern, parse_pattern
from permed_atlas.federation.models import TERM_DIMENSIONS, CountQuery, Entity, Range
from permed_atlas.i18n import Message
from permed_atlas.i18n import gettext_noop as N_

SEX_TERMS = {
    "NCIT:C16576": "female",
    "NCIT:C20197": "male",
    "NCIT:C17998": "unknown",
    "NCIT:C41438": "undifferentiated",
}
RANGE_FILTERS = {"age_at_collection": "age", "collection_year": "year"}
_OPERATOR_TEXT = re.compile(r"^([a-z_]+)\s*(>=|<=|=|<|>)\s*(-?\d+)$")


def _range_with(rng: Range, operator: str, value: int, field: str) -> Range:
    low, high = rng.low, rng.high
    if operator in {">=", ">", "="}:
        bound = value + 1 if operator == ">" else value
        low = bound if low is None else max(low, bound)
    if operator in {"<=", "<", "="}:
        bound = value - 1 if operator == "<" else value
        high = bound if high is None else min(high, bound)
    if operator not in {">=", ">", "=", "<=", "<"}:
        raise _bad(field, N_("%(field)s: unknown operator %(operator)s"), field=field,
                   operator=repr(operator))  # fmt: skip
    return Range(low, high)


def build_query(
    filters: Sequence[Mapping[str, Any]],
    *,
    entity: Entity = "biosamples",
    granularity: str = "count",
    datasets: Sequence[str] = (),
    chapters: Mapping[str, tuple[str, str]],
    vocabulary: Mapping[str, Sequence[str]],
) -> CountQuery:
    """Read Beacon filter objects into a question.

    :param filters: filter objects (id, optional operator and value).
    :param entity: "individuals" (distinct donors) or "biosamples".
    :param granularity: "count" or "boolean".
    :param datasets: dataset ids to count in (empty: all).
    :param chapters: the ICD-10 chapter table.
    :param vocabulary: allowed values of sex, material, sample_type and storage.
    :raises FilterError: naming the filter that cannot be read.
    """
    if granularity not in {"count", "boolean"}:
        raise _bad("requestedGranularity", N_("requestedGranularity must be count or boolean, "
                                              "not %(granularity)s"),
                   granularity=repr(granularity))  # fmt: skip
    terms: dict[str, set[str]] = {dim: set() for dim in TERM_DIMENSIONS}
    diagnosis: list[IcdPattern] = []
    ranges = {"age": Range(), "year": Range()}
    for position, item in enumerate(filters):
        where = f"filters[{position}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise _bad(where, N_("%(where)s: a filter needs a string id"), where=where)
        fid, operator, value = item["id"].strip(), item.get("operator"), item.get("value")
        _check_filter_options(item, fid, where)
        if fid in RANGE_FILTERS:
            try:
                number = int(str(value))
            except ValueError as exc:
                raise _bad(where, N_("%(where)s: %(fid)s needs an integer value"), where=where,
                           fid=fid) from exc  # fmt: skip
            dim = RANGE_FILTERS[fid]
            ranges[dim] = _range_with(ranges[dim], str(operator or "="), number, where)
            continue
        if fid in TERM_DIMENSIONS and value is not None:
            fid = f"{fid}:{value}"
        prefix, _, rest = fid.partition(":")
        if fid.upper() in SEX_TERMS:
            terms["sex"].add(SEX_TERMS[fid.upper()])
        elif prefix.upper() == "ICD10" and rest:
            try:
                diagnosis.append(parse_pattern(rest, chapters=chapters))
            except ValueError as exc:
                raise _bad(where, N_("%(where)s: %(exc)s"), where=where, exc=exc) from exc
        elif prefix in TERM_DIMENSIONS and rest:
            terms[prefix].add(_term(prefix, rest, vocabulary, where))
        else:
            raise _bad(where, N_("%(where)s: unknown filter %(fid)s (see /api/filtering_terms)"),
                       where=where, fid=repr(fid))  # fmt: skip
    for dim, rng in ranges.items():
        if rng.low is not None and rng.high is not None and rng.low > rng.high:
            raise _bad(dim, N_("filters: the %(dim)s range is empty"), dim=dim)
    return CountQuery(
        entity=entity,
        granularity="boolean" if granularity == "boolean" else "count",
        diagnosis=tuple(sorted(set(diagnosis))),
        datasets=tuple(sorted(set(datasets))),
        age=ranges["age"],
        year=ranges["year"],
        **{dim: tuple(sorted(values)) for dim, values in terms.items()},
    )


# The Beacon filter fields; any other key is refused, as it could be a misspelling.
_FILTER_FIELDS = {"id", "operator", "value", "scope", "includeDescendantTerms", "similarity"}
# The spec writes a scope both ways (the plural in its filter examples, the singular in its
# filtering-terms examples); either names what this node counts.
SCOPES = ("biosamples", "individuals", "biosample", "individual")


def _check_filter_options(item: Mapping[str, Any], fid: str, where: str) -> None:
    """Refuse a filter option the node cannot apply, rather than answer another question.

    Ignoring ``"operator": "!"`` would count the term instead of its negation, and
    ``includeDescendantTerms: false`` on ICD10:C50 would count C50.x as well: the
    requester would read a count of a question it did not ask.
    """
    unknown = sorted(set(item) - _FILTER_FIELDS)
    if unknown:
        raise _bad(where, N_("%(where)s: unsupported filter field(s) %(names)s"), where=where,
                   names=unknown)  # fmt: skip
    operator, value = item.get("operator"), item.get("value")
    if fid not in RANGE_FILTERS and operator not in (None, "="):
        raise _bad(where, N_("%(where)s: %(fid)s takes no operator %(operator)s (only =)"),
                   where=where, fid=repr(fid), operator=repr(operator))  # fmt: skip
    if ":" in fid and value is not None:
        raise _bad(where, N_("%(where)s: %(fid)s names its term and takes no value"),
                   where=where, fid=repr(fid))  # fmt: skip
    if "scope" in item and item["scope"] not in SCOPES:
        raise _bad(where, N_("%(where)s: scope must be biosamples or individuals, not %(scope)s"),
                   where=where, scope=repr(item["scope"]))  # fmt: skip
    if item.get("similarity", "exact") != "exact":
        raise _bad(where, N_("%(where)s: only exact similarity is supported, not %(similarity)s"),
                   where=where, similarity=repr(item["similarity"]))  # fmt: skip
    descendants = item.get("includeDescendantTerms", True)
    if not isinstance(descendants, bool) or (
        not descendants and fid.partition(":")[0].upper() == "ICD10"
    ):
        raise _bad(where, N_("%(where)s: includeDescendantTerms must be true for %(fid)s (an "
                             "ICD-10 filter always counts the codes under it)"),
                   where=where, fid=repr(fid))  # fmt: skip


def _bad(field: str, message: str, /, **values: object) -> FilterError:
    # ``message`` is marked with N_ where it is written; a page shows it translated
    return FilterError(Message(message, **values), field=field)


def _term(dim: str, value: str, vocabulary: Mapping[str, Sequence[str]], where: str) -> str:
    if dim == "country":
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise FilterError(
                Message("%(where)s: country must be ISO 3166-1 alpha-2", where=where),
                field=where,
            )
        return value.upper()
    allowed = {v.lower(): v for v in vocabulary.get(dim, ())}
    if value.lower() not in allowed:
        raise _bad(where, N_("%(where)s: %(value)s is not a %(dim)s term"), where=where,
                   value=repr(value), dim=dim)  # fmt: skip
    return allowed[value.lower()]


def parse_filter_text(text: str) -> list[dict[str, str]]:
    """GET form ``ICD10:C50,sex:female,age_at_collection>=40`` -> filter objects."""
    items: list[dict[str, str]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _OPERATOR_TEXT.match(part)
        if match:
            items.append({"id": match[1], "operator": match[2], "value": match[3]})
        else:
            items.append({"id": part})
    return items


def query_filters(query: CountQuery) -> list[dict[str, str]]:
    """The Beacon filter objects that say ``query``."""
    out: list[dict[str, str]] = [{"id": f"ICD10:{p.text}"} for p in query.diagnosis]
    for dim in TERM_DIMENSIONS:
        out.extend({"id": f"{dim}:{v}"} for v in getattr(query, dim))
    for fid, rng in (("age_at_collection", query.age), ("collection_year", query.year)):
        if rng.low is not None:
            out.append({"id": fid, "operator": ">=", "value": str(rng.low)})
        if rng.high is not None:
            out.append({"id": fid, "operator": "<=", "value": str(rng.high)})
    return out


def query_to_json(query: CountQuery) -> dict[str, Any]:
    """A Beacon v2 request body for ``query`` (valid against the spec's ``beaconRequestBody``).

    The entity goes in ``meta.requestedSchemas`` (the endpoint's path says it too) and the
    dataset restriction in the spec's ``requestParameters.datasets.datasetIds`` form.
    """
    body: dict[str, Any] = {
        "meta": {"apiVersion": "v2.0", "requestedSchemas": [{"entityType": query.entity}]},
        "query": {
            "filters": query_filters(query),
            "requestedGranularity": query.granularity,
            "requestParameters": {},
        },
    }
    if query.datasets:
        body["query"]["requestParameters"]["datasets"] = {"datasetIds": list(query.datasets)}
    return body


def _requested_entity(body: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    if params.get("entity"):
        return params["entity"]
    meta = body.get("meta")
    schemas = meta.get("requestedSchemas") if isinstance(meta, Mapping) else None
    if isinstance(schemas, list) and schemas and isinstance(schemas[0], Mapping):
        return schemas[0].get("entityType")
    return None


def _requested_datasets(params: Mapping[str, Any]) -> list[str]:
    """Dataset ids from the spec's ``datasets: {datasetIds: [...]}`` or the flat ``datasetIds``."""
    unknown = set(params) - {"datasets", "datasetIds", "entity", "$schema"}
    if unknown:
        # An unread parameter would silently widen the question to every dataset.
        raise FilterError(
            Message(
                "requestParameters: unsupported parameter(s) %(names)s",
                names=sorted(unknown),
            ),
            field="requestParameters",
        )
    nested = params.get("datasets")
    if nested is not None and not (isinstance(nested, Mapping) and set(nested) <= {"datasetIds"}):
        raise FilterError(
            Message("requestParameters.datasets must be {datasetIds: [...]}"),
            field="requestParameters.datasets",
        )
    found: list[str] = []
    for where, ids in (
        ("requestParameters.datasetIds", params.get("datasetIds")),
        ("requestParameters.datasets.datasetIds", (nested or {}).get("datasetIds")),
    ):
        if ids is None:
            continue
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise FilterError(
                Message("%(where)s must be a list of dataset ids", where=where),
                field=where,
            )
        found.extend(ids)
    return found


def query_from_json(
    body: Mapping[str, Any],
    *,
    entity: Entity | None = None,
    chapters: Mapping[str, tuple[str, str]] | None = None,
    vocabulary: Mapping[str, Sequence[str]] | None = None,
) -> CountQuery:
    """Read a Beacon v2 request body.

    :param body: the JSON body.
    :param entity: the endpoint's entity; else the body's ``meta.requestedSchemas[0].entityType``
        (or a legacy ``requestParameters.entity``).
    :param chapters: the ICD-10 chapter table (the bundled one when None).
    :param vocabulary: the term vocabularies (the bundled ones when None).
    :raises FilterError: for a body that is not a Beacon request.
    """
    if chapters is None or vocabulary is None:
        from permed_atlas.federation.mapping import icd10_chapters, miabis_terms

        chapters = chapters if chapters is not None else icd10_chapters()
        vocabulary = vocabulary if vocabulary is not None else miabis_terms()
    query = body.get("query") or {}
    if not isinstance(query, Mapping):
        raise FilterError(Message("query must be an object"), field="query")
    params = query.get("requestParameters") or {}
    filters = query.get("filters") or []
    if not isinstance(filters, list) or not isinstance(params, Mapping):
        raise FilterError(
            Message("query.filters must be a list"),
            field="query.filters",
        )
    chosen = entity or _requested_entity(body, params) or "biosamples"
    if chosen not in {"individuals", "biosamples"}:
        raise FilterError(
            Message("unknown entity %(chosen)s", chosen=repr(chosen)),
            field="entity",
        )
    datasets = _requested_datasets(params)
    granularity = str(query.get("requestedGranularity") or "count")
    # A node never returns records: a record-level request is answered as a count
    # (the response's returnedGranularity says so), as the spec allows.
    return build_query(
        filters,
        entity=chosen,
        granularity="count" if granularity == "record" else granularity,
        datasets=[str(d) for d in datasets],
        chapters=chapters,
        vocabulary=vocabulary,
    )


def _range_filters(name: str, text: str | None, *, field: str) -> list[dict[str, str]]:
    if not text:
        return []
    low, sep, high = text.partition("-")
    try:
        if not sep:
            return [{"id": name, "operator": "=", "value": str(int(low))}]
        out = []
        if low.strip():
            out.append({"id": name, "operator": ">=", "value": str(int(low))})
        if high.strip():
            out.append({"id": name, "operator": "<=", "value": str(int(high))})
        return out
    except ValueError as exc:
        raise FilterError(
            Message(
                "expected a number or a range such as 40-65, not %(text)s",
                text=repr(text),
            ),
            field=field,
        ) from exc


_POSITION = re.compile(r"^filters\[\d+\]: ")


def build_simple_query(
    *,
    diagnosis: list[str],
    sex: list[str],
    material: list[str],
    age: str | None,
    year: str | None,
    entity: str,
) -> CountQuery:
    """The question of the CLI options and the web form, as a :class:`CountQuery`.

    Each input is checked on its own first, so an error names the form field or option
    (``diagnosis``), not a position in the Beacon filter list (``filters[0]``).

    :param diagnosis: ICD-10 codes, ranges or chapter:N.
    :param sex: sex terms.
    :param material: material terms.
    :param age: age at collection, "N" or "LOW-HIGH" (either end may be left out).
    :param year: collection year, "N" or "LOW-HIGH".
    :param entity: biosamples or individuals.
    """
    groups = {
        "diagnosis": [{"id": f"ICD10:{d}"} for d in diagnosis],
        "sex": [{"id": f"sex:{s}"} for s in sex],
        "material": [{"id": f"material:{m}"} for m in material],
        "age": _range_filters("age_at_collection", age, field="age"),
        "year": _range_filters("collection_year", year, field="year"),
    }
    parameters = {"entity": entity}
    for field, filters in groups.items():
        try:
            query_from_json({"query": {"filters": filters, "requestParameters": parameters}})
        except FilterError as exc:
            raise FilterError(_POSITION.sub("", str(exc)), field=field) from exc
    every = [item for filters in groups.values() for item in filters]
    return query_from_json({"query": {"filters": every, "requestParameters": parameters}})
