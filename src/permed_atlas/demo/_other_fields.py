"""Works of fields other than personalised medicine, for snapshot-like mixes.

Every work of the demo generator is PM-relevant, but a real OpenAlex snapshot is mostly
other fields: an ingest with the PM pre-filter reads them all and stores none. A mix keeps
a share of the demo works as they are and rewrites the others as works of another field
(``data/demo/other_fields.yaml``: real OpenAlex topics and concepts, made-up phrases):
the same ids, authors, year and venue, in the same record format, with the title,
abstract, topics, concepts and keywords of that field and no MeSH terms.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from permed_atlas.datafiles import BUNDLED_DATA_DIR, DataFileError, read_yaml
from permed_atlas.demo._phrases import cap, pick

OTHER_FIELDS_PATH = BUNDLED_DATA_DIR / "demo" / "other_fields.yaml"
_OA = "https://openalex.org/"
_TITLE_FORMS = (
    "{Method} for {subject}: evidence on {finding}",
    "{Finding} in {subject}: a study using {method}",
    "Assessing {finding} across {subject} with {method}",
    "What drives {finding}? {Method} in {subject}",
)


def is_pm_work(index: int, pm_share: float) -> bool:
    """Whether work ``index`` of a mix stays a PM work: ``pm_share`` of them, evenly spread."""
    return int((index + 1) * pm_share) > int(index * pm_share)


@dataclass(frozen=True)
class _Field:
    topics: list[dict[str, Any]]
    concepts: list[dict[str, Any]]
    keywords: list[dict[str, Any]]
    subjects: tuple[str, ...]
    methods: tuple[str, ...]
    findings: tuple[str, ...]


def _topic(row: list[Any]) -> dict[str, Any]:
    topic_id, name, subfield_id, subfield, field_id, field, domain_id, domain = row
    return {
        "id": f"{_OA}{topic_id}",
        "display_name": name,
        "score": 0.0,
        "subfield": {"id": f"{_OA}subfields/{subfield_id}", "display_name": subfield},
        "field": {"id": f"{_OA}fields/{field_id}", "display_name": field},
        "domain": {"id": f"{_OA}domains/{domain_id}", "display_name": domain},
    }


def _concept(row: list[Any]) -> dict[str, Any]:
    concept_id, name, level, wikidata = row
    return {
        "id": f"{_OA}{concept_id}",
        "wikidata": f"https://www.wikidata.org/wiki/{wikidata}",
        "display_name": name,
        "level": level,
        "score": 0.0,
    }


def _keyword(concept: dict[str, Any]) -> dict[str, Any]:
    name = concept["display_name"]
    slug = "-".join(name.lower().replace(",", "").split())
    return {"id": f"{_OA}keywords/{slug}", "display_name": name, "score": 0.0}


def _read_fields(path: Path) -> list[_Field]:
    def error(reason: str) -> DataFileError:
        return DataFileError(reason, path=str(path))

    data = read_yaml(path, error=error)
    if not isinstance(data, dict) or not data.get("fields"):
        raise error("must hold a non-empty list 'fields'")
    fields = []
    for entry in data["fields"]:
        concepts = [_concept(row) for row in entry["concepts"]]
        fields.append(
            _Field(
                topics=[_topic(row) for row in entry["topics"]],
                concepts=concepts,
                keywords=[_keyword(c) for c in concepts if c["level"] > 0],
                subjects=tuple(entry["subjects"]),
                methods=tuple(entry["methods"]),
                findings=tuple(entry["findings"]),
            )
        )
    return fields


def _scored(objects: list[dict[str, Any]], r: Any, count: int) -> list[dict[str, Any]]:
    """``count`` distinct objects of ``objects`` with falling scores."""
    start = int(r() * len(objects))
    chosen = [objects[(start + k) % len(objects)] for k in range(min(count, len(objects)))]
    top = 0.6 + r() * 0.39
    return [{**obj, "score": round(top - 0.1 * k, 4)} for k, obj in enumerate(chosen)]


def _inverted(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, token in enumerate(text.split()):
        index.setdefault(token, []).append(position)
    return index


class OtherFields:
    """Rewrites demo works as works of other fields (see the module's docstring)."""

    def __init__(self, path: Path = OTHER_FIELDS_PATH) -> None:
        self.fields = _read_fields(path)

    def rewrite(self, rng: random.Random, work: dict[str, Any]) -> dict[str, Any]:
        """``work`` (a generated OpenAlex work) made a work of a field drawn with ``rng``."""
        r = rng.random
        field = pick(r, self.fields)
        subject, method, finding = (
            pick(r, field.subjects),
            pick(r, field.methods),
            pick(r, field.findings),
        )
        words = {"subject": subject, "method": method, "finding": finding}
        title: str | None = pick(r, _TITLE_FORMS).format(
            **words, Method=cap(method), Finding=cap(finding)
        )
        if r() < 0.004:
            title = None  # a few works have none, as in OpenAlex
        abstract = None
        if r() >= 0.2:  # a fifth of works have no abstract
            abstract = _inverted(
                f"{cap(finding)} in {subject} is poorly understood. "
                f"We used {method} on data from {2 + int(r() * 60)} sites "
                f"collected between {work['publication_year'] - 6} and "
                f"{work['publication_year'] - 1}. "
                f"{cap(finding)} differed by {5 + int(r() * 40)}% between groups. "
                f"The results show how {method} can inform work on {subject}."
            )
        topics = _scored(field.topics, r, 1 + int(r() * 3))
        work.update(
            title=title,
            display_name=title,
            primary_topic=topics[0],
            topics=topics,
            keywords=_scored(field.keywords, r, 2 + int(r() * 3)),
            concepts=_scored(field.concepts, r, 4),
            mesh=[],
            sustainable_development_goals=[],
            abstract_inverted_index=abstract,
        )
        return work
