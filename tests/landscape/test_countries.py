"""Country of an affiliation string: pycountry names, variants, cities, noise at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.landscape.countries import countries_from_affiliation, country_from_affiliation


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Peking University, Beijing 100871, P.R. China", "CN"),
        ("Harbin Institute of Technology, Harbin 150080, PR China", "CN"),
        ("Jinan University, Guangzhou 510632, P. R. China.", "CN"),
        ("Shaanxi Normal University, Xi'an, Shaanxi, People's Republic of China.", "CN"),
        ("School of Geosciences, Central South University, China.", "CN"),
        ("Beijing Tiantan Hospital, Beijing. Electronic address: liu@bjtth.org.", "CN"),
        ("Shanghai Jiao Tong University, Shanghai, 200240", "CN"),
        ("UCL Institute for Liver Health, London, UK", "GB"),
        ("University of Edinburgh, Edinburgh, Scotland", "GB"),
        ("University of Oxford, Oxford OX3 7LF, England.", "GB"),
        ("UCL Department of Geography, Gower Street, London WC1E 6BT, United Kingdom.", "GB"),
        ("Stanford University, Stanford, CA, USA", "US"),
        ("Michigan Technological University Houghton Michigan 49931 USA tatyanak@mtu.edu", "US"),
        ("Oak Ridge National Laboratory, Oak Ridge, Tennessee 37831.", "US"),
        ("Emory University, Atlanta, GA 30322", "US"),
        ("Henry Ford Health System, Detroit, MI.", "US"),
        ("Rutgers University, Piscataway, New Jersey 08854", "US"),
        ("Seoul National University, Seoul, Korea", "KR"),
        ("China Medical University Hospital, Taichung 404, Taiwan", "TW"),
        ("The Chinese University of Hong Kong, Shatin, Hong Kong", "HK"),
        ("Hospital Clínico Universitario Lozano Blesa, Zaragoza, España.", "ES"),
        ("Utrecht University, Universiteitsweg 99, 3584CG, Utrecht, The Netherlands.", "NL"),
        ("Sorbonne Universités, UPMC Univ Paris 06, F-75005 Paris, France.", "FR"),
        ("Papua New Guinea Institute of Medical Research, Goroka, Papua New Guinea.", "PG"),
        ("Karolinska Institutet, Stockholm", "SE"),
        ("Charité, Berlin", "DE"),
        ("Some Research Office.", None),
        ("", None),
    ],
)
def test_country_from_affiliation(text: str, code: str | None) -> None:
    assert country_from_affiliation(text) == code


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("中国医学科学院肿瘤医院，北京 100021，中国", ("CN",)),
        ("复旦大学附属中山医院，上海 200032", ("CN",)),  # a city, no country
        ("香港大学李嘉诚医学院，香港，中国", ("HK",)),  # as "Hong Kong SAR, China"
        ("香港中文大学（深圳），深圳，中国", ("CN",)),  # CUHK-Shenzhen stays CN
        ("國立臺灣大學醫學院，台北，台灣", ("TW",)),  # traditional characters
        ("澳門大學，澳門", ("MO",)),
        ("印度尼西亚大学，雅加达，印度尼西亚", ("ID",)),  # holds 印度 (India): the longer wins
        ("海德堡大学，德国；北京大学，北京", ("DE", "CN")),  # full-width semicolon
        ("東京大学医学部，日本", ("JP",)),
        ("某研究所", ()),
    ],
)
def test_affiliations_written_in_chinese(text: str, codes: tuple[str, ...]) -> None:
    # OpenAlex keeps raw affiliation strings as written: Chinese journals' are in Chinese.
    assert countries_from_affiliation(text) == codes


def test_country_of_none_is_none() -> None:
    assert country_from_affiliation(None) is None
    assert countries_from_affiliation(None) == ()


def test_one_country_per_institution_in_a_multi_institution_string() -> None:
    text = (
        "University of Cambridge, Cambridge, United Kingdom; "
        "University of Paris, INSERM, Paris, France; Fudan University, Shanghai, China."
    )
    assert countries_from_affiliation(text) == ("GB", "FR", "CN")
    assert country_from_affiliation(text) == "CN"


def test_zip_codes_and_emails_at_the_end_do_not_hide_the_country() -> None:
    text = "Dept of Surgery, Zhejiang University, Hangzhou 310058, China. wang@zju.edu.cn"
    assert countries_from_affiliation(text) == ("CN",)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # The state, province or territory at the end decides, before any city name.
        ("Mayo Clinic, Rochester, Minn.", "US"),
        ("Department of Surgery, Florence, SC.", "US"),
        ("Paris Regional Medical Center, Paris, TX", "US"),
        ("Athens Regional, Athens, Ga.", "US"),
        ("University of Wisconsin, Madison, Wis.", "US"),
        ("Vanderbilt University, Nashville, Tenn.", "US"),
        ("Albany Medical College, Albany, N.Y.", "US"),
        ("A.T. Still University of Health Science, Mesa, Ariz.", "US"),
        ("Indiana University, Indianapolis, Ind.", "US"),
        ("Dartmouth, Hanover, N.H. 03755", "US"),
        ("Royal Adelaide Hospital, Adelaide, SA.", "AU"),
        ("Royal Hobart Hospital, Hobart, Tas.", "AU"),
        ("Menzies School of Health Research, Darwin, NT", "AU"),
        ("Princess Alexandra Hospital, Woolloongabba, Qld.", "AU"),
        ("The Alfred, Melbourne, Victoria.", "AU"),
        ("Westmead Hospital, Westmead, N.S.W. 2145", "AU"),
        ("University of Western Australia, Perth, WA", "AU"),
        ("University of Washington, Seattle, WA 98195", "US"),
        ("Foothills Medical Centre, Calgary, Alberta.", "CA"),
        ("Western University, London, ON N6A 5C1", "CA"),
        ("Dalhousie University, Halifax, N.S.", "CA"),
        ("Hôpital Laval, Québec, Québec", "CA"),
        ("Stanton Territorial Hospital, Yellowknife, N.W.T.", "CA"),
        ("Juravinski Hospital, Hamilton, ON.", "CA"),
        # A postal code that is also the ISO code of the country the address names.
        ("University of Toronto, Toronto, CA", "CA"),
        ("Tel Aviv University, Tel Aviv, IL", "IL"),
        ("Charité, Berlin, DE", "DE"),
        ("Northwestern University, Chicago, IL 60611, USA", "US"),
        # Hong Kong, Macao and Taiwan keep their own codes when "China" follows.
        ("The University of Hong Kong, Hong Kong, China.", "HK"),
        ("Prince of Wales Hospital, Shatin, Hong Kong SAR, China", "HK"),
        ("Kiang Wu Hospital, Macau SAR, China", "MO"),
        ("University of Macau, Taipa, Macao, China", "MO"),
        ("National Taiwan University, Taipei, Taiwan, China", "TW"),
        # ... but not a mainland campus of a Hong Kong university.
        ("The Chinese University of Hong Kong, Shenzhen, Guangdong, China", "CN"),
        # Not states: a company suffix, lower-case words, a city alone.
        ("Laboratorios Pfizer, S.A.", None),
        ("Department of Medicine, Florence, Italy", "IT"),
    ],
)
def test_places_abbreviated_at_the_end_of_an_address(text: str, code: str | None) -> None:
    assert country_from_affiliation(text) == code


def test_the_abbreviation_table_is_data_with_its_sources() -> None:
    import csv
    from importlib import resources

    folder = resources.files("permed_atlas").joinpath("data/places")
    rows = list(csv.DictReader(folder.joinpath("subdivisions.csv").open(encoding="utf-8")))
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    assert {row["country"] for row in rows} == {"US", "CA", "AU"}
    assert len([r for r in rows if r["country"] == "US" and r["form"] == "postal"]) == 51
    assert all(f"`{source}`" in readme for source in {row["source"] for row in rows})
    for row in rows:  # every row is read back to its own country
        if row["form"] == "name" or row["text"] in {"WA", "NT"}:
            continue
        assert country_from_affiliation(f"Some Hospital, Springfield, {row['text']}") in (
            row["country"],
            "AU" if row["text"] == "N.T." else row["country"],
        ), row


def test_real_pubmed_affiliations_in_hong_kong_and_abbreviated_places(realdata: Path) -> None:
    from permed_atlas.landscape.ingest import parse_pubmed
    from permed_atlas.landscape.models import Work

    works = [
        w
        for w in parse_pubmed(realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz")
        if isinstance(w, Work)
    ]
    people = [p for w in works for p in w.contributors if p.raw_affiliation]
    hong_kong = [p for p in people if "Hong Kong, China" in (p.raw_affiliation or "")]
    assert hong_kong and all("HK" in p.countries and "CN" not in p.countries for p in hong_kong)
    arizona = [p for p in people if (p.raw_affiliation or "").endswith("Ariz.")]
    assert arizona and all(p.countries == ("US",) for p in arizona)


def test_real_openalex_affiliations_ending_in_a_province(realdata: Path) -> None:
    from permed_atlas.landscape.ingest import parse_openalex
    from permed_atlas.landscape.models import Work

    part = realdata / "openalex" / "openalex_snapshot_works_updated_date=2021-11-03_part_000.jsonl"
    people = [p for w in parse_openalex(part) if isinstance(w, Work) for p in w.contributors]
    canadian = [
        p.raw_affiliation
        for p in people
        if (p.raw_affiliation or "").endswith((", ON.", ", BC.", "Ontario."))
    ]
    assert len(canadian) >= 4
    # OpenAlex gives these institutions a country; the text alone must agree with it.
    assert all(countries_from_affiliation(text) == ("CA",) for text in canadian)


def test_the_hk_mo_setting_now_decides_for_pubmed_records(realdata: Path, tmp_path: Path) -> None:
    from permed_atlas.landscape.ingest import ingest_file
    from permed_atlas.landscape.regions import load_region_sets
    from permed_atlas.landscape.store.corpus import open_corpus
    from permed_atlas.landscape.store.tagging import tag_corpus
    from permed_atlas.landscape.topics import load_rules
    from permed_atlas.settings import Settings

    sample = realdata / "pubmed" / "pubmed21n1298_sample500.xml.gz"
    counts = {}
    for include in (True, False):
        settings = Settings(
            data_dir=tmp_path / str(include),
            include_hk_mo_in_china=include,
            secret_key="test-secret-key-that-is-long-enough-0123456789",
        )
        with open_corpus(":memory:") as corpus:
            ingest_file(sample, source="pubmed", corpus=corpus)
            tag_corpus(corpus, regions=load_region_sets(settings), rules=load_rules())
            counts[include] = corpus.execute(
                "SELECT count(*) FROM work_regions WHERE region = 'CN'"
            ).fetchall()[0][0]
            only_hk_mo = corpus.execute(
                "SELECT count(*) FROM (SELECT work_id FROM work_countries GROUP BY work_id "
                "HAVING bool_or(country_code IN ('HK', 'MO')) AND NOT bool_or(country_code = 'CN'))"
            ).fetchall()[0][0]
    assert only_hk_mo >= 5  # the real sample's "Hong Kong, China" articles
    assert counts[True] - counts[False] == only_hk_mo
