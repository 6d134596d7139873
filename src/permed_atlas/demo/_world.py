"""The fixed pools a demo corpus is drawn from: institutions, research groups, topics, venues.

Ids are derived from names with a stable hash, so every run, on every machine,
gives the same institution, author, journal and topic ids.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from dataclasses import dataclass, field
from typing import Any

from permed_atlas.demo import _vocab as vocab

OA = "https://openalex.org/"
_ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

_PUBLISHERS = (
    "Elsevier BV",
    "Springer Nature",
    "Wiley",
    "Oxford University Press",
    "BMJ",
    "American Medical Association",
    "Frontiers Media",
    "Taylor & Francis",
)


def stable_int(text: str, digits: int) -> int:
    """A number of at most ``digits`` digits derived from ``text``, the same in every run."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    number: int = int.from_bytes(digest, "big") % 10**digits
    return number


def fake_ror(name: str) -> str:
    """A well-formed ROR id (leading 0, six base-32 characters, mod 97 checksum) for a name."""
    number = stable_int("ror:" + name, 9) % 32**6
    body = "0" + "".join(_ROR_ALPHABET[(number >> (5 * k)) & 31] for k in range(5, -1, -1))
    value = 0
    for char in body:
        value = value * 32 + _ROR_ALPHABET.index(char)
    return f"https://ror.org/{body}{98 - (value * 100) % 97:02d}"


def fake_orcid(text: str) -> str:
    """A well-formed ORCID iD (ISO 7064 11,2 check digit) derived from ``text``."""
    number = stable_int("orcid:" + text, 9)
    base = f"000000{1 + number % 3:02d}{number // 10:08d}"  # issued iDs start 0000-0001..0003
    total = 0
    for char in base:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    full = base + ("X" if check == 10 else str(check))
    return "https://orcid.org/" + "-".join(full[k : k + 4] for k in range(0, 16, 4))


def _institution(name: str, kind: str | None, country: str | None) -> dict[str, Any]:
    ident = f"{OA}I{stable_int('inst:' + name, 9) + 1_000_000_000}"
    return {
        "id": ident,
        "display_name": name,
        "ror": fake_ror(name) if country else None,
        "country_code": country,
        "type": kind,
        "lineage": [ident],
    }


class World:
    """The fixed pools a corpus is drawn from: institutions, research groups, venues, topics."""

    def __init__(self, n_works: int) -> None:
        self.topics = build_topics()
        self.topic_index = {topic.key: k for k, topic in enumerate(self.topics)}
        self.institutions: list[
            tuple[str, dict[str, Any], str, float]
        ] = []  # country, dict, city, size
        self.by_country: dict[str, list[int]] = {}
        for country, entries in vocab.INSTITUTIONS.items():
            for name, kind, city, size in entries:
                self.by_country.setdefault(country, []).append(len(self.institutions))
                self.institutions.append((country, _institution(name, kind, country), city, size))
        self.unplaced = [_institution(name, None, None) for name in vocab.UNPLACED_INSTITUTIONS]
        self.inst_cum = {
            c: cumulative([self.institutions[i][3] for i in idx])
            for c, idx in self.by_country.items()
        }
        # More works, more groups: keeps papers per author plausible at any corpus size.
        scale = max(1.0, n_works / 20_000)
        self.labs: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.lab_topics: list[list[int]] = []
        self.labs_by_topic: list[dict[int, list[int]]] = []
        for inst_idx, (country, _, _, size) in enumerate(self.institutions):
            count = min(9999, max(2, round(size * scale)))
            weights = [t.country_factor(country) * (t.weight[0] + t.weight[1]) for t in self.topics]
            cum = cumulative(weights)
            topics_of_labs = [
                random.Random(f"lab-topic:{inst_idx}:{lab}").choices(
                    range(len(weights)), cum_weights=cum
                )[0]
                for lab in range(count)
            ]
            self.lab_topics.append(topics_of_labs)
            index: dict[int, list[int]] = {}
            for lab, topic in enumerate(topics_of_labs):
                index.setdefault(topic, []).append(lab)
            self.labs_by_topic.append(index)

    def pick_institution(self, rng: random.Random, country: str) -> int:
        cum = self.inst_cum[country]
        return self.by_country[country][bisect(cum, rng.random() * cum[-1])]

    def pick_lab(self, rng: random.Random, inst_idx: int, topic: int) -> tuple[int, int]:
        labs = self.labs_by_topic[inst_idx].get(topic)
        if labs is None:  # the institution has no group on this topic: a group works off its focus
            return inst_idx, int(rng.random() * len(self.lab_topics[inst_idx]))
        return inst_idx, labs[int(rng.random() * len(labs))]

    def members(self, lab: tuple[int, int]) -> list[dict[str, Any]]:
        """The group's members as authorship parts; built on first use, the same in every run."""
        found = self.labs.get(lab)
        if found is None:
            found = self.labs[lab] = self._build_lab(*lab)
        return found

    def _build_lab(self, inst_idx: int, lab: int) -> list[dict[str, Any]]:
        rng = random.Random(f"lab:{inst_idx}:{lab}")
        country, inst, city, _ = self.institutions[inst_idx]
        topic = self.topics[self.lab_topics[inst_idx][lab]]
        culture = vocab.CULTURE[country]
        country_name = vocab.COUNTRY_NAMES[country]
        members = []
        for member in range(rng.randint(5, 12)):
            roll = rng.random()
            name_culture = (
                culture if roll < 0.82 else "zh" if roll < 0.92 else rng.choice(list(vocab.GIVEN))
            )
            given = rng.choice(vocab.GIVEN[name_culture])
            family = rng.choice(vocab.FAMILY[name_culture])
            name = f"{given} {family}"
            if rng.random() < 0.3:
                name = f"{given} {chr(65 + rng.randrange(26))}. {family}"
            author_id = f"{OA}A5{inst_idx:03d}{lab:04d}{member:02d}"
            orcid = fake_orcid(author_id) if rng.random() < 0.55 else None
            raw = f"{topic.dept}, {inst['display_name']}, {city}, {rng.choice(country_name)}"
            institutions = [inst]
            raws = [raw]
            if rng.random() < 0.1:
                if rng.random() < 0.08:  # ~1% of people: an institution OpenAlex cannot place
                    second = rng.choice(self.unplaced)
                    second_raw = f"{second['display_name']}, {city}"
                else:
                    other = self.institutions[rng.choice(self.by_country[country])]
                    second = other[1]
                    second_raw = f"{second['display_name']}, {other[2]}, {country_name[0]}"
                if second is not inst:
                    institutions.append(second)
                    raws.append(second_raw)
            members.append(
                {
                    "author": {"id": author_id, "display_name": name, "orcid": orcid},
                    "institutions": institutions,
                    "countries": [country],
                    "raw_author_name": name,
                    "raw_affiliation_strings": raws,
                    "raw_orcid": orcid,
                    "affiliations": [
                        {"raw_affiliation_string": text, "institution_ids": [i["id"]]}
                        for text, i in zip(raws, institutions, strict=True)
                    ],
                }
            )
        return members


def cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _issn(name: str) -> str:
    digits = f"{stable_int('issn:' + name, 7):07d}"
    check = (11 - sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def make_source(name: str, kind: str = "journal") -> dict[str, Any]:
    publisher = _PUBLISHERS[stable_int("pub:" + name, 6) % len(_PUBLISHERS)]
    pub_id = f"{OA}P4310{stable_int('pubid:' + publisher, 6):06d}"
    issn = _issn(name) if kind == "journal" else None
    return {
        "id": f"{OA}S{stable_int('src:' + name, 9) + 100_000_000}",
        "display_name": name,
        "issn_l": issn,
        "issn": [issn] if issn else None,
        "is_oa": False,
        "is_in_doaj": False,
        "is_core": kind == "journal",
        "host_organization": pub_id,
        "host_organization_name": publisher,
        "host_organization_lineage": [pub_id],
        "host_organization_lineage_names": [publisher],
        "type": kind,
    }


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


@dataclass
class Topic:
    """One PM topic of the generator with its prebuilt OpenAlex objects."""

    key: str
    weight: tuple[float, float]
    dept: str
    topics: list[dict[str, Any]]
    concepts: list[dict[str, Any]]
    keywords: list[dict[str, Any]]
    mesh: list[dict[str, Any]]
    subjects: tuple[str, ...]
    approaches: tuple[str, ...]
    markers: tuple[str, ...]
    outcomes: tuple[str, ...]
    venues: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # source, DOI prefix

    def country_factor(self, country: str) -> float:
        """How much more (or less) often groups in this country work on this topic."""
        if self.key == "tcm":
            return {"CN": 6.0, "HK": 3.0, "SG": 1.5, "JP": 1.0, "KR": 1.0}.get(country, 0.08)
        if self.key == "infectious" and country in {"CN", "IN", "BR"}:
            return 1.5
        return 1.0


def build_topics() -> list[Topic]:
    """The generator's topics with their OpenAlex topic, concept, keyword, MeSH, venue objects."""
    built = []
    for spec in vocab.TOPICS:
        topic_dicts = []
        for number, name, sub_key in spec["topics"]:
            sub_id, sub_name, field_id, field_name, dom_id, dom_name = vocab.SUBFIELDS[sub_key]
            topic_dicts.append(
                {
                    "id": f"{OA}T{number}",
                    "display_name": name,
                    "score": 0.0,
                    "subfield": {"id": f"{OA}subfields/{sub_id}", "display_name": sub_name},
                    "field": {"id": f"{OA}fields/{field_id}", "display_name": field_name},
                    "domain": {"id": f"{OA}domains/{dom_id}", "display_name": dom_name},
                }
            )
        concepts = [
            {
                "id": f"{OA}{cid}",
                "wikidata": f"https://www.wikidata.org/wiki/{qid}",
                "display_name": name,
                "level": level,
                "score": 0.0,
            }
            for cid, name, level, qid in spec["concepts"]
        ]
        keywords = [
            {"id": f"{OA}keywords/{_slug(name)}", "display_name": name, "score": 0.0}
            for name in spec["keywords"]
        ]
        mesh = [
            {
                "descriptor_ui": ui,
                "descriptor_name": name,
                "qualifier_ui": q_ui,
                "qualifier_name": q_name,
                "is_major_topic": True,
            }
            for ui, name, q_ui, q_name in spec["mesh"]
        ]
        venues = [
            (make_source(name), 1000 + stable_int("doi:" + name, 4) % 9000)
            for name in spec["venues"]
        ]
        built.append(
            Topic(
                key=str(spec["key"]),
                weight=spec["weight"],
                dept=str(spec["dept"]),
                topics=topic_dicts,
                concepts=concepts,
                keywords=keywords,
                mesh=mesh,
                subjects=spec["subjects"],
                approaches=spec["approaches"],
                markers=spec["markers"],
                outcomes=spec["outcomes"],
                venues=venues,
            )
        )
    return built
