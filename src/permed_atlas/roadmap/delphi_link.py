"""Roadmap actions and the Delphi items they came from.

An action's ``delphi_items`` are references ``"<study-slug>/<item-code>"``. This
module turns them into links to the study's synthesis page and builds a
roadmap from a Delphi study's synthesised actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from permed_atlas.delphi import (
    Study,
    StudyNotFoundError,
    get_study,
    list_actions,
    list_subtopics,
)
from permed_atlas.i18n import Message
from permed_atlas.roadmap.errors import InvalidRoadmapError, RoadmapNotFoundError
from permed_atlas.roadmap.models import Action, Pillar, Priority, Roadmap, RoadmapSummary, Source
from permed_atlas.roadmap.scopes import RegionCatalog
from permed_atlas.roadmap.spec import SLUG
from permed_atlas.roadmap.store import create_roadmap


def delphi_item_links(session: Session, refs: Iterable[str]) -> dict[str, str]:
    """``{ref: url}`` for the references whose Delphi study exists; others are left out.

    :param session: the platform database session.
    :param refs: references ``"<study-slug>/<item-code>"``.
    """
    studies: dict[str, Any] = {}
    links = {}
    for ref in refs:
        slug = ref.split("/", 1)[0]
        if slug not in studies:
            try:
                studies[slug] = get_study(session, slug)
            except StudyNotFoundError:
                studies[slug] = None
        if studies[slug] is not None:
            links[ref] = f"/delphi/studies/{studies[slug].id}/synthesis"
    return links


def _published_study(session: Session, study: str) -> Study:
    try:
        found = get_study(session, study)
    except StudyNotFoundError as exc:
        raise RoadmapNotFoundError(Message("no Delphi study %(study)s", study=repr(study))) from exc
    if not found.published:
        # a roadmap is public: built from an unpublished study, it would show everyone the
        # synthesis (and which items reached consensus) that the study still keeps to its
        # coordinators
        raise InvalidRoadmapError(
            Message(
                "Delphi study %(slug)s has not published its results yet; publish them on "
                "the study's page before building a roadmap from it",
                slug=repr(found.slug),
            ),
            field="study",
        )
    return found


def roadmap_from_delphi(
    session: Session,
    study: str,
    *,
    actor_id: int | None = None,
    regions: RegionCatalog | None = None,
    dry_run: bool = False,
) -> RoadmapSummary:
    """Create a roadmap from a Delphi study's synthesised actions, each linked to its items.

    Pillars are the actions' pillars, priorities their sub-topics. The study must have
    published its results: the roadmap is public.

    :param session: the platform database session.
    :param study: the study's slug (or id).
    :param actor_id: the editor.
    :param regions: region catalog (the new roadmap has no indicators yet).
    :param dry_run: build and check, store nothing.
    """
    found = _published_study(session, study)
    actions = list_actions(session, found.id)
    if not actions:
        raise RoadmapNotFoundError(
            Message(
                "Delphi study %(slug)s has no synthesised actions yet",
                slug=repr(found.slug),
            )
        )
    labels = {s.code: s.label for s in list_subtopics(session, found.id)}
    tree: dict[str, dict[str, list[Action]]] = {}
    for action in actions:
        pillar = action.pillar or "Actions"
        subtopic = action.subtopic_code or "general"
        tree.setdefault(pillar, {}).setdefault(subtopic, []).append(
            Action(
                code=action.code,
                title=action.title,
                description=action.description,
                delphi_items=tuple(f"{found.slug}/{code}" for code in action.item_codes),
            )
        )
    pillars = []
    for i, (pillar, subtopics) in enumerate(tree.items(), start=1):
        priorities = tuple(
            Priority(code=f"P{i}.{code}", title=labels.get(code, code), actions=tuple(items))
            for code, items in subtopics.items()
        )
        pillars.append(Pillar(code=f"P{i}", title=pillar, priorities=priorities))
    slug = f"delphi-{found.slug}".lower()[:80]
    if not SLUG.match(slug):
        slug = f"delphi-study-{found.id}"
    roadmap = Roadmap(
        slug=slug,
        title=f"Actions from the Delphi study: {found.title}",
        description=f"Synthesised from the final items of Delphi study {found.slug}.",
        source=Source(
            title=f"PerMed Atlas Delphi study {found.slug!r}", note="built by PerMed Atlas"
        ),
        pillars=tuple(pillars),
    )
    return create_roadmap(
        session,
        roadmap,
        regions=regions,
        actor_id=actor_id,
        dry_run=dry_run,
        where=f"delphi study {found.slug}",
    )
