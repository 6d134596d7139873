"""Funding match: which programmes and calls fit a project description and its regions.

Scope fit is BM25 of the description against each programme's or call's
name, summary and keywords. Region eligibility comes first: with the default
``coverage="all"`` every country of the project must lie in the entry's
regions (a programme for EU27 + CN fits a project in DE + CN, not one in
DE + US); ``coverage="any"`` keeps an entry covering at least one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.models import FUNDING_KINDS, DirectoryEntry, FundingMatch
from permed_atlas.directory.search import expand_regions, has_query_terms, score_entries

Coverage = Literal["all", "any"]
MAX_DESCRIPTION = 20_000


def eligible_regions(
    entry: DirectoryEntry,
    project_regions: Sequence[str],
    region_countries: Mapping[str, frozenset[str]],
    *,
    coverage: Coverage = "all",
) -> tuple[str, ...] | None:
    """The project regions an entry covers, or None when the entry is not eligible.

    :param entry: a programme or call.
    :param project_regions: the project's region-set or country codes.
    :param region_countries: each known region set's countries.
    :param coverage: ``all`` (every project country covered) or ``any``.
    """
    offered = expand_regions(entry.regions, region_countries)
    covered = []
    for code in project_regions:
        countries = expand_regions([code], region_countries)
        if offered is None or (countries is not None and countries <= offered):
            covered.append(code.strip().upper())
        elif coverage == "all":
            return None
    if project_regions and not covered:
        return None
    return tuple(covered)


def rank_funding(
    entries: Iterable[DirectoryEntry],
    description: str,
    *,
    regions: Sequence[str] = (),
    region_countries: Mapping[str, frozenset[str]],
    coverage: Coverage = "all",
    limit: int = 10,
) -> list[FundingMatch]:
    """Programmes and calls ranked by how well their scope fits ``description``.

    :param entries: directory entries (only programmes and calls are considered).
    :param description: the project, in a few sentences.
    :param regions: where the project's partners are (region-set or country codes).
    :param region_countries: each known region set's countries.
    :param coverage: ``all`` or ``any`` project country must be covered.
    :param limit: at most this many matches (1..100).
    """
    if not 1 <= limit <= 100:
        raise InvalidEntryError("limit must be between 1 and 100", field="limit")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidEntryError(
            f"the description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    if not has_query_terms(description):
        raise InvalidEntryError(
            "describe the project in a few words (its topic, methods, disease)",
            field="description",
        )
    project = [r for r in regions if r and r.strip()]
    for code in project:
        expand_regions([code], region_countries)  # refuses an unknown region up front
    candidates: dict[str, tuple[DirectoryEntry, tuple[str, ...]]] = {}
    for entry in entries:
        if entry.kind not in FUNDING_KINDS:
            continue
        covered = eligible_regions(entry, project, region_countries, coverage=coverage)
        if covered is not None:
            candidates[entry.id] = (entry, covered)
    ranked = score_entries([entry for entry, _ in candidates.values()], description)
    return [
        FundingMatch(
            entry=entry,
            score=round(score, 4),
            matched_terms=matched,
            eligible_regions=candidates[entry.id][1],
        )
        for entry, score, matched in ranked[:limit]
    ]
