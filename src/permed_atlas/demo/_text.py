"""Building one synthetic OpenAlex work: titles, abstracts, terms, venue and ids.

Everything reusable (topic, concept, keyword, MeSH and source objects) is built
once and shared between records; orjson writes shared objects as often as they
appear, and sharing is what makes a million works cheap to generate.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import orjson

from permed_atlas.demo import _vocab as vocab
from permed_atlas.demo._phrases import Words, make_abstract, make_title, pick, pm_phrase
from permed_atlas.demo._world import Topic, make_source, stable_int
from permed_atlas.landscape import SYNTHETIC_MARKER

T = TypeVar("T")
_OA = "https://openalex.org/"
_HUMANS = {
    "descriptor_ui": "D006801",
    "descriptor_name": "Humans",
    "qualifier_ui": None,
    "qualifier_name": None,
    "is_major_topic": False,
}
_AGE_SEX = tuple(
    {
        "descriptor_ui": ui,
        "descriptor_name": name,
        "qualifier_ui": None,
        "qualifier_name": None,
        "is_major_topic": False,
    }
    for ui, name in (
        ("D005260", "Female"),
        ("D008297", "Male"),
        ("D008875", "Middle Aged"),
        ("D000328", "Adult"),
        ("D000368", "Aged"),
        ("D012189", "Retrospective Studies"),
        ("D016896", "Treatment Outcome"),
    )
)
_PRECISION_MESH = {
    "descriptor_ui": "D057285",
    "descriptor_name": "Precision Medicine",
    "qualifier_ui": "Q000379",
    "qualifier_name": "methods",
    "is_major_topic": True,
}
_MEDICINE = {
    "id": f"{_OA}C71924100",
    "wikidata": "https://www.wikidata.org/wiki/Q11190",
    "display_name": "Medicine",
    "level": 0,
    "score": 0.0,
}
_SDG3 = [
    {
        "id": "https://metadata.un.org/sdg/3",
        "display_name": "Good health and well-being",
        "score": 0.0,
    }
]
_AUTHORSHIP_TAIL = ("raw_author_name", "raw_affiliation_strings", "raw_orcid", "affiliations")
_OA_STATUS = ("gold", "green", "hybrid", "bronze", "diamond")
_TYPES = (
    ("article", 0.86),
    ("review", 0.08),
    ("preprint", 0.03),
    ("letter", 0.015),
    ("editorial", 0.01),
    ("book-chapter", 0.005),
)
_TYPE_CUM = [sum(w for _, w in _TYPES[: k + 1]) for k in range(len(_TYPES))]
_PREPRINT_SERVERS = (
    "medRxiv (Cold Spring Harbor Laboratory)",
    "bioRxiv (Cold Spring Harbor Laboratory)",
    "Research Square (Research Square)",
)


def _scored(obj: dict[str, Any], score: float) -> dict[str, Any]:
    copy = dict(obj)
    copy["score"] = score
    return copy


def _run(r: Callable[[], float], seq: Sequence[T], count: int) -> list[T]:
    """``count`` distinct items (at most all), consecutive from a random start."""
    size = len(seq)
    start = int(r() * size)
    return [seq[(start + k) % size] for k in range(min(count, size))]


class TextMaker:
    """Turns drawn facts (year, topic, country, authors) into one OpenAlex work record."""

    def __init__(self, topics: list[Topic], *, fragments: bool = False) -> None:
        self.topics = topics
        # With fragments, shared objects are serialised once and embedded as bytes:
        # the same output, several times faster to write. Only the writer asks for it.
        self.fragments = fragments
        self._frags: dict[Any, Any] = {}
        self._topic_cum: dict[tuple[int, str], list[float]] = {}
        self._preprints = [(make_source(name, "repository"), 1101) for name in _PREPRINT_SERVERS]
        self._pm_kw = {
            "id": f"{_OA}keywords/precision-medicine",
            "display_name": "Precision medicine",
            "score": 0.0,
        }
        # Scores vary per record in real data; a few fixed variants keep objects shareable.
        self._score_variants: dict[int, list[Any]] = {}

    def pick_topic(self, rng: random.Random, year: int, country: str) -> int:
        cum = self._topic_cum.get((year, country))
        if cum is None:
            share = min(1.0, max(0.0, (year - 2000) / 25))
            total, cum = 0.0, []
            for topic in self.topics:
                total += (
                    topic.weight[0] + (topic.weight[1] - topic.weight[0]) * share
                ) * topic.country_factor(country)
                cum.append(total)
            self._topic_cum[(year, country)] = cum
        return bisect(cum, rng.random() * cum[-1])

    def _shared(self, obj: dict[str, Any]) -> Any:
        if not self.fragments:
            return obj
        found = self._frags.get(id(obj))
        if found is None:
            found = self._frags[id(obj)] = orjson.Fragment(orjson.dumps(obj))
        return found

    def _variant(self, obj: dict[str, Any], rank: int) -> Any:
        """``obj`` with a score that falls with its rank (the objects live as long as ``obj``)."""
        variants = self._score_variants.get(id(obj))
        if variants is None:
            name = str(obj.get("id") or obj.get("descriptor_ui"))
            base = 0.55 + (stable_int(name, 3) % 400) / 1000
            scored = [_scored(obj, round(base - 0.08 * r, 4)) for r in range(6)]
            variants = scored
            if self.fragments:
                variants = [orjson.Fragment(orjson.dumps(s)) for s in scored]
            self._score_variants[id(obj)] = variants
        return variants[rank if rank < 5 else 5]

    def _authorship(self, member: dict[str, Any], position: str, corresponding: bool) -> Any:
        if self.fragments:
            parts = member.get("_json")
            if parts is None:
                # Serialised once per person; each authorship only splices in its position.
                head = {k: member[k] for k in ("author", "institutions", "countries")}
                tail = {k: member[k] for k in _AUTHORSHIP_TAIL}
                parts = member["_json"] = (orjson.dumps(head)[1:-1], orjson.dumps(tail)[1:-1])
            flag = b"true" if corresponding else b"false"
            return orjson.Fragment(
                b'{"author_position":"%s",%s,"is_corresponding":%s,%s}'
                % (position.encode(), parts[0], flag, parts[1])
            )
        return {
            "author_position": position,
            "author": member["author"],
            "institutions": member["institutions"],
            "countries": member["countries"],
            "is_corresponding": corresponding,
            "raw_author_name": member["raw_author_name"],
            "raw_affiliation_strings": member["raw_affiliation_strings"],
            "raw_orcid": member["raw_orcid"],
            "affiliations": member["affiliations"],
        }

    def work(
        self,
        rng: random.Random,
        serial: int,
        year: int,
        topic_idx: int,
        country: str,
        team: list[tuple[dict[str, Any], str, bool]],
    ) -> dict[str, Any]:
        """One OpenAlex work record.

        :param rng: the chunk's random stream.
        :param serial: the work's number, unique across seeds; its ids derive from it.
        :param year: publication year.
        :param topic_idx: index into the topics.
        :param country: the lead country (phrases such as "in China" follow it).
        :param team: the authors as (group member, author position, is corresponding).
        """
        topic = self.topics[topic_idx]
        r = rng.random
        pm = pm_phrase(r, year)
        words = Words(
            subject=pick(r, topic.subjects),
            approach=pick(r, topic.approaches),
            marker=pick(r, topic.markers),
            outcome=pick(r, topic.outcomes),
            design=pick(r, vocab.STUDY_DESIGNS),
            where="China"
            if country in vocab.CHINA_SIDE
            else "Europe"
            if country in vocab.EU27
            else "a multinational cohort",
        )
        title = make_title(r, words, pm)
        abstract = make_abstract(r, words, pm)
        return self._record(rng, serial, year, topic, title, abstract, pm, team, country)

    def _subjects(
        self,
        r: Callable[[], float],
        topic: Topic,
        pm: str | None,
        pmid: str | None,
        year: int,
    ) -> tuple[list[Any], list[Any], list[Any], list[dict[str, Any]]]:
        """Topics, keywords, concepts and (for PubMed works) MeSH terms of one work."""
        topic_objs = [
            self._variant(t, k) for k, t in enumerate(_run(r, topic.topics, 1 + int(r() * 3)))
        ]
        keywords = [
            self._variant(kw, k) for k, kw in enumerate(_run(r, topic.keywords, 2 + int(r() * 3)))
        ]
        if pm:
            keywords.insert(0, self._variant(self._pm_kw, 0))
        concepts = [self._variant(_MEDICINE, 0)]
        concepts += [self._variant(c, k + 1) for k, c in enumerate(_run(r, topic.concepts, 3))]
        mesh: list[dict[str, Any]] = []
        if pmid:
            mesh = [
                _HUMANS,
                *_run(r, topic.mesh, 1 + int(r() * 3)),
                *_run(r, _AGE_SEX, 1 + int(r() * 4)),
            ]
            if pm and year >= 2015:
                mesh.insert(1, _PRECISION_MESH)
            mesh = [self._shared(m) for m in mesh]
        return topic_objs, keywords, concepts, mesh

    def _location(
        self,
        r: Callable[[], float],
        serial: int,
        kind: str,
        source: dict[str, Any],
        doi: str | None,
        pmid: str | None,
        is_oa: bool,
        landing: str | None,
    ) -> dict[str, Any]:
        """The work's primary (and only) location."""
        return {
            "id": f"doi:{doi[16:]}" if doi else f"pmid:{pmid}" if pmid else f"mag:{serial}",
            "is_oa": is_oa,
            "landing_page_url": landing,
            "pdf_url": None,
            "source": self._shared(source) if r() > 0.03 else None,
            "license": "cc-by" if is_oa else None,
            "license_id": f"{_OA}licenses/cc-by" if is_oa else None,
            "version": "submittedVersion" if kind == "preprint" else "publishedVersion",
            "is_accepted": kind != "preprint",
            "is_published": kind != "preprint",
            "raw_source_name": source["display_name"],
            "raw_type": "posted-content" if kind == "preprint" else "journal-article",
        }

    def _team(self, team: list[tuple[dict[str, Any], str, bool]]) -> dict[str, Any]:
        """The fields of a work that its authors give, in the schema's key order."""
        countries = {c for m, _, _ in team for c in m["countries"]}
        institutions = {i["id"] for m, _, _ in team for i in m["institutions"]}
        last = team[-1][0] if team else None
        return {
            "authorships": [self._authorship(m, position, corr) for m, position, corr in team],
            "institutions": [],
            "countries_distinct_count": len(countries),
            "institutions_distinct_count": len(institutions),
            "corresponding_author_ids": [last["author"]["id"]] if last else [],
            "corresponding_institution_ids": [i["id"] for i in last["institutions"]]
            if last
            else [],
        }

    def _record(
        self,
        rng: random.Random,
        serial: int,
        year: int,
        topic: Topic,
        title: str | None,
        abstract: dict[str, list[int]] | None,
        pm: str | None,
        team: list[tuple[dict[str, Any], str, bool]],
        country: str,
    ) -> dict[str, Any]:
        r = rng.random
        work_id = f"{_OA}W{5_000_000_000 + serial}"
        kind = _TYPES[bisect(_TYPE_CUM, r() * _TYPE_CUM[-1])][0]
        source, prefix = pick(r, self._preprints if kind == "preprint" else topic.venues)
        month, day = 1 + int(r() * 12), 1 + int(r() * 28)
        doi, pmid, ids = _identifiers(r, work_id, serial, year, kind, source, prefix)
        is_oa = r() < 0.2 + 0.4 * max(0, year - 2000) / 25
        landing = doi or (f"https://pubmed.ncbi.nlm.nih.gov/{pmid}" if pmid else None)
        location = self._location(r, serial, kind, source, doi, pmid, is_oa, landing)
        age = 2026 - year
        cited = int(rng.expovariate(1.0) * age * 2.5 * (1.4 if len(team) > 6 else 1.0))
        percentile = min(0.999, cited / (cited + 12 + age)) if cited else 0.0
        topic_objs, keywords, concepts, mesh = self._subjects(r, topic, pm, pmid, year)
        refs = [
            f"{_OA}W{5_000_000_000 + serial - k}"
            for k in range(1, min(serial % 100_000_000, 4) + 1)
        ]
        open_access = {
            "is_oa": is_oa,
            "oa_status": pick(r, _OA_STATUS) if is_oa else "closed",
            "oa_url": landing if is_oa else None,
            "any_repository_has_fulltext": is_oa and r() < 0.5,
        }
        goals = _SDG3 if r() < 0.3 else []
        return {
            SYNTHETIC_MARKER: True,
            "id": work_id,
            "doi": doi,
            "title": title,
            "display_name": title,
            "publication_year": year,
            "publication_date": f"{year}-{month:02d}-{day:02d}",
            "ids": ids,
            "language": "en",
            "primary_location": location,
            "type": kind,
            "indexed_in": [name for name, has in (("crossref", doi), ("pubmed", pmid)) if has],
            "open_access": open_access,
            **self._team(team),
            "apc_list": None,
            "apc_paid": None,
            **_impact(cited, age, percentile, year, serial),
            "is_retracted": False,
            "is_paratext": False,
            "is_xpac": False,
            "primary_topic": topic_objs[0],
            "topics": topic_objs,
            "keywords": keywords,
            "concepts": concepts,
            "mesh": mesh,
            "locations_count": 1,
            "locations": [location],
            "best_oa_location": location if is_oa else None,
            "sustainable_development_goals": goals,
            "awards": [],
            "funders": [],
            "has_content": {"grobid_xml": False, "pdf": False},
            "content_urls": None,
            "referenced_works_count": len(refs),
            "referenced_works": refs,
            "related_works": [],
            "abstract_inverted_index": abstract,
            "counts_by_year": [{"year": 2025, "cited_by_count": cited // 4}] if cited >= 4 else [],
            "updated_date": "2025-11-01T08:00:00.000000",
            "created_date": f"{year}-{month:02d}-{day:02d}T00:00:00"
            if year >= 2016
            else "2016-06-24T00:00:00",
        }


def _identifiers(
    r: Callable[[], float],
    work_id: str,
    serial: int,
    year: int,
    kind: str,
    source: dict[str, Any],
    prefix: int,
) -> tuple[str | None, str | None, dict[str, str]]:
    """The DOI (most works), PMID (most non-preprints) and the ids object naming them."""
    doi = (
        None
        if r() < 0.08
        else f"https://doi.org/10.{prefix}/{source['display_name'][:3].lower().strip()}.{year}.{serial:07d}"
    )
    pmid = str(100_000_000 + serial) if kind != "preprint" and r() < 0.75 else None
    ids: dict[str, str] = {"openalex": work_id}
    if doi:
        ids["doi"] = doi
    if pmid:
        ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}"
    return doi, pmid, ids


def _impact(cited: int, age: int, percentile: float, year: int, serial: int) -> dict[str, Any]:
    """Citation figures and bibliographic numbers, in the schema's key order."""
    return {
        "fwci": round(cited / (age * 2.5), 3) if cited else 0.0,
        "has_fulltext": False,
        "cited_by_count": cited,
        "citation_normalized_percentile": {
            "value": round(percentile, 6),
            "is_in_top_1_percent": percentile > 0.99,
            "is_in_top_10_percent": percentile > 0.9,
        },
        "cited_by_percentile_year": {
            "min": int(percentile * 100),
            "max": min(100, int(percentile * 100) + 1),
        },
        "biblio": {
            "volume": str(year - 1980 + (serial % 7)),
            "issue": str(1 + serial % 12),
            "first_page": str(1 + serial % 900),
            "last_page": str(10 + serial % 900),
        },
    }
