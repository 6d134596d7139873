"""The roadmap store on a real (migrated SQLite) platform database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from permed_atlas.accounts import create_user, list_audit
from permed_atlas.landscape import region_countries
from permed_atlas.roadmap import (
    ObservationError,
    ObservationInput,
    RoadmapExistsError,
    RoadmapNotFoundError,
    ScopeError,
    add_observation,
    assess_indicator,
    create_indicator,
    get_indicator,
    get_roadmap,
    import_roadmap,
    list_indicators,
    list_observations,
    list_roadmaps,
    load_bundled_roadmaps,
    load_demo_observations,
    roadmap_scorecard,
)
from permed_atlas.roadmap.models import Scope
from permed_atlas.roadmap.tables import ObservationRow

from .factories import make_indicator

TODAY = date(2026, 11, 23)

IC2PERMED_TREE = {
    "Shaping sustainable healthcare": {
        "Empowering responsible citizens": ["Health literacy", "Research", "Public trust", "ELSI"],
        "A trained and up-to-date healthcare workforce": [
            "Education and ethics",
            "Collaborations",
            "Policies",
        ],
        "Healthcare systems' sustainability": [
            "Resources",
            "ELSI and costs",
            "Evaluation",
            "Networks",
        ],
    },
    "Innovation and market": {
        "Bringing innovation to market": [
            "Cost-effectiveness",
            "Needs assessment",
            "Principles and guidelines",
            "Perspectives",
        ],
        "Adopting Big Data and ICT solutions": [
            "Data exchange",
            "Privacy, security and trust",
            "Standards",
        ],
    },
    "Research and clinical studies in PM": {
        "Fostering research funding": ["Patient needs", "Value chain", "Synergies"],
        "Translating basic clinical research and beyond": [
            "Omics sciences",
            "Data and standards",
            "Collaborations",
        ],
    },
}


@pytest.fixture
def loaded(session: Session) -> Session:
    load_bundled_roadmaps(session)
    session.commit()
    return session


def _obs(code: str, when: date, value: float, unit: str = "%") -> ObservationInput:
    return ObservationInput(indicator=code, observed_on=when, value=value, unit=unit, source="t")


def test_bundled_ic2permed_roadmap_has_the_issue_tree(loaded: Session) -> None:
    roadmap = get_roadmap(loaded, "ic2permed")
    tree = {
        pillar.title: {p.title: [a.title for a in p.actions] for p in pillar.priorities}
        for pillar in roadmap.pillars
    }
    assert tree == IC2PERMED_TREE
    assert roadmap.source.url and roadmap.source.checked == "2026-11-23"
    assert all(action.description for _, _, action in roadmap.actions())
    sino = get_roadmap(loaded, "sino-eu-permed")
    assert [a.title for _, _, a in sino.actions()] == [
        "Exchange platform",
        "Continuous dialogue",
        "Implementation learning",
        "Funding coordination",
        "Data protection guidance",
        "Data sharing pilots",
    ]


def test_loading_twice_changes_nothing(loaded: Session) -> None:
    before = list_roadmaps(loaded)
    report = load_demo_observations(loaded, today=TODAY)
    assert report.stored > 20
    again = load_bundled_roadmaps(loaded)
    second = load_demo_observations(loaded, today=TODAY)
    assert second.stored == 0 and second.skipped_existing == report.stored
    assert [s.slug for s in again] == [s.slug for s in before]
    assert list_roadmaps(loaded) == before
    count = loaded.scalar(select(func.count()).select_from(ObservationRow))
    assert count == report.stored


def test_dpyd_indicator_has_the_issue_figures(loaded: Session) -> None:
    eu = get_indicator(loaded, "dpyd-centres-eu27")
    assert eu.target_value == 70 and eu.target_date == date(2030, 12, 31)
    assert 20 <= eu.baseline_value <= 30 and eu.direction == "increase"
    centres = [i for i in list_indicators(loaded, roadmap="ic2permed") if i.scope.centre]
    regions = {i.scope.region for i in centres}
    assert regions == {"EU27", "CN"} and len(centres) >= 6
    assert {i.scope.level for i in centres} == {"centre"}


def test_demo_scorecard_differs_between_eu_and_china(loaded: Session) -> None:
    load_demo_observations(loaded, today=TODAY)
    card = roadmap_scorecard(loaded, "ic2permed")
    assert card.regions[:2] == ("EU27", "CN")
    row = card.row("III.2.a")
    assert row.region("EU27").total >= 5 and row.region("CN").total >= 5
    statuses = {a for r in card.rows for _, c in r.by_region for a in [c.status]}
    assert {"on track", "off track"} <= statuses


def test_add_observation_is_stored_and_audited(loaded: Session) -> None:
    user = create_user(loaded, email="ed@example.org", password="long-password-1", role="editor")
    stored = add_observation(
        loaded,
        _obs("dpyd-demo-berlin", date(2024, 5, 1), 41.5),
        actor_id=user.id,
        entered_by=user.email,
        today=TODAY,
    )
    loaded.commit()
    assert stored.value == 41.5 and stored.entered_by == "ed@example.org"
    assert [o.observed_on for o in list_observations(loaded, "dpyd-demo-berlin")] == [
        date(2024, 5, 1)
    ]
    entries = list_audit(loaded, action="roadmap.observation.add")
    assert entries[0].actor_id == user.id and entries[0].target == "indicator:dpyd-demo-berlin"
    assert assess_indicator(loaded, "dpyd-demo-berlin").n_observations == 1


@pytest.mark.parametrize(
    ("observation", "field", "message"),
    [
        (_obs("dpyd-demo-berlin", date(2024, 5, 1), 41, unit="patients"), "unit", "not the unit"),
        (_obs("dpyd-demo-berlin", date(2022, 5, 1), 41), "date", "before the baseline"),
        (_obs("dpyd-demo-berlin", date(2027, 5, 1), 41), "date", "in the future"),
        (_obs("dpyd-demo-berlin", date(2024, 5, 1), 141), "value", "not a percentage"),
    ],
)
def test_bad_observations_are_refused_with_the_field(
    loaded: Session, observation: ObservationInput, field: str, message: str
) -> None:
    with pytest.raises(ObservationError, match=message) as caught:
        add_observation(loaded, observation, actor_id=None, entered_by="t", today=TODAY)
    assert caught.value.field == field
    assert list_observations(loaded, "dpyd-demo-berlin") == []


def test_units_accept_percent_spellings(loaded: Session) -> None:
    for i, unit in enumerate(["%", "percent", "% of patients", "% OF PATIENTS"]):
        add_observation(
            loaded,
            _obs("dpyd-demo-berlin", date(2024, 1 + i, 1), 30 + i, unit=unit),
            actor_id=None,
            entered_by="t",
            today=TODAY,
        )
    assert len(list_observations(loaded, "dpyd-demo-berlin")) == 4


def test_second_observation_on_a_date_is_refused(loaded: Session) -> None:
    add_observation(
        loaded,
        _obs("dpyd-demo-lyon", date(2024, 3, 1), 31),
        actor_id=None,
        entered_by="t",
        today=TODAY,
    )
    with pytest.raises(ObservationError, match="already has an observation"):
        add_observation(
            loaded,
            _obs("dpyd-demo-lyon", date(2024, 3, 1), 32),
            actor_id=None,
            entered_by="t",
            today=TODAY,
        )


def test_unknown_indicator_is_not_found(loaded: Session) -> None:
    with pytest.raises(RoadmapNotFoundError, match="no indicator 'nope'"):
        add_observation(loaded, _obs("nope", date(2024, 1, 1), 1), actor_id=None, entered_by="t")
    with pytest.raises(RoadmapNotFoundError):
        get_roadmap(loaded, "nope")


@pytest.mark.parametrize(
    ("scope", "field", "message"),
    [
        (Scope(region="ATLANTIS"), "region", "unknown region 'ATLANTIS'"),
        (Scope(region="EU27", country="XX"), "country", "not an ISO 3166-1"),
        (Scope(region="EU27", country="CN"), "country", "CN is not in region EU27"),
        (Scope(region="CN", centre="Somewhere"), "centre", "needs the country"),
    ],
)
def test_unknown_scopes_are_refused(
    loaded: Session, scope: Scope, field: str, message: str
) -> None:
    indicator = make_indicator(code="new-one", actions=("I.1.a",))
    fields = {**indicator.__dict__, "roadmap": "ic2permed", "scope": scope}
    indicator = indicator.__class__(**fields)
    with pytest.raises(ScopeError, match=message) as caught:
        create_indicator(loaded, indicator, regions=region_countries())
    assert caught.value.field == field


def test_create_indicator_checks_actions_and_codes(loaded: Session) -> None:
    base = make_indicator(code="health-literacy-de", actions=("I.1.a",))
    indicator = base.__class__(
        **{**base.__dict__, "roadmap": "ic2permed", "scope": Scope("EU27", "de", None)}
    )
    created = create_indicator(loaded, indicator, actor_id=None)
    assert created.scope.country == "DE"
    with pytest.raises(RoadmapExistsError):
        create_indicator(loaded, indicator)
    bad = indicator.__class__(**{**indicator.__dict__, "code": "x2", "action_codes": ("Z.9",)})
    with pytest.raises(Exception, match="no action 'Z.9'"):
        create_indicator(loaded, bad)
    assert list_audit(loaded, action="roadmap.indicator.create")


OWN_ROADMAP = """
slug: eu-africa-pm
title: EU-Africa PM roadmap
source: {title: "Workshop notes", checked: "2026-11-20"}
pillars:
  - code: P1
    title: Capacity
    priorities:
      - code: P1.1
        title: Genomic labs
        actions:
          - {code: P1.1.a, title: Lab network, description: Shared sequencing labs,
             delphi_items: ["africa-study/ITEM-03"]}
