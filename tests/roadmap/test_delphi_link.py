"""Roadmap actions built from, and linked back to, the Delphi items they came from."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from permed_atlas.roadmap import (
    RoadmapNotFoundError,
    delphi_item_links,
    get_roadmap,
    roadmap_from_delphi,
)

delphi = pytest.importorskip("permed_atlas.delphi")


def test_a_roadmap_from_a_delphi_study_links_every_action_to_its_items(session: Session) -> None:
    study = delphi.load_demo_study(session)
    synthesised = delphi.list_actions(session, study.id)
    dry = roadmap_from_delphi(session, study.slug, dry_run=True)
    assert dry.actions == len(synthesised)
    summary = roadmap_from_delphi(session, study.slug)
    roadmap = get_roadmap(session, summary.slug)
    by_code = {action.code: action for _, _, action in roadmap.actions()}
    for action in synthesised:
        assert by_code[action.code].delphi_items == tuple(
            f"{study.slug}/{code}" for code in action.item_codes
        )
    refs = [ref for action in by_code.values() for ref in action.delphi_items]
    links = delphi_item_links(session, [*refs, "no-such-study/X-1"])
    assert set(links) == set(refs)
    assert all(url == f"/delphi/studies/{study.id}/synthesis" for url in links.values())


def test_unknown_study_is_not_found(session: Session) -> None:
    with pytest.raises(RoadmapNotFoundError, match="no Delphi study 'nope'"):
        roadmap_from_delphi(session, "nope")
