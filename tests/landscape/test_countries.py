"""Country of an affiliation string: pycountry names, variants, cities, noise at the end."""

from __future__ import annotations

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