indicators:
  - code: labs-eu
    name: Accredited genomic labs
    definition: Number of accredited labs.
    unit: labs
    direction: increase
    baseline: {value: 4, date: 2024-01-01}
    target: {value: 12, date: 2030-12-31}
    scope: {region: EU27, country: FR}
    actions: [P1.1.a]
"""


def test_editors_add_their_own_roadmap(loaded: Session) -> None:
    dry = import_roadmap(loaded, OWN_ROADMAP, where="own.yaml", dry_run=True)
    assert dry.actions == 1 and dry.indicators == 1
    assert "eu-africa-pm" not in [s.slug for s in list_roadmaps(loaded)]
    summary = import_roadmap(loaded, OWN_ROADMAP, where="own.yaml", actor_id=None)
    loaded.commit()
    assert not summary.bundled
    roadmap = get_roadmap(loaded, "eu-africa-pm")
    assert roadmap.actions()[0][2].delphi_items == ("africa-study/ITEM-03",)
    assert get_indicator(loaded, "labs-eu").scope.country == "FR"
    with pytest.raises(RoadmapExistsError, match="already exists"):
        import_roadmap(loaded, OWN_ROADMAP, where="own.yaml")
    assert list_audit(loaded, action="roadmap.create")


def test_a_bad_roadmap_names_the_field_and_stores_nothing(loaded: Session) -> None:
    bad = OWN_ROADMAP.replace("country: FR", "country: US")
    with pytest.raises(ScopeError, match="own.yaml: labs-eu: country: US is not in region EU27"):
        import_roadmap(loaded, bad, where="own.yaml")
    broken = OWN_ROADMAP.replace("title: Lab network, ", "")
    with pytest.raises(Exception, match=r"pillars\[0\]\.priorities\[0\]\.actions\[0\]\.title"):
        import_roadmap(loaded, broken, where="own.yaml")
    with pytest.raises(Exception, match="own.yaml:2: not valid YAML"):
        import_roadmap(loaded, "slug: [x\ntitle: y\n  bad: : :", where="own.yaml")
    assert "eu-africa-pm" not in [s.slug for s in list_roadmaps(loaded)]


def test_bundled_files_are_real_files(tmp_path: Path, session: Session) -> None:
    folder = tmp_path / "roadmaps"
    folder.mkdir()
    (folder / "own.yaml").write_text(OWN_ROADMAP, encoding="utf-8")
    loaded = load_bundled_roadmaps(session, folder=folder)
    assert [s.slug for s in loaded] == ["eu-africa-pm"] and loaded[0].bundled
    (folder / "own.yaml").write_text(OWN_ROADMAP.replace("Lab network", "Lab networks"))
    load_bundled_roadmaps(session, folder=folder)
    assert get_roadmap(session, "eu-africa-pm").actions()[0][2].title == "Lab networks"
