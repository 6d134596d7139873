"""The queries behind ``permed explain`` and a work's "why" panel (see
:mod:`permed_atlas.landscape.explain` for the models they fill)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import duckdb

from permed_atlas.i18n import Message
from permed_atlas.landscape.explain import (
    Explanation,
    RuleHit,
    WorkNotFoundError,
    country_evidence,
    eu_cn_verdict,
    pm_reason,
)
from permed_atlas.landscape.regions import RegionSet
from permed_atlas.landscape.store.merges import surviving_openalex_id
from permed_atlas.landscape.store.tagging import normalised_term_sql, work_text_sql
from permed_atlas.landscape.topics import KEYWORD_KINDS, PM_TOPIC, PREFIX_KINDS, TERM_KINDS, RuleSet
from permed_atlas.limits import MAX_ID
from permed_atlas.types import RegionCode

_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?(W\d+)$", re.IGNORECASE)
_LENS = re.compile(r"^\d{3}-\d{3}-\d{3}-\d{3}-\d{3}$")


def _first_work_id(
    connection: duckdb.DuckDBPyConnection, where: str, *params: object
) -> int | None:
    """The first ``work_id`` of ``SELECT work_id FROM {where}``, None when there is none."""
    row = connection.execute(f"SELECT work_id FROM {where} LIMIT 1", list(params)).fetchone()
    return int(row[0]) if row else None


def resolve_work_id(connection: duckdb.DuckDBPyConnection, identifier: str) -> int:
    """The internal work_id named by an internal id, OpenAlex id, DOI, PMID, lens id or number.

    :param connection: a corpus connection.
    :param identifier: e.g. ``42``, ``W2741809807``, ``10.1038/nature12373``,
        ``https://doi.org/10.1/x``, ``pmid:31452104``, ``020-111-222-333-444``.
    """
    value = identifier.strip()
    candidates: list[tuple[str, str]] = []
    if match := _OPENALEX.match(value):
        candidates.append(("openalex_id", match.group(1).upper()))
    lowered = value.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            candidates.append(("doi", lowered))
    if lowered.startswith("10."):
        candidates.append(("doi", lowered))
    if lowered.startswith("pmid:"):
        candidates.append(("pmid", lowered[5:].strip()))
    if _LENS.match(value):
        candidates.append(("lens_id", value))
    if value.isdecimal() and int(value) <= MAX_ID:  # "²" is a digit int() cannot read
        if (found := _first_work_id(connection, "works WHERE work_id = ?", int(value))) is not None:
            return found
        candidates.append(("pmid", value))
    lookups = [("work_ids WHERE id_type = ? AND id_value = ?", pair) for pair in candidates]
    lookups.append(("work_ids WHERE id_value = ? OR upper(id_value) = upper(?)", (value, value)))
    for where, params in lookups:
        if (found := _first_work_id(connection, where, *params)) is not None:
            return found
    if match and (survivor := surviving_openalex_id(connection, match.group(1))):
        # OpenAlex merged this work into another: the survivor is the work now
        return resolve_work_id(connection, survivor)
    raise WorkNotFoundError(
        Message(
            "no work with identifier %(identifier)s in the corpus",
            identifier=repr(identifier),
        )
    )


def _rule_hits(
    connection: duckdb.DuckDBPyConnection, work_id: int, rules: RuleSet
) -> list[RuleHit]:
    text_row = connection.execute(
        f"SELECT {work_text_sql('w')} FROM works w WHERE w.work_id = ?", [work_id]
    ).fetchone()
    text = text_row[0] if text_row else ""
    terms = connection.execute(
        f"SELECT t.scheme, t.term, {normalised_term_sql('t')} FROM terms t WHERE t.work_id = ?",
        [work_id],
    ).fetchall()
    hits = []
    for rule in rules.rules:
        matched: list[str] = []
        if rule.kind in KEYWORD_KINDS:
            found = connection.execute(
                "SELECT regexp_extract_all(?, ?, 0, 'i')", [text, rule.pattern]
            ).fetchone()
            matched = list(dict.fromkeys(found[0])) if found and found[0] else []
        elif rule.kind in TERM_KINDS:
            scheme = TERM_KINDS[rule.kind]
            for term_scheme, term, _code in terms:
                if term_scheme != scheme:
                    continue
                row = connection.execute(
                    "SELECT regexp_matches(?, ?, 'i')", [term, rule.pattern]
                ).fetchone()
                if row and row[0]:
                    matched.append(f"{scheme}: {term}")
        elif rule.kind in PREFIX_KINDS:
            matched = [
                f"{rule.kind}: {term}"
                for term_scheme, term, code in terms
                if term_scheme == rule.kind and code.startswith(rule.pattern)
            ]
        if matched:
            hits.append(
                RuleHit(
                    rule_id=rule.id,
                    topic=rule.topic,
                    topic_label=rules.topic_label(rule.topic),
                    kind=rule.kind,
                    pattern=rule.pattern,
                    why=rule.why,
                    matched=tuple(matched),
                    why_zh=rule.why_zh,
                )
            )
    return hits


def explain_work(
    connection: duckdb.DuckDBPyConnection,
    identifier: str | int,
    *,
    regions: Mapping[RegionCode, RegionSet] | Iterable[RegionSet],
    rules: RuleSet,
) -> Explanation:
    """Explain the countries, regions, topics and flags of one work.

    :param connection: a corpus connection.
    :param identifier: work_id, OpenAlex id, DOI, PMID, lens id, family id or publication number.
    :param regions: the region sets tagging uses.
    :param rules: the rules tagging uses.
    """
    work_id = resolve_work_id(connection, str(identifier))
    region_sets = list(regions.values()) if isinstance(regions, Mapping) else list(regions)
    work = connection.execute(
        "SELECT kind, title, year FROM works WHERE work_id = ?", [work_id]
    ).fetchone()
    assert work is not None
    identifiers = {
        id_type: id_value
        for id_type, id_value in connection.execute(
            "SELECT id_type, min(id_value) FROM work_ids WHERE work_id = ? GROUP BY id_type "
            "ORDER BY id_type",
            [work_id],
        ).fetchall()
    }
    rows = connection.execute(
        "SELECT a.position, c.name, c.role, a.institution_name, c.raw_affiliation, "
        "upper(trim(a.country_code)) FROM affiliations a LEFT JOIN contributors c "
        "ON c.work_id = a.work_id AND c.position = a.position WHERE a.work_id = ? "
        "ORDER BY a.position, a.institution_name NULLS LAST",
        [work_id],
    ).fetchall()
    countries, unknown = country_evidence(rows, region_sets)
    work_regions = tuple(sorted({region for country in countries for region in country.regions}))
    hits = _rule_hits(connection, work_id, rules)
    topics = tuple(sorted({hit.topic for hit in hits if hit.topic != PM_TOPIC}))
    pm_hits = [hit.rule_id for hit in hits if hit.topic == PM_TOPIC]
    eu_cn, eu_cn_reason = eu_cn_verdict(countries)
    stored = connection.execute(
        "SELECT"
        " (SELECT list(DISTINCT rule_id ORDER BY rule_id) FROM work_topics WHERE work_id = $1),"
        " (SELECT list(DISTINCT region ORDER BY region) FROM work_regions WHERE work_id = $1),"
        " (SELECT any_value(pm_relevant) FROM work_flags WHERE work_id = $1),"
        " (SELECT any_value(eu_cn) FROM work_flags WHERE work_id = $1)",
        [work_id],
    ).fetchone()
    assert stored is not None
    current = (
        sorted(stored[0] or []) == sorted(hit.rule_id for hit in hits)
        and list(stored[1] or []) == list(work_regions)
        and stored[2] == bool(pm_hits)
        and stored[3] == eu_cn
    )
    return Explanation(
        work_id=work_id,
        kind=str(work[0]),
        title=work[1],
        year=work[2],
        identifiers=identifiers,
        countries=countries,
        regions=work_regions,
        hits=tuple(hits),
        topics=topics,
        pm_relevant=bool(pm_hits),
        pm_reason=pm_reason(pm_hits),
        eu_cn=eu_cn,
        eu_cn_reason=eu_cn_reason,
        stored_tags_current=current,
        unknown_country_affiliations=unknown,
    )
