"""Regenerate the demo study's synthetic panel and ratings (run by hand; seed fixed).

``python -m permed_atlas.demo.delphi_panel`` rewrites data/delphi/demo_panel.csv and
data/delphi/demo_ratings.csv. Nothing here runs when the demo is loaded.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import yaml

from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.delphi import ConsensusRule, summarise_ratings

SEED = 2026
FIRST = [
    "Anna",
    "Lukas",
    "Sofia",
    "Matteo",
    "Claire",
    "Jan",
    "Elena",
    "Pieter",
    "Marta",
    "Nils",
    "Ines",
    "Tomas",
    "Katarzyna",
    "Jonas",
    "Laura",
    "Mikko",
    "Aoife",
    "Rui",
    "Eva",
    "Dimitris",
]
LAST = [
    "Berger",
    "Schmidt",
    "Rossi",
    "Conti",
    "Martin",
    "de Vries",
    "Garcia",
    "Janssens",
    "Nowak",
    "Lindqvist",
    "Ferreira",
    "Novak",
    "Kowalska",
    "Hansen",
    "Moreau",
    "Virtanen",
    "Byrne",
    "Costa",
    "Horvath",
    "Papadopoulos",
]
EU_COUNTRIES = [
    "AT",
    "DE",
    "IT",
    "IT",
    "FR",
    "NL",
    "ES",
    "BE",
    "PL",
    "SE",
    "PT",
    "CZ",
    "PL",
    "DK",
    "FR",
    "FI",
    "IE",
    "PT",
    "HU",
    "GR",
]
CN_NAMES = [
    "Wang Lei",
    "Li Na",
    "Zhang Wei",
    "Liu Yang",
    "Chen Jing",
    "Yang Fan",
    "Huang Min",
    "Zhao Qiang",
    "Wu Xia",
    "Zhou Jie",
    "Xu Ming",
    "Sun Li",
    "Ma Hui",
    "Zhu Hong",
    "Hu Bin",
    "Guo Yan",
]
CN_ORGS = [
    "Peking University",
    "Fudan University",
    "Zhejiang University",
    "Sun Yat-sen University",
    "Chinese Academy of Medical Sciences",
    "Shanghai Jiao Tong University",
    "Sichuan University",
    "Hong Kong University",
]
OTHER = [
    ("Ingrid Solberg", "NO"),
    ("Daniel Keller", "CH"),
    ("Oliver Hughes", "GB"),
    ("Maya Rosen", "IL"),
]
EXPERTISE = [
    "clinical genomics",
    "bioinformatics",
    "health policy",
    "biobanking",
    "oncology",
    "health economics",
    "data protection law",
    "pharmacology",
    "public health",
    "medical informatics",
]
# Round-one mean rating per item and region (EU, CN); a few items split the regions on purpose.
MEANS = {
    "P1-01": (4.4, 4.3),
    "P1-02": (4.3, 4.5),
    "P1-03": (4.6, 4.2),
    "P1-04": (4.2, 4.1),
    "P1-05": (3.6, 4.2),
    "P1-06": (2.7, 4.1),
    "P1-07": (1.7, 2.0),
    "P1-08": (4.0, 3.8),
    "P1-09": (3.7, 3.5),
    "P1-10": (3.3, 3.4),
    "P1-11": (4.1, 4.3),
    "P2-01": (4.5, 4.4),
    "P2-02": (4.3, 4.4),
    "P2-03": (4.2, 3.9),
    "P2-04": (3.6, 4.0),
    "P2-05": (3.9, 3.1),
    "P2-06": (4.1, 4.2),
    "P2-07": (3.4, 3.6),
    "P2-08": (2.8, 4.2),
    "P2-09": (4.3, 4.2),
    "P2-10": (4.4, 4.6),
    "P2-11": (4.0, 4.1),
    "P3-01": (4.2, 3.9),
    "P3-02": (4.5, 3.7),
    "P3-03": (4.4, 4.0),
    "P3-04": (3.6, 3.5),
    "P3-05": (3.8, 3.9),
    "P3-06": (4.2, 4.3),
    "P3-07": (4.0, 3.2),
    "P3-08": (2.2, 2.6),
    "P3-09": (4.4, 4.5),
    "P3-10": (3.2, 2.9),
}


def data_path(name: str) -> Path:
    """A file of the bundled Delphi data folder (where the demo study's files live)."""
    return BUNDLED_DATA_DIR / "delphi" / name


def _panel(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    for i in range(20):
        name = f"{FIRST[i]} {LAST[(i * 7) % 20]}"
        rows.append(
            {
                "ref": f"EU{i + 1:02d}",
                "name": name,
                "country": EU_COUNTRIES[i],
                "region": "EU",
                "organisation": f"University hospital {EU_COUNTRIES[i]}-{i + 1}",
            }
        )
    for i, name in enumerate(CN_NAMES):
        country = "HK" if i == 7 else "CN"
        rows.append(
            {
                "ref": f"CN{i + 1:02d}",
                "name": name,
                "country": country,
                "region": "CN",
                "organisation": CN_ORGS[i % len(CN_ORGS)],
            }
        )
    for i, (name, country) in enumerate(OTHER):
        rows.append(
            {
                "ref": f"OT{i + 1:02d}",
                "name": name,
                "country": country,
                "region": "Other",
                "organisation": f"Institute {country}",
            }
        )
    for row in rows:
        local = row["name"].lower().replace(" ", ".").replace("'", "")
        row["email"] = f"{local}.{row['ref'].lower()}@example.org"
        row["expertise"] = rng.choice(EXPERTISE)
    return rows


def _rate(rng: random.Random, mean: float) -> int | None:
    if rng.random() < 0.04:
        return None
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def generate() -> None:
    """Write demo_panel.csv and demo_ratings.csv from the fixed seed."""
    rng = random.Random(SEED)
    panel = _panel(rng)
    study = yaml.safe_load(data_path("demo_study.yaml").read_text(encoding="utf-8"))
    plan = yaml.safe_load(data_path("demo_round2.yaml").read_text(encoding="utf-8"))
    rule = ConsensusRule(**study["consensus"])
    out: list[dict[str, object]] = []
    for survey in study["surveys"]:
        pillar = survey["pillar"]
        first: dict[str, dict[str, int | None]] = {}
        for item in survey["items"]:
            code = item["code"]
            first[code] = {}
            for expert in panel:
                if rng.random() < 0.05:  # some experts skip some items
                    continue
                mean = MEANS[code][0 if expert["region"] != "CN" else 1]
                first[code][expert["ref"]] = _rate(rng, mean)
        decisions = plan[pillar]["decisions"]
        second_codes = [
            code
            for code, ratings in first.items()
            if summarise_ratings(list(ratings.values()), rule=rule).verdict == "none"
            and not decisions.get(code, {}).get("drop")
        ] + [i["code"] for i in plan[pillar]["new_items"]]
        for code, ratings in first.items():
            for ref, value in ratings.items():
                out.append(
                    {
                        "pillar": pillar,
                        "round": 1,
                        "item": code,
                        "expert": ref,
                        "rating": "" if value is None else value,
                        "comment": "",
                    }
                )
        for code in second_codes:
            median = summarise_ratings(list(first.get(code, {}).values()), rule=rule).median
            for expert in panel:
                if rng.random() < 0.08:
                    continue
                earlier = first.get(code, {}).get(expert["ref"])
                mean = MEANS[code][0 if expert["region"] != "CN" else 1] + (
                    0.35 if code in decisions else 0.1
                )
                value = _rate(rng, mean)
                if earlier is not None and median is not None and rng.random() < 0.45:
                    # feedback pulls some experts one step toward the group median
                    value = earlier + (1 if median > earlier else -1 if median < earlier else 0)
                out.append(
                    {
                        "pillar": pillar,
                        "round": 2,
                        "item": code,
                        "expert": expert["ref"],
                        "rating": "" if value is None else value,
                        "comment": "",
                    }
                )
    with data_path("demo_panel.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["ref", "name", "email", "country", "region", "expertise", "organisation"],
        )
        writer.writeheader()
        writer.writerows(panel)
    with data_path("demo_ratings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["pillar", "round", "item", "expert", "rating", "comment"]
        )
        writer.writeheader()
        writer.writerows(out)


if __name__ == "__main__":
    generate()
