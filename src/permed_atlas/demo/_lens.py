"""Synthetic Lens.org patent records (Lens export JSON Lines) for the demo corpus.

Records have the shape of the real Lens export (see the shared Lens sample):
``lens_id``, ``jurisdiction``, ``doc_number``, ``kind``, ``date_published``,
``biblio.parties`` with applicants' and inventors' residence,
``biblio.priority_claims``, ``families.simple_family``, CPC and IPCR classes,
``invention_title`` and ``abstract``. Applicants are European, Chinese and US
organisations (names in Lens's upper-case abbreviated style); a growing share
of applications are joint EU–China filings. One record per patent family.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from permed_atlas.demo import _vocab as vocab
from permed_atlas.demo._checks import check_count_and_seed
from permed_atlas.demo._io import write_jsonl
from permed_atlas.landscape import SYNTHETIC_MARKER

APPLICANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "EU": (
        ("ROCHE DIAGNOSTICS GMBH", "DE"),
        ("QIAGEN GMBH", "DE"),
        ("BAYER AG", "DE"),
        ("SIEMENS HEALTHINEERS AG", "DE"),
        ("DEUTSCHES KREBSFORSCH", "DE"),
        ("CHARITE UNIVERSITAETSMEDIZIN BERLIN", "DE"),
        ("SANOFI SA", "FR"),
        ("INST NAT SANTE RECH MED", "FR"),
        ("INST CURIE", "FR"),
        ("ASSIST PUBLIQUE HOPITAUX PARIS", "FR"),
        ("KONINKLIJKE PHILIPS NV", "NL"),
        ("ACADEMISCH ZIEKENHUIS LEIDEN", "NL"),
        ("UNIV LEUVEN KATH", "BE"),
        ("ASTRAZENECA AB", "SE"),
        ("KAROLINSKA INST INNOVATIONS AB", "SE"),
        ("NOVO NORDISK AS", "DK"),
        ("UNIV DEGLI STUDI MILANO", "IT"),
        ("FUNDACIO PRIVADA INST DINVESTIGACIO ONCOLOGICA DE VALL DHEBRON", "ES"),
        ("MEDIZINISCHE UNIV WIEN", "AT"),
        ("UNIV HELSINKI", "FI"),
    ),
    "CN": (
        ("BGI SHENZHEN CO LTD", "CN"),
        ("UNIV ZHEJIANG", "CN"),
        ("UNIV FUDAN", "CN"),
        ("UNIV SUN YAT SEN", "CN"),
        ("UNIV PEKING", "CN"),
        ("UNIV SHANGHAI JIAOTONG SCHOOL OF MEDICINE", "CN"),
        ("JIANGSU HENGRUI MEDICINE CO", "CN"),
        ("BEIGENE LTD", "CN"),
        ("GENETRON HEALTH BEIJING CO LTD", "CN"),
        ("WEST CHINA HOSPITAL SICHUAN UNIV", "CN"),
        ("BEIJING UNIV OF CHINESE MEDICINE", "CN"),
        ("BURNING ROCK BIOTECH CO LTD", "CN"),
    ),
    "US": (
        ("ILLUMINA INC", "US"),
        ("FOUNDATION MEDICINE INC", "US"),
        ("GUARDANT HEALTH INC", "US"),
        ("GENENTECH INC", "US"),
        ("UNIV CALIFORNIA", "US"),
        ("BROAD INST INC", "US"),
        ("MAYO FOUND MEDICAL EDUCATION & RES", "US"),
        ("UNIV JOHNS HOPKINS", "US"),
        ("MEMORIAL SLOAN KETTERING CANCER CENTER", "US"),
    ),
    "OTHER": (
        ("TAKEDA PHARMACEUTICALS CO", "JP"),
        ("SAMSUNG LIFE PUBLIC WELFARE FOUNDATION", "KR"),
        ("NOVARTIS AG", "CH"),
        ("UNIV TOKYO", "JP"),
    ),
}
# (CPC symbols, IPCR symbols, title template); {s} subject, {m} marker, {a} approach.
CLASSES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        ("C12Q1/6886", "C12Q2600/106", "C12Q2600/156"),
        ("C12Q1/6886",),
        "Method for predicting response to {a} in {s} based on {m}",
    ),
    (
        ("G01N33/57423", "G01N33/6893"),
        ("G01N33/574",),
        "Kit for detecting {m} and use thereof in diagnosing {s}",
    ),
    (
        ("G16H50/20", "G16H50/30", "G06N3/08"),
        ("G16H50/20", "G06N3/08"),
        "System and method for risk prediction of {s} using {a}",
    ),
    (
        ("C12Q1/6883", "C12Q2600/156"),
        ("C12Q1/6883",),
        "Genetic marker panel for {s} and application thereof",
    ),
    (
        ("A61K39/3955", "A61P35/00"),
        ("A61K39/395", "A61P35/00"),
        "Combination therapy comprising {a} for treating {s}",
    ),
    (
        ("A61K36/00", "A61P3/10"),
        ("A61K36/00",),
        "Traditional Chinese medicine composition for treating {s}",
    ),
    (("G16B20/00", "G16B40/00"), ("G16B20/00",), "Method for analysing {m} from sequencing data"),
)
_JURISDICTIONS = {
    "EU": (("EP", 0.5), ("WO", 0.2), ("DE", 0.15), ("US", 0.15)),
    "CN": (("CN", 0.7), ("WO", 0.15), ("EP", 0.1), ("US", 0.05)),
    "US": (("US", 0.6), ("WO", 0.25), ("EP", 0.15)),
    "OTHER": (("WO", 0.5), ("US", 0.3), ("EP", 0.2)),
    "EU_CN": (("EP", 0.45), ("WO", 0.35), ("CN", 0.2)),
}
_LANG = {"CN": "zh", "DE": "de"}
_SERIAL_STRIDE = 10_000_000


def _lens_id(number: int) -> str:
    # A bijection on 15-digit numbers (multiplier coprime to 10**15) scatters ids like real ones.
    scrambled = (number * 7_919_213_091 + 104_729) % 10**15
    digits = f"{scrambled:015d}"
    return "-".join(digits[k : k + 3] for k in range(0, 15, 3))


def _doc_number(jurisdiction: str, year: int, serial: int) -> tuple[str, str]:
    tail = serial % _SERIAL_STRIDE
    if jurisdiction == "EP":
        return f"{3_000_000 + tail % 1_000_000 + (year % 10) * 100_000:07d}"[-7:], "A1"
    if jurisdiction == "CN":
        return f"1{(year - 2000) * 1_000_000 + tail:08d}"[-9:], "A"
    if jurisdiction == "US":
        return f"{year}{tail:07d}", "A1"
    if jurisdiction == "WO":
        return f"{year}{tail:06d}", "A1"
    return f"10{year % 100:02d}{tail:07d}", "A1"


def generate_lens_patents(n: int, *, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic Lens patent records, one per family, deterministic for a seed.

    :param n: how many patents (0 to 10,000,000).
    :param seed: the same seed gives the same records; different seeds give distinct ids.
    """
    check_count_and_seed(n, seed, most=_SERIAL_STRIDE)
    rng = random.Random(f"lens:{seed}")
    years = list(range(2000, 2026))
    # Every draw from rng happens here or in a helper called here, in one fixed order: the
    # same seed must give the same records.
    for index in range(n):
        serial = seed * _SERIAL_STRIDE + index
        year = rng.choices(years, [1.09 ** (y - 2000) for y in years])[0]
        joint, group, applicants = _applicants(rng, year)
        jurisdiction = rng.choices(*zip(*_JURISDICTIONS[group], strict=True))[0]
        invention = _invention(rng)
        prio = _day(rng, year)
        pub_year = year + rng.choice((1, 1, 2))
        published = _day(rng, pub_year)
        residence_known = jurisdiction != "CN" or joint or rng.random() < 0.5
        parties = _parties(rng, applicants, residence_known=residence_known)
        granted = pub_year < 2022 and rng.random() < 0.5
        first = applicants[0][1]
        prio_jurisdiction = first if first in {"CN", "US", "DE", "FR", "JP", "KR"} else "EP"
        filing = _Filing(serial, jurisdiction, prio, published, prio_jurisdiction)
        yield _record(filing, invention, parties, granted=granted)


