"""A self-contained HTML landscape report a funder can put in a policy brief.

Charts are Vega-Lite specs built with Altair; the Vega, Vega-Lite and
vega-embed JavaScript comes from the vl-convert package and is written into
the page once, so the file opens offline and needs no CDN.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import jinja2

from permed_atlas.countries import localized_country_name
from permed_atlas.i18n import gettext, gettext_noop, install_jinja, localized, localized_field
from permed_atlas.landscape.charts import SMALL_BASE, ChartLabels, build_charts
from permed_atlas.landscape.filters import NO_FILTER, LandscapeFilter
from permed_atlas.landscape.regions import CHINA, EU27, RegionSet
from permed_atlas.landscape.store.indicators import (
    ALL_REGIONS,
    Indicators,
    compute_indicators,
    tagged_regions,
)
from permed_atlas.landscape.store.provenance import summarise_corpus
from permed_atlas.landscape.topics import RuleSet
from permed_atlas.outputfiles import write_atomic, written_beside

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "web" / "templates"
REPORT_TEMPLATE = "landscape/report.html.j2"
DEFAULT_REPORT_REGIONS = (EU27, CHINA, "ICPERMED")


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What the report was written from."""

    path: Path
    works: int
    charts: int
    bytes: int


def default_cache_dir() -> Path:
    """Where the Vega JavaScript bundle is kept between runs (``$XDG_CACHE_HOME/permed-atlas``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "permed-atlas"


@lru_cache(maxsize=4)
def vega_bundle(cache_dir: Path | None = None) -> str:
    """The Vega, Vega-Lite and vega-embed JavaScript, bundled by vl-convert.

    Bundling takes several seconds, so the result is kept in ``cache_dir`` under a
    name holding both versions; a cache that cannot be written is simply skipped.

    :param cache_dir: the cache folder; :func:`default_cache_dir` when None.
    """
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    folder = cache_dir or default_cache_dir()
    path = folder / f"vega-embed-vl{version}-vlc{getattr(vl_convert, '__version__', 'x')}.js"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    bundle = str(vl_convert.javascript_bundle(vl_version=version))  # type: ignore[call-arg]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, bundle)
    except OSError:
        pass
    return bundle


def _script_json(value: Any) -> str:
    # "</" inside a <script> would end it early; "<\/" is the same JSON string.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


REPORT_CHARTS = ("output", "copublications", "topics", "patents")
"""The dashboard's charts the report draws (its tables list institutions and countries)."""


def _charts(
    indicators: Indicators,
    labels: ChartLabels,
    flt: LandscapeFilter,
    *,
    now: dt.datetime,
    known: Sequence[str],
) -> list[dict[str, Any]]:
    tables = indicators.tables()
    charts = build_charts(
        tables,
        regions=indicators.regions,
        labels=labels,
        flt=flt,
        current_year=now.year,
        all_regions=known,
    )
    return [
        {
            "id": name,
            "title": charts[name].title,
            "spec": charts[name].spec,
            "notes": list(charts[name].notes),
        }
        for name in REPORT_CHARTS
        if tables.get(name)
    ]


DEFAULT_REPORT_TITLE = gettext_noop("Personalised medicine landscape: Europe and China")


def _copublication_findings(indicators: Indicators, *, current_year: int) -> list[str]:
    """The co-publication sentence: a quoted share names its base, and a year not over is
    not its end point (its count is still growing, so it would read as a fall)."""
    copubs = [row for row in indicators.copublications if row.eu_total and row.cn_total]
    complete = [row for row in copubs if row.year is not None and row.year < current_year]
    copubs = complete or copubs
    if not copubs:
        return []
    first, last = copubs[0], copubs[-1]
    sentence = (
        gettext(
            "EU–China co-publications went from %(first)s in %(first_year)s to "
            "%(last)s in %(last_year)s; in %(last_year)s they were %(eu_share)s of the "
            "EU-27's publications (n = %(eu_total)s) and %(cn_share)s of China's "
            "(n = %(cn_total)s)."
        )
        if first.year != last.year
        else gettext(
            "EU–China co-publications in %(last_year)s: %(last)s, %(eu_share)s of the "
            "EU-27's publications (n = %(eu_total)s) and %(cn_share)s of China's "
            "(n = %(cn_total)s)."
        )
    )
    sentences = [
        sentence
        % {
            "first": f"{first.eu_cn:,}",
            "first_year": first.year,
            "last": f"{last.eu_cn:,}",
            "last_year": last.year,
            "eu_share": f"{last.share_of_eu:.1%}",
            "cn_share": f"{last.share_of_cn:.1%}",
            "eu_total": f"{last.eu_total:,}",
            "cn_total": f"{last.cn_total:,}",
        }
    ]
    if min(last.eu_total, last.cn_total) < SMALL_BASE:
        sentences.append(
            gettext(
                "Fewer than %(n)s publications on a side in %(year)s: a few papers more or "
                "less move these shares by many points."
            )
            % {"n": SMALL_BASE, "year": last.year}
        )
    return sentences


