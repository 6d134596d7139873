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
    # A quoted share names its base, and a base this small is said to be one.
    assert "50.0% of the EU-27&#39;s publications (n = 2) and 50.0% of China&#39;s (n = 2)." in html
    assert "Fewer than 30 publications on a side in 2021" in html
    assert "Charité" in html and "Precision medicine in lung cancer" in html
    assert "european-union.europa.eu" in html  # region sources in the methods


def test_cli_report_default_path(corpus_file) -> None:
    result = CliRunner().invoke(app, ["report", "--from-year", "2020"])
    assert result.exit_code == 0, result.output
    out = corpus_file.parent / "reports" / "landscape.html"
    assert out.is_file() and "year_from = 2020" in out.read_text(encoding="utf-8")


def test_cli_report_in_chinese(corpus_file, tmp_path: Path) -> None:
    out = tmp_path / "zh.html"
    result = CliRunner().invoke(app, ["report", "--lang", "zh-CN", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html
    assert "主要发现" in html and "方法" in html  # headings
    assert "按地区划分的每年作品数" in html  # a chart title, inside the Vega spec
    bad = CliRunner().invoke(app, ["report", "--lang", "fr"])
    assert bad.exit_code == 1 and "not a supported language" in str(bad.exception)


def test_report_draws_the_dashboards_charts_with_names_and_notes(
    tagged, region_sets, rules, tmp_path: Path
) -> None:
    import json

    from permed_atlas.landscape.charts import ChartLabels, build_charts
    from permed_atlas.landscape.filters import LandscapeFilter
    from permed_atlas.landscape.store.indicators import compute_indicators

    out = tmp_path / "eu-cn.html"
    flt = LandscapeFilter(eu_cn=True)
    build_report(tagged, out, region_sets=region_sets, rules=rules, flt=flt)
    html = out.read_text(encoding="utf-8")
    # The same spec the dashboard draws for the same filter and regions.
    indicators = compute_indicators(tagged, flt, regions=["EU27", "CN"], limit=10)
    labels = ChartLabels(
        regions={c: r.name for c, r in region_sets.items()},
        topics={t.code: t.label for t in rules.topics},
    )
    dashboard = build_charts(
        indicators.tables(), regions=indicators.regions, labels=labels, flt=flt
    )
    match = re.search(r'vegaEmbed\("#chart-copublications", (\{.*?\}), \{"actions"', html)
    assert match is not None
    spec = json.loads(match.group(1).replace("<\\/", "</"))
    assert spec["vconcat"] == dashboard["copublications"].spec["vconcat"]
    assert len(spec["vconcat"]) == 1  # the share the filter fixes at 100% is not drawn
    assert "100% by construction" in html and 'class="chart-note"' in html
    assert "fewer than 30 works is marked as small" in html
    # Names, not codes, in findings and tables.
    assert "Most active institutions in European Union (27 member states)" in html
    assert "<td>European Union (27 member states)</td>" in html and "<td>Germany</td>" in html
    assert "<td>EU27</td>" not in html


def test_report_findings_and_names_in_chinese(tagged, region_sets, rules, tmp_path: Path) -> None:
    from permed_atlas.i18n import use_language

    out = tmp_path / "zh.html"
    with use_language("zh"):
        build_report(tagged, out, region_sets=region_sets, rules=rules)
    html = out.read_text(encoding="utf-8")
    assert "<h1>个性化医疗格局：欧洲与中国</h1>" in html  # the default title
    # a finding; "变为" (went to), not "增至" (rose to), whichever way the count went
    assert "中欧合作发表从 2020 年的 1 篇变为 2021 年的 1 篇" in html
    assert "占欧盟 27 国发表量的 50.0%（n = 2）" in html and "年有一方的发表量少于 30 篇" in html
    assert "EU–China co-publications went from" not in html
    china = region_sets["CN"].name_zh
    assert china and f"{china}的主要主题" in html  # a region's Chinese name in a finding
    assert f"CN – {china}" in html  # and in the methods' region table
    english = tmp_path / "en.html"
    build_report(tagged, english, region_sets=region_sets, rules=rules)
    assert "Personalised medicine landscape: Europe and China" in english.read_text("utf-8")


def test_report_does_not_end_a_trend_on_the_year_not_over(
    tagged, region_sets, rules, tmp_path: Path
) -> None:
    import datetime as dt

    out = tmp_path / "in-2021.html"
    written = dt.datetime(2021, 6, 30, tzinfo=dt.UTC)
    build_report(tagged, out, region_sets=region_sets, rules=rules, now=written)
    html = out.read_text(encoding="utf-8")
    # 2021 is half over: the co-publication sentence stops at 2020, the last full year.
    assert (
        "EU–China co-publications in 2020: 1, 100.0% of the EU-27&#39;s publications (n = 1) "
        "and 50.0% of China&#39;s (n = 2)." in html
    )
    assert "went from" not in html and "in 2021 they were" not in html
    # The charts star 2021 and say why.
    assert "2021* is not over" in html and "datum.value >= 2021" in html


def test_cli_report_onto_a_directory_names_it_and_leaves_no_half_written_copy(
    corpus_file, tmp_path: Path
) -> None:
    from permed_atlas.errors import PermedError

    out = tmp_path / "out" / "landscape.html"
    out.mkdir(parents=True)  # someone's folder where the report should go
    result = CliRunner().invoke(app, ["report", "--out", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, PermedError)
    assert str(result.exception).startswith(f"{out}: ")  # the path given, not a temporary one
    assert sorted(p.name for p in out.parent.iterdir()) == ["landscape.html"]


def test_a_topic_share_in_the_findings_names_its_base(
    tagged, region_sets, rules, tmp_path: Path
) -> None:
    out = tmp_path / "topics.html"
    build_report(tagged, out, region_sets=region_sets, rules=rules)
    html = out.read_text(encoding="utf-8")
    # "Oncology (50%)" of two works read like a half of the region's research.
    found = re.search(r"Leading topics in China \(share of its (\d+) works\): ([^.<]+)\.", html)
    assert found is not None, html
    assert re.search(r"\d+% \(\d+\)", found.group(2))
    assert int(found.group(1)) < 30 and "Fewer than 30 works in China" in html
