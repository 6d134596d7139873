"""Pure: roadmaps, assessments and scorecards as plain dicts, CSV rows and CSV text.

One shape for the JSON API, the CSV downloads and the CLI's ``--format``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from permed_atlas.roadmap.models import Indicator, Observation, Roadmap, RoadmapSummary
from permed_atlas.roadmap.scorecard import Scorecard
from permed_atlas.roadmap.status import Assessment
from permed_atlas.spreadsheet import SafeDictWriter


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def summary_dict(summary: RoadmapSummary) -> dict[str, Any]:
    return {
        "slug": summary.slug,
        "title": summary.title,
        "title_zh": summary.title_zh,
        "source": summary.source_title,
        "bundled": summary.bundled,
        "actions": summary.actions,
        "indicators": summary.indicators,
    }


def roadmap_dict(roadmap: Roadmap) -> dict[str, Any]:
    """The roadmap tree, in the same shape as the roadmap files.

    :param roadmap: the roadmap.
    """
    return {
        "slug": roadmap.slug,
        "title": roadmap.title,
        "title_zh": roadmap.title_zh,
        "description": roadmap.description,
        "bundled": roadmap.bundled,
        "source": asdict(roadmap.source),  # its fields, in their order
        "pillars": [
            {
                "code": pillar.code,
                "title": pillar.title,
                "title_zh": pillar.title_zh,
                "priorities": [
                    {
                        "code": priority.code,
                        "title": priority.title,
                        "title_zh": priority.title_zh,
                        "actions": [
                            {
                                "code": action.code,
                                "title": action.title,
                                "title_zh": action.title_zh,
                                "description": action.description,
                                "delphi_items": list(action.delphi_items),
                            }
                            for action in priority.actions
                        ],
                    }
                    for priority in pillar.priorities
                ],
            }
            for pillar in roadmap.pillars
        ],
    }


def roadmap_rows(roadmap: Roadmap) -> list[dict[str, Any]]:
    """One row per action with its pillar and priority (for CSV).

    :param roadmap: the roadmap.
    """
    return [
        {
            "roadmap": roadmap.slug,
            "pillar": pillar.code,
            "pillar_title": pillar.title,
            "priority": priority.code,
            "priority_title": priority.title,
            "action": action.code,
            "action_title": action.title,
            "description": action.description,
            "delphi_items": " ".join(action.delphi_items),
        }
        for pillar, priority, action in roadmap.actions()
    ]


def indicator_dict(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "roadmap": indicator.roadmap,
        "name": indicator.name,
        "name_zh": indicator.name_zh,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "unit_zh": indicator.unit_zh,
        "direction": indicator.direction,
        "baseline": {
            "value": indicator.baseline_value,
            "date": indicator.baseline_date.isoformat(),
        },
        "target": {"value": indicator.target_value, "date": indicator.target_date.isoformat()},
        "scope": {
            "level": indicator.scope.level,
            "region": indicator.scope.region,
            "country": indicator.scope.country,
            "centre": indicator.scope.centre,
        },
        "actions": list(indicator.action_codes),
        "data_source": indicator.data_source,
        "note": indicator.note,
    }


def observation_dict(observation: Observation) -> dict[str, Any]:
    return {
        "indicator": observation.indicator,
        "date": observation.observed_on.isoformat(),
        "value": observation.value,
        "source": observation.source,
        # Public output: the JSON API and exports are open to anonymous visitors.
        "entered_by": observation.public_entered_by,
        "entered_at": observation.entered_at.isoformat(),
    }


def assessment_dict(assessment: Assessment) -> dict[str, Any]:
    """An indicator's status and projection.

    :param assessment: the assessment.
    """
    projection = assessment.projection
    return {
        "indicator": indicator_dict(assessment.indicator),
        "status": assessment.status,
        "reason": assessment.reason,
        "uncertain": assessment.uncertain,
        "stale": assessment.stale,
        "basis": assessment.basis,
        "points": len(assessment.points),
        "observations": assessment.n_observations,
        "latest": None
        if assessment.latest is None
        else {"date": assessment.latest.when.isoformat(), "value": assessment.latest.value},
        "projection": None
        if projection is None
        else {
            "date": projection.at.isoformat(),
            "value": _round(projection.value),
            "lower": _round(projection.lower),
            "upper": _round(projection.upper),
            "level": projection.level,
            "slope_per_year": _round(projection.trend.slope),
            "intercept": _round(projection.trend.intercept),
            "origin": projection.trend.origin.isoformat(),
        },
    }


def assessment_row(assessment: Assessment) -> dict[str, Any]:
    """A flat row for CSV and tables.

    :param assessment: the assessment.
    """
    indicator, projection = assessment.indicator, assessment.projection
    return {
        "indicator": indicator.code,
        "name": indicator.name,
        "region": indicator.scope.region,
        "country": indicator.scope.country or "",
        "centre": indicator.scope.centre or "",
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline_value": indicator.baseline_value,
        "baseline_date": indicator.baseline_date.isoformat(),
        "target_value": indicator.target_value,
        "target_date": indicator.target_date.isoformat(),
        "observations": assessment.n_observations,
        "latest_value": "" if assessment.latest is None else assessment.latest.value,
        "latest_date": "" if assessment.latest is None else assessment.latest.when.isoformat(),
        "projected_value": "" if projection is None else round(projection.value, 2),
        "lower": ""
        if projection is None or projection.lower is None
        else round(projection.lower, 2),
        "upper": ""
        if projection is None or projection.upper is None
        else round(projection.upper, 2),
        "status": assessment.status,
        "uncertain": assessment.uncertain,
        "stale": assessment.stale,
        "points": assessment.n_points,
        "actions": " ".join(indicator.action_codes),
    }


def scorecard_rows(scorecard: Scorecard) -> list[dict[str, Any]]:
    """One row per action, priority, pillar (and the whole roadmap), regions side by side.

    :param scorecard: the scorecard.
    """
    rows = []
    for row in scorecard.rows:
        flat: dict[str, Any] = {"level": row.level, "code": row.code, "title": row.title}
        for region, counts in row.by_region:
            flat[f"{region}_status"] = counts.status
            flat[f"{region}_on_track"] = counts.on_track
            flat[f"{region}_at_risk"] = counts.at_risk
            flat[f"{region}_off_track"] = counts.off_track
            flat[f"{region}_insufficient"] = counts.insufficient
            flat[f"{region}_uncertain"] = counts.uncertain
            flat[f"{region}_stale"] = counts.stale
        flat["all_status"] = row.overall.status
        flat["all_uncertain"] = row.overall.uncertain
        flat["all_stale"] = row.overall.stale
        flat["all_indicators"] = row.overall.total
        rows.append(flat)
    return rows


def scorecard_dict(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "roadmap": scorecard.roadmap,
        "title": scorecard.title,
        "title_zh": scorecard.title_zh,
        "regions": list(scorecard.regions),
        "rule": scorecard.rule,
        "rows": [
            {
                "level": row.level,
                "code": row.code,
                "title": row.title,
                "title_zh": row.title_zh,
                "regions": {region: counts.as_dict() for region, counts in row.by_region},
                "all": row.overall.as_dict(),
            }
            for row in scorecard.rows
        ],
    }


def to_csv(rows: Sequence[dict[str, Any]], *, columns: Iterable[str] | None = None) -> str:
    """CSV text with a header; columns from the first row unless given.

    :param rows: flat dicts.
    :param columns: the header.
    """
    header = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