def _day(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _applicants(rng: random.Random, year: int) -> tuple[bool, str, list[tuple[str, str]]]:
    """Whether the filing is a joint EU–China one, the applicants' group and the applicants."""
    joint = rng.random() < 0.03 + 0.06 * (year - 2000) / 25
    if joint:
        applicants = [rng.choice(APPLICANTS["EU"]), rng.choice(APPLICANTS["CN"])]
        rng.shuffle(applicants)
        return joint, "EU_CN", applicants
    group = rng.choices(["EU", "CN", "US", "OTHER"], [3, 1 + 4 * (year - 2000) / 25, 4, 1])[0]
    return joint, group, rng.sample(APPLICANTS[group], 1 if rng.random() < 0.8 else 2)


class _Invention(NamedTuple):
    """What is claimed: a title, an abstract and the CPC and IPCR classes."""

    title: str
    abstract: str
    cpc: tuple[str, ...]
    ipcr: tuple[str, ...]


def _invention(rng: random.Random) -> _Invention:
    """A topic's subject, marker and approach, with classes and a title that fit them."""
    topics = vocab.TOPICS
    spec = topics[rng.randrange(len(topics))]
    cpc, ipcr, template = rng.choice(CLASSES)
    if spec["key"] == "tcm" and "Chinese" not in template and rng.random() < 0.7:
        cpc, ipcr, template = CLASSES[5]
    subject = rng.choice(spec["subjects"])
    marker = rng.choice(spec["markers"])
    approach = rng.choice(spec["approaches"])
    title = template.format(s=subject, m=marker, a=approach)
    if rng.random() < 0.4:
        title = title.upper()
    abstract = (
        f"The invention relates to {approach} for {subject}. "
        f"{marker.capitalize()} "
        f"is measured in a sample from the patient and used to select treatment."
    )
    return _Invention(title, abstract, cpc, ipcr)


def _parties(
    rng: random.Random, applicants: list[tuple[str, str]], *, residence_known: bool
) -> dict[str, list[dict[str, Any]]]:
    """``biblio.parties``: the applicants, and one to six inventors from their countries."""
    parties: dict[str, list[dict[str, Any]]] = {
        "applicants": [
            ({"residence": country} if residence_known else {})
            | {"extracted_name": {"value": name}}
            for name, country in applicants
        ],
        "inventors": [],
    }
    for seq in range(1, rng.randint(1, 6) + 1):
        name_country = applicants[(seq - 1) % len(applicants)][1]
        culture = vocab.CULTURE.get(name_country, "en")
        name = f"{rng.choice(vocab.FAMILY[culture])} {rng.choice(vocab.GIVEN[culture])}".upper()
        inventor: dict[str, Any] = {"residence": name_country} if residence_known else {}
        parties["inventors"].append(inventor | {"sequence": seq, "extracted_name": {"value": name}})
    return parties


class _Filing(NamedTuple):
    """Where and when the application was filed and published."""

    serial: int
    jurisdiction: str
    prio: str  # the priority date, YYYY-MM-DD
    published: str  # the publication date
    prio_jurisdiction: str


def _record(
    filing: _Filing, invention: _Invention, parties: dict[str, Any], *, granted: bool
) -> dict[str, Any]:
    """One Lens export record (no random draws: everything random is decided already)."""
    jurisdiction, published = filing.jurisdiction, filing.published
    doc_number, kind = _doc_number(jurisdiction, int(published[:4]), filing.serial)
    lens_id = _lens_id(filing.serial)
    member = {
        "document_id": {
            "jurisdiction": jurisdiction,
            "doc_number": doc_number,
            "kind": kind,
            "date": published,
        },
        "lens_id": lens_id,
    }
    family = {"members": [member], "size": 1}
    return {
        SYNTHETIC_MARKER: True,
        "lens_id": lens_id,
        "jurisdiction": jurisdiction,
        "doc_number": doc_number,
        "kind": kind,
        "date_published": published,
        "doc_key": f"{jurisdiction}_{doc_number}_{kind}_{published.replace('-', '')}",
        "docdb_id": 400_000_000 + filing.serial,
        "lang": _LANG.get(jurisdiction, "en"),
        "biblio": _biblio(filing, invention, parties, doc_number=doc_number, kind=kind),
        "families": {"simple_family": family, "extended_family": family},
        "legal_status": {
            "calculation_log": [f"Application Filing Date: {filing.prio}"],
            "patent_status": "ACTIVE" if granted else "PENDING",
        }
        | ({"granted": True} if granted else {}),
        "abstract": [{"text": invention.abstract, "lang": "en"}],
        "publication_type": "PATENT_APPLICATION",
    }


def _biblio(
    filing: _Filing,
    invention: _Invention,
    parties: dict[str, Any],
    *,
    doc_number: str,
    kind: str,
) -> dict[str, Any]:
    """The record's ``biblio``: references, priority claim, title, parties and classes."""
    prio, serial = filing.prio, filing.serial
    year = int(prio[:4])
    return {
        "publication_reference": {
            "jurisdiction": filing.jurisdiction,
            "doc_number": doc_number,
            "kind": kind,
            "date": filing.published,
        },
        "application_reference": {
            "jurisdiction": filing.jurisdiction,
            "doc_number": f"{year}{serial % _SERIAL_STRIDE:08d}",
            "kind": "A",
            "date": prio,
        },
        "priority_claims": {
            "claims": [
                {
                    "jurisdiction": filing.prio_jurisdiction,
                    "doc_number": f"{year}{serial % _SERIAL_STRIDE:07d}",
                    "kind": "A",
                    "date": prio,
                    "sequence": 1,
                }
            ],
            "earliest_claim": {"date": prio},
        },
        "invention_title": [{"text": invention.title, "lang": "en"}],
        "parties": parties,
        "classifications_cpc": {"classifications": [{"symbol": s} for s in invention.cpc]},
        "classifications_ipcr": {"classifications": [{"symbol": s} for s in invention.ipcr]},
        "cited_by": {},
    }


def write_lens_jsonl(
    path: Path | str,
    n: int,
    *,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    compresslevel: int = 6,
) -> int:
    """Write ``n`` generated Lens patent records as JSON Lines; return ``n``.

    :param path: the output file; gzipped when its name ends in ``.gz``.
    :param n: how many patents.
    :param seed: the same seed writes the same file.
    :param progress: called with the number written so far.
    :param compresslevel: gzip level when gzipped.
    """
    records = generate_lens_patents(n, seed=seed)
    return write_jsonl(path, records, progress=progress, compresslevel=compresslevel)
