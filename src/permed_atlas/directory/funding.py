"""Funding match: which programmes and calls fit a project description and its regions.

Scope fit is BM25 of the description against each programme's or call's
name, summary and keywords. Region eligibility comes first: with the default
``coverage="all"`` every country of the project must lie in the entry's
regions (a programme for EU27 + CN fits a project in DE + CN, not one in
DE + US); ``coverage="any"`` keeps an entry covering at least one of them.

A project text names its topic narrowly (a gene such as DPYD, a method) while
programmes state their scope broadly ("personalised medicine", "genomics"), so
topic rules from the data files add the broader terms a narrow word implies
before scoring. Closed programmes and calls (status closed, deadline or end year
past) stay in the list, marked, after every open one: a past call still tells a
consortium where the next one may come from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from permed_atlas.directory.errors import InvalidEntryError
from permed_atlas.directory.models import FUNDING_KINDS, DirectoryEntry, FundingMatch
from permed_atlas.directory.search import (
    STOP_WORDS,
    expand_regions,
    has_query_terms,
    score_entries,
)
from permed_atlas.i18n import Message, gettext_noop
from permed_atlas.textinput import refuse_too_long
from permed_atlas.textsearch import stop_words_with

Coverage = Literal["all", "any"]
MAX_DESCRIPTION = 20_000
DESCRIPTION_TOO_LONG = gettext_noop("the description is longer than %(limit)s characters")
_GENERIC_PROJECT_WORDS = "project projects study studies aim aims propose proposed plan planned"
FUNDING_STOP_WORDS = STOP_WORDS | stop_words_with(_GENERIC_PROJECT_WORDS)
"""Words every project text holds that say nothing about which programme fits."""


@dataclass(frozen=True)
class TopicRule:
    """Broader scope terms a narrow topic word implies.

    :param id: the rule's name in the data file.
    :param pattern: where it applies (compiled, case-insensitive).
    :param terms: the broader terms added to the project text.
    """

    id: str
    pattern: re.Pattern[str]
    terms: tuple[str, ...]


def expand_description(description: str, rules: Sequence[TopicRule]) -> str:
    """The project text with the broader terms of every topic rule it triggers.

    :param description: the project text.
    :param rules: the topic rules.
    """
    added = [term for rule in rules if rule.pattern.search(description) for term in rule.terms]
    return description if not added else f"{description}\n{' '.join(added)}"


def is_closed(entry: DirectoryEntry, today: date) -> bool:
    """Whether a programme or call no longer takes applications on ``today``.

    Closed when its status says so, its ``deadline`` (ISO date) is before today,
    or its ``years`` end before this year.

    :param entry: a programme or call.
    :param today: the reference day.
    """
    details = entry.details
    if details.get("status") == "closed":
        return True
    deadline = details.get("deadline")
    if isinstance(deadline, str) and deadline and date.fromisoformat(deadline) < today:
        return True
    years = details.get("years")
    if isinstance(years, str) and "-" in years:
        end = years.split("-", 1)[1].strip()
        if end.isdecimal() and int(end) < today.year:
            return True
    return False


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
    topic_rules: Sequence[TopicRule] = (),
    today: date | None = None,
) -> list[FundingMatch]:
    """Programmes and calls ranked by how well their scope fits ``description``.

    :param entries: directory entries (only programmes and calls are considered).
    :param description: the project, in a few sentences.
    :param regions: where the project's partners are (region-set or country codes).
    :param region_countries: each known region set's countries.
    :param coverage: ``all`` or ``any`` project country must be covered.
    :param limit: at most this many matches (1..100).
    :param topic_rules: broader terms added for narrow topic words.
    :param today: the day closed calls are judged on; today when None.
    """
    if not 1 <= limit <= 100:
        raise InvalidEntryError(
            Message("limit must be between 1 and 100"),
            field="limit",
        )
    refuse_too_long(
        description,
        limit=MAX_DESCRIPTION,
        message=DESCRIPTION_TOO_LONG,
        field="description",
        error=InvalidEntryError,
    )
    if not has_query_terms(description, stop_words=FUNDING_STOP_WORDS):
        raise InvalidEntryError(
            Message(
                "describe the project in a few words (its topic, methods, disease)",
            ),
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
    ranked = score_entries(
        [entry for entry, _ in candidates.values()],
        expand_description(description, topic_rules),
        stop_words=FUNDING_STOP_WORDS,
    )
    day = today or date.today()
    matches = [
        FundingMatch(
            entry=entry,
            score=round(score, 4),
            matched_terms=matched,
            eligible_regions=candidates[entry.id][1],
            closed=is_closed(entry, day),
        )
        for entry, score, matched in ranked
    ]
    matches.sort(key=lambda m: m.closed)  # stable: open first, each group still by score
    return matches[:limit]