def _findings(
    indicators: Indicators,
    totals: dict[str, int],
    labels: dict[str, str],
    names: ChartLabels,
    *,
    current_year: int,
) -> list[str]:
    findings: list[str] = []
    by_region: dict[str, int] = {}
    for row in indicators.output:
        by_region[row.region] = by_region.get(row.region, 0) + row.works
    years = sorted({row.year for row in indicators.output if row.year is not None})
    if years:
        findings.append(
            gettext(
                "The corpus holds %(works)s works from %(first)s to %(last)s: "
                "%(publications)s publications and %(patents)s patents; "
                "%(pm)s are PM-relevant by the published rules."
            )
            % {
                "works": f"{totals['works']:,}",
                "first": years[0],
                "last": years[-1],
                "publications": f"{totals['publications']:,}",
                "patents": f"{totals['patents']:,}",
                "pm": f"{totals['pm_relevant']:,}",
            }
        )
    shares = ", ".join(
        f"{names.region(region)} {count:,}"
        for region, count in sorted(by_region.items())
        if region != ALL_REGIONS
    )
    if shares:
        findings.append(
            gettext("Works with at least one institution in each region: %(shares)s.")
            % {"shares": shares}
        )
    findings.extend(_copublication_findings(indicators, current_year=current_year))
    for region in (EU27, CHINA):
        topics = [row for row in indicators.topics if row.region == region][:3]
        institutions = [row for row in indicators.institutions if row.region == region][:3]
        # the region's three leaders in each ranked list: (sentence, its placeholder, leaders)
        base = by_region.get(region, 0)
        for sentence, placeholder, leaders in (
            (
                gettext("Leading topics in %(region)s (share of its %(n)s works): %(topics)s."),
                "topics",
                [f"{labels.get(r.topic, r.topic)} {r.share:.0%} ({r.works:,})" for r in topics],
            ),
            (
                gettext("Most active institutions in %(region)s: %(institutions)s."),
                "institutions",
                [f"{r.institution} ({r.works:,})" for r in institutions],
            ),
        ):
            if leaders:
                findings.append(
                    sentence
                    % {
                        "region": names.region(region),
                        "n": f"{base:,}",
                        placeholder: ", ".join(leaders),
                    }
                )
        if topics and base < SMALL_BASE:
            findings.append(
                gettext(
                    "Fewer than %(n)s works in %(region)s: a few works more or less move its "
                    "topic shares by many points."
                )
                % {"n": SMALL_BASE, "region": names.region(region)}
            )
    return findings


def _report_labels(
    indicators: Indicators, region_sets: dict[str, RegionSet] | None, rules: RuleSet | None
) -> tuple[dict[str, str], ChartLabels]:
    """Topic labels and the charts' names, in the report's language (English where a
    translation is missing)."""
    labels = (
        {t.code: str(localized(t.label, {"zh": t.label_zh})) for t in rules.topics} if rules else {}
    )
    chart_labels = ChartLabels(
        regions={
            code: str(localized(region.name, {"zh": region.name_zh}))
            for code, region in (region_sets or {}).items()
        },
        topics=labels,
        countries={
            code: str(localized_country_name(code)) or code
            for code in {r.country_code for r in indicators.countries}
            | {r.country_code for r in indicators.institutions if r.country_code}
        },
    )
    return labels, chart_labels


def build_report(
    connection: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    regions: Sequence[str] | None = None,
    flt: LandscapeFilter = NO_FILTER,
    region_sets: dict[str, RegionSet] | None = None,
    rules: RuleSet | None = None,
    title: str = DEFAULT_REPORT_TITLE,
    now: dt.datetime | None = None,
) -> ReportSummary:
    """Compute the indicators and write them, with charts and findings, to one HTML file.

    :param connection: a tagged corpus.
    :param out: the HTML file to write.
    :param regions: regions to compare; default EU27, CN and ICPERMED where tagged.
    :param flt: the facets restricting the works.
    :param region_sets: the region definitions, listed with their sources in the methods.
    :param rules: the tagging rules, for topic labels and the methods section.
    :param title: the report's title (the default one in the current language).
    :param now: when the report is written (default: now, UTC); its year is not over, so
        the charts mark it and the findings do not end on it.
    """
    title = gettext(title) if title == DEFAULT_REPORT_TITLE else title
    known = tagged_regions(connection)
    chosen = list(regions) if regions else [r for r in DEFAULT_REPORT_REGIONS if r in known]
    indicators = compute_indicators(connection, flt, regions=chosen or None, limit=10)
    labels, chart_labels = _report_labels(indicators, region_sets, rules)
    summary = summarise_corpus(connection)
    totals = {
        "works": summary.works,
        "publications": summary.publications,
        "patents": summary.patents,
        "pm_relevant": summary.pm_relevant,
        "eu_cn": summary.eu_cn,
    }
    now = now or dt.datetime.now(dt.UTC)
    charts = _charts(indicators, chart_labels, flt, now=now, known=known)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    install_jinja(environment)  # the report is written in the current language
    environment.filters["localized"] = localized_field
    html = environment.get_template(REPORT_TEMPLATE).render(
        title=title,
        generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        totals=totals,
        filter={k: v for k, v in vars_of(flt).items() if v is not None},
        findings=_findings(indicators, totals, labels, chart_labels, current_year=now.year),
        names=chart_labels,
        synthetic_works=summary.synthetic,
        charts=[{**chart, "spec_json": _script_json(chart["spec"])} for chart in charts],
        institutions=indicators.institutions,
        countries=indicators.countries,
        top_cited=indicators.top_cited,
        topic_labels=labels,
        region_sets=[region_sets[c] for c in chosen if region_sets and c in region_sets],
        rules=rules,
        vega_bundle=vega_bundle(),
        small_base=SMALL_BASE,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with written_beside(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return ReportSummary(
        path=out, works=totals["works"], charts=len(charts), bytes=len(html.encode())
    )


def vars_of(flt: LandscapeFilter) -> dict[str, Any]:
    """The filter's fields as a dict (slots dataclasses have no ``__dict__``)."""
    return {name: getattr(flt, name) for name in flt.__dataclass_fields__}
