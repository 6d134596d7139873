"""The Delphi report's SVG charts speak the report's language: a Chinese report (or PDF)
printed English legends, round labels, hover titles and accessible names."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from permed_atlas.delphi.charts import (
    distribution_svg,
    share_over_rounds_svg,
    verdicts_over_rounds_svg,
)
from permed_atlas.delphi.report import build_study_report, render_report_html
from permed_atlas.delphi.store import get_study
from permed_atlas.i18n import use_language


def _words(svg: str) -> list[str]:
    """The texts a reader sees or hears: text nodes, titles, accessible names."""
    texts = re.findall(r">([^<>]+)<", svg) + re.findall(r'aria-label="([^"]*)"', svg)
    return [t for t in texts if re.search(r"[A-Za-z]{2,}", t)]


def test_verdict_chart_in_chinese() -> None:
    with use_language("zh"):
        svg = verdicts_over_rounds_svg([(1, 3, 1, 2), (2, 4, 1, 1)])
    assert "第 1 轮" in svg and "第 2 轮" in svg
    assert "共识：纳入" in svg and "共识：排除" in svg and "未达成共识" in svg
    assert "第 1 轮：纳入 3 项，排除 1 项，2 项未达成共识" in svg
    assert _words(svg) == []
    english = verdicts_over_rounds_svg([(1, 3, 1, 2)])
    assert "Round 1" in english and "consensus: include: 3" in english
    assert 'aria-label="round 1: 3 included, 1 excluded, 2 without consensus"' in english


def test_share_and_distribution_charts_in_chinese() -> None:
    with use_language("zh"):
        shares = share_over_rounds_svg([("A1", [0.5, 0.8])], threshold=0.7)
        bar = distribution_svg([1, 2, 3, 0, 4], n_no_opinion=2)
    assert "各条目各轮中 4–5 分评分所占比例" in shares and "A1 第 2 轮：80%" in shares
    assert 'aria-label="评分：1: 1, 2: 2, 3: 3, 4: 0, 5: 4；无意见：2"' in bar
    assert [w for w in _words(shares) if w != "A1"] == [] and _words(bar) == []
    assert 'aria-label="ratings: 1: 1, 2: 2, 3: 3, 4: 0, 5: 4; no opinion: 2"' in (
        distribution_svg([1, 2, 3, 0, 4], n_no_opinion=2)
    )


def test_chinese_report_draws_chinese_charts(demo_session: Session) -> None:
    report = build_study_report(demo_session, get_study(demo_session, "demo-eu-china-pm").id)
    with use_language("zh"):
        html = render_report_html(report)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) > 2
    codes = {i.item.code for s in report.surveys for r in s.rounds for i in r.items}
    left = {w for svg in svgs for w in _words(svg)} - codes
    leftover = {w for w in left if not any(w.startswith(f"{c} ") for c in codes)}
    assert leftover == set()
    assert "共识：纳入" in html and "第 2 轮" in html


def test_every_round_colour_in_the_share_chart_has_a_key() -> None:
    series = [("A1", [0.5, 0.6, 0.8]), ("A2", [0.1, 0.3, 0.5, 0.7, 0.9])]
    svg = share_over_rounds_svg(series, threshold=0.7, n_valid={"A1": [2, 3, 40]})
    fills = set(re.findall(r'<circle[^>]*fill="([^"]+)"><title>', svg))
    keyed = dict(re.findall(r'fill="([^"]+)"/><text class="round-key"[^>]*>([^<]+)<', svg))
    # Rounds 3 and 4+ were green and purple dots the caption's "grey 1, blue 2" never named.
    assert fills <= set(keyed) and len(fills) == 4
    assert list(keyed.values()) == ["Round 1", "Round 2", "Round 3", "Round 4+"]
    assert "<title>A1 round 1: 50% (n = 2)</title>" in svg  # a share of two ratings says so
    with use_language("zh"):
        chinese = share_over_rounds_svg(series[:1], threshold=0.7)
    assert "第 3 轮" in chinese and "Round" not in chinese


def test_empty_delphi_charts_say_there_is_nothing() -> None:
    assert "no ratings" in distribution_svg([0, 0, 0, 0, 0])
    assert "no ratings" not in distribution_svg([0, 1, 0, 0, 0])
    assert "no items" in verdicts_over_rounds_svg([(1, 2, 0, 1), (2, 0, 0, 0)])
    assert "no round to show" in verdicts_over_rounds_svg([])
    with use_language("zh"):
        assert "尚无评分" in distribution_svg([0, 0, 0, 0, 0])
        assert "没有条目" in verdicts_over_rounds_svg([(1, 0, 0, 0)])
