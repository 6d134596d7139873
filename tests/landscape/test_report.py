from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from permed_atlas.cli import app
from permed_atlas.landscape.report import build_report


def test_report_is_self_contained_with_charts_and_findings(
    tagged, region_sets, rules, tmp_path: Path
) -> None:
    out = tmp_path / "r" / "landscape.html"
    summary = build_report(tagged, out, region_sets=region_sets, rules=rules)
    html = out.read_text(encoding="utf-8")
    assert summary.works == 7 and summary.charts == 4
    # no external script, stylesheet or image: the page must open offline
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)
    assert 'vegaEmbed("#chart-copublications"' in html
    assert html.count('vegaEmbed("#chart-') == 4
    assert "EU–China co-publications went from 1 in 2020 to 1 in 2021" in html
    assert (
        "50.0% of the EU-27&#39;s publications" in html
        or "50.0% of the EU-27's publications" in html
    )
    assert "Charité" in html and "Precision medicine in lung cancer" in html
    assert "european-union.europa.eu" in html  # region sources in the methods


def test_cli_report_default_path(corpus_file) -> None:
    result = CliRunner().invoke(app, ["report", "--from-year", "2020"])
    assert result.exit_code == 0, result.output
    out = corpus_file.parent / "reports" / "landscape.html"
    assert out.is_file() and "year_from = 2020" in out.read_text(encoding="utf-8")
