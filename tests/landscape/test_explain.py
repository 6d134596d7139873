from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.explain import WorkNotFoundError
from permed_atlas.landscape.store.explain import explain_work, resolve_work_id


@pytest.mark.parametrize(
    ("identifier", "work_id"),
    [
        ("3", 3),
        ("W100", 1),
        ("https://openalex.org/W300", 3),
        ("10.1/FOUR", 4),
        ("https://doi.org/10.1/one", 1),
        ("doi:10.1/three", 3),
        ("pmid:9002", 2),
        ("9001", 1),
        ("020-111-222-333-444", 6),
        ("EP1234567A1", 6),
        ("F6", 6),
    ],
)
def test_identifiers_resolve(corpus, identifier: str, work_id: int) -> None:
    assert resolve_work_id(corpus, identifier) == work_id


def test_unknown_identifier(corpus) -> None:
    with pytest.raises(WorkNotFoundError, match="W999"):
        resolve_work_id(corpus, "W999")


def test_explanation_shows_affiliations_rules_and_reasons(tagged, region_sets, rules) -> None:
    explanation = explain_work(tagged, "W100", regions=region_sets, rules=rules)
    countries = {c.country_code: c for c in explanation.countries}
    assert set(countries) == {"DE", "CN", "HK"}
    assert countries["HK"].regions == ("CN",)
    assert countries["DE"].affiliations[0].institution == "Charité"
    assert countries["CN"].affiliations[0].contributor == "Li Wei"
    hits = {hit.rule_id: hit for hit in explanation.hits}
    assert hits["pm-kw-precision-medicine"].matched == ("Precision medicine",)
    assert hits["pm-mesh-precision-medicine"].matched == ("mesh: Precision Medicine",)
    assert set(hits["onc-kw-cancer"].matched) == {"cancer", "tumours"}
    assert explanation.pm_relevant and explanation.eu_cn
    assert "pm-mesh-precision-medicine" in explanation.pm_reason
    assert "EU-27 DE and China CN, HK" in explanation.eu_cn_reason
    assert explanation.stored_tags_current
    assert explanation.topics == ("omics_genomics", "oncology")


def test_negative_reasons_and_stale_tags(corpus, tagged, region_sets, rules) -> None:
    explanation = explain_work(tagged, 3, regions=region_sets, rules=rules)
    assert not explanation.pm_relevant and "not PM-relevant" in explanation.pm_reason
    assert "no affiliation in China" in explanation.eu_cn_reason
    tagged.execute("DELETE FROM work_topics WHERE work_id = 3")
    assert not explain_work(tagged, 3, regions=region_sets, rules=rules).stored_tags_current
    empty = explain_work(tagged, "W500", regions=region_sets, rules=rules)
    assert empty.countries == () and empty.hits == ()
    assert "EU-27 or China" in empty.eu_cn_reason
    patent = explain_work(tagged, "EP1234567A1", regions=region_sets, rules=rules)
    assert {hit.rule_id for hit in patent.hits} >= {
        "onc-cpc-cancer-markers",
        "bio-cpc-nucleic-acid-tests",
    }


def test_cli_explain_text_and_json(corpus_file) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["explain", "10.1/four"])
    assert result.exit_code == 0, result.output
    assert "pm-kw-pharmacogenomics" in result.output
    assert "matched: Pharmacogenomics" in result.output
    assert "EU–China collaboration: EU-27 FR and China CN" in result.output
    assert "Sun Yat-sen University" in result.output
    result = runner.invoke(app, ["explain", "--json", "W100"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["work_id"] == 1 and data["eu_cn"] is True


# "²" is a digit to str.isdigit() that int() cannot read; the rest are beyond a BIGINT.
@pytest.mark.parametrize("identifier", ["W999", "²", "12²", "99999999999999999999999"])
def test_cli_unknown_work_is_one_line_and_non_zero(
    corpus_file, monkeypatch, capsys, identifier: str
) -> None:
    from permed_atlas.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["permed", "explain", identifier])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert f"no work with identifier '{identifier}'" in err
    assert len(err.strip().splitlines()) == 1
