"""The demo study: a complete two-round, three-pillar Delphi with a synthetic 40-expert panel.

Everything comes from data/delphi/demo_*.{yaml,csv}; the loader replays the study
through the same functions a real study uses (invitations, saves, closing, carrying).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from permed_atlas.delphi.definition import parse_round_plan
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.files import data_path, import_panel_file, load_study_file, read_yaml
from permed_atlas.delphi.models import Study
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import (
    get_study,
    issue_invitations,
    list_experts,
    list_final_items,
    list_items,
    list_rounds,
    list_surveys,
    open_round,
    save_action,
    save_subtopic,
    set_published,
    start_next_round,
)
from permed_atlas.delphi.tables import StudyRow
from permed_atlas.i18n import Message

DEMO_SLUG = "demo-eu-china-pm"
DEMO_BASE_URL = "http://127.0.0.1:8000"
_ROUND_DATES = {
    1: (datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 30, 18, tzinfo=UTC)),
    2: (datetime(2026, 4, 20, 9, tzinfo=UTC), datetime(2026, 5, 18, 18, tzinfo=UTC)),
}


def load_demo_study(session: Session) -> Study:
    """Load the demo study unless it is already there; returns it either way.

    :param session: the platform database session (the caller commits).
    """
    existing = session.scalar(select(StudyRow.id).where(StudyRow.slug == DEMO_SLUG))
    if existing is not None:
        return get_study(session, int(existing))
    from permed_atlas.delphi.store import create_study

    study = create_study(
        session,
        load_study_file(data_path("demo_study.yaml")),
        now=_ROUND_DATES[1][0] - timedelta(days=14),
    )
    import_panel_file(session, data_path("demo_panel.csv"), study_id=study.id)
    ratings = _read_ratings()
    plan = read_yaml(data_path("demo_round2.yaml"))
    for survey in list_surveys(session, study.id):
        refs = {e.ref: e.id for e in list_experts(session, survey.panel_id)}
        first = list_rounds(session, survey.id)[0]
        _run_round(session, first.id, ratings[(survey.pillar, 1)], refs, number=1)
        decisions, new_items = parse_round_plan(
            plan.get(survey.pillar), path=f"demo_round2.yaml: {survey.pillar}"
        )
        second = start_next_round(session, first.id, decisions=decisions, new_items=new_items)
        _run_round(session, second.id, ratings[(survey.pillar, 2)], refs, number=2)
    _load_synthesis(session, study)
    # the demo is a finished study: its coordinators published the results after round 2
    return set_published(session, study.id, published=True, now=_ROUND_DATES[2][1])


def _read_ratings() -> dict[tuple[str, int], dict[str, dict[str, str]]]:
    grouped: dict[tuple[str, int], dict[str, dict[str, str]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    with data_path("demo_ratings.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            grouped[(row["pillar"], int(row["round"]))][row["expert"]][row["item"]] = row["rating"]
    return grouped


def _run_round(
    session: Session,
    round_id: int,
    answers: dict[str, dict[str, str]],
    refs: dict[str, int],
    *,
    number: int,
) -> None:
    opens, closes = _ROUND_DATES[number]
    open_round(session, round_id, closes_at=closes)
    codes = {i.code: i.id for i in list_items(session, round_id)}
    by_expert = {
        issued.expert.id: issued.invitation.token
        for issued in issue_invitations(
            session, round_id, base_url=DEMO_BASE_URL, valid_for=timedelta(days=60), now=opens
        )
    }
    for offset, (ref, by_code) in enumerate(sorted(answers.items())):
        token = by_expert[refs[ref]]
        assert token is not None
        unknown = set(by_code) - set(codes)
        if unknown:
            raise StudyFileError(
                Message(
                    "demo_ratings.csv: round %(number)s has no item %(unknown)s",
                    number=number,
                    unknown=sorted(unknown),
                )
            )
        submit_ratings(
            session,
            token,
            ratings={codes[c]: v for c, v in by_code.items()},
            now=opens + timedelta(hours=6 * (offset + 1)),
        )
    close_round(session, round_id, now=closes)


def _load_synthesis(session: Session, study: Study) -> None:
    data = read_yaml(data_path("demo_synthesis.yaml"))
    for code, label in data["subtopics"].items():
        save_subtopic(session, study.id, code=code, label=label)
    finals = {}
    for survey in list_surveys(session, study.id):
        for item in list_final_items(session, survey.id):
            finals[(survey.pillar, item.code)] = item.id
    for action in data["actions"]:
        missing = [c for c in action["items"] if (action["pillar"], c) not in finals]
        if missing:
            raise StudyFileError(
                Message(
                    "demo_synthesis.yaml: action %(code)s: %(missing)s are not final items",
                    code=action["code"],
                    missing=missing,
                )
            )
        save_action(
            session,
            study.id,
            code=action["code"],
            title=action["title"],
            pillar=action["pillar"],
            subtopic_code=action["subtopic"],
            item_ids=[finals[(action["pillar"], c)] for c in action["items"]],
        )
