"""Outcome reasons stored before delphi_0004 read back into key and values (delphi_0005, #18).

The parser is checked on the reasons the code composes (closing, carried, dropped, nested,
with the coordinator's words), on English it must refuse (hand-written, older templates,
ambiguous), and the migration on a database holding the demo study whose keys were lost
(down to delphi_0003, up again): every reason renders in Chinese as it did, a hand-written one
stays NULL and shows its English. On SQLite, and on PostgreSQL when scripts/start-postgres.sh
found a server (a throwaway database of its own).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, make_url, text

from permed_atlas.db import MIGRATIONS_DIR, make_engine, session_factory
from permed_atlas.delphi import load_demo_study
from permed_atlas.delphi.reason_parsing import parse_english_reason
from permed_atlas.delphi.reasons import (
    OutcomeReason,
    carried_reason,
    closing_reason,
    dropped_reason,
    outcome_reason_shown,
)
from permed_atlas.delphi.store import list_items, list_rounds, list_surveys
from permed_atlas.i18n import translated, use_language

CLOSED = closing_reason(
    "none", round_number=1, share_agree=0.5333, share_disagree=0.0278, median=3.5, iqr=1.25,
    n_valid=36,
)  # fmt: skip
HAND_WRITTEN = "closed by the steering group"


def _chinese(reason: OutcomeReason) -> str:
    with use_language("zh"):
        return translated(reason.message())


@pytest.mark.parametrize(
    "reason",
    [
        CLOSED,
        closing_reason(
            "include",
            round_number=2,
            share_agree=1.0,
            share_disagree=0.0,
            median=5.0,
            iqr=0.0,
            n_valid=12,
        ),  # fmt: skip
        closing_reason(
            "exclude",
            round_number=3,
            share_agree=None,
            share_disagree=None,
            median=None,
            iqr=None,
            n_valid=0,
        ),  # fmt: skip
        carried_reason(2, rerating=True, reworded=True, why="", earlier=CLOSED),
        carried_reason(
            2, rerating=False, reworded=True, why="split: two items; see note", earlier=CLOSED
        ),  # fmt: skip
        dropped_reason(2, why="", not_selected=True, earlier=CLOSED),
        dropped_reason(2, why="", not_selected=False, earlier=CLOSED),
        # an item carried with words, then added again under its code (store.add_item)
        carried_reason(
            2,
            rerating=False,
            reworded=True,
            why="",
            earlier=carried_reason(
                2, rerating=False, reworded=False, why="merged; see A3", earlier=CLOSED
            ),
        ),  # fmt: skip
    ],
)
def test_a_composed_reason_reads_back_and_renders_the_same(reason: OutcomeReason) -> None:
    parsed = parse_english_reason(reason.english())
    assert parsed is not None
    assert parsed.english() == reason.english()
    assert _chinese(parsed) == _chinese(reason)
    assert parsed.key == reason.key


def test_shares_come_back_as_the_english_shows_them() -> None:
    parsed = parse_english_reason(CLOSED.english())
    assert parsed is not None
    figures = parsed.values["figures"]
    assert isinstance(figures, OutcomeReason)
    assert dict(figures.values) == {"share_agree": 0.53, "share_disagree": 0.03,
                                    "median": 3.5, "iqr": 1.25, "n": 36}  # fmt: skip


@pytest.mark.parametrize(
    "english",
    [
        HAND_WRITTEN,
        "no consensus in round 2",  # no figures: not what the templates write
        "no consensus in round 2 (share agree 53%, median 3.5, n=36)",
        "carried to round 2",  # a step with no earlier reason
        CLOSED.english() + " ",
        # the coordinator's words end as a step would: two readings, neither is chosen
        dropped_reason(
            3, why="vague; carried to round 2", not_selected=False, earlier=CLOSED
        ).english(),  # fmt: skip
        dropped_reason(
            3,
            why="out of scope",
            not_selected=False,
            earlier=carried_reason(2, rerating=False, reworded=False, why="", earlier=CLOSED),
        ).english(),  # fmt: skip
    ],
)
def test_english_the_templates_do_not_write_exactly_once_is_not_read(english: str) -> None:
    assert parse_english_reason(english) is None


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    return config


def _shown_in_chinese(engine: Engine) -> dict[int, tuple[str, str]]:
    """Each reasoned item's stored English and its reason as a Chinese page shows it."""
    with session_factory(engine)() as session, use_language("zh"):
        items = [i for sv in list_surveys(session, 1) for r in list_rounds(session, sv.id)
                 for i in list_items(session, r.id) if i.outcome_reason]  # fmt: skip
        return {
            i.id: (i.outcome_reason, translated(outcome_reason_shown(i.outcome_reason,
                                                                     i.outcome_reason_json)))
            for i in items
        }  # fmt: skip


def _check_backfill(engine: Engine) -> None:
    config = _config(engine)
    command.upgrade(config, "heads")
    with session_factory(engine)() as session:
        assert load_demo_study(session).id == 1
        session.commit()
    with engine.begin() as c:
        hand = c.execute(text("SELECT min(id) FROM delphi_item WHERE outcome_reason <> ''"))
        hand_id = hand.scalar_one()
        c.execute(text("UPDATE delphi_item SET outcome_reason = :r WHERE id = :i"),
                  {"r": HAND_WRITTEN, "i": hand_id})  # fmt: skip
    before = _shown_in_chinese(engine)
    assert before[hand_id] == (HAND_WRITTEN, HAND_WRITTEN)
    assert sum(1 for english, chinese in before.values() if english != chinese) >= 40

    # the keys are lost (as for rows written before delphi_0004), then read back
    command.downgrade(config, "delphi_0003_study_languages")
    command.upgrade(config, "delphi_0004_outcome_reason_json")
    with engine.begin() as c:
        nulls = c.execute(text("SELECT count(*) FROM delphi_item WHERE outcome_reason <> '' "
                               "AND outcome_reason_json IS NULL")).scalar_one()  # fmt: skip
    assert nulls == len(before)
    command.upgrade(config, "heads")
    with engine.begin() as c:
        stored = dict(c.execute(text("SELECT id, outcome_reason_json FROM delphi_item "
                                     "WHERE outcome_reason <> ''")).all())  # fmt: skip
    assert stored[hand_id] is None  # no reading: the English stays the record
    assert all(stored[i] for i in stored if i != hand_id)
    assert _shown_in_chinese(engine) == before  # same English kept, same Chinese shown
    # down to delphi_0004 keeps the filled keys (they say what the English says)
    command.downgrade(config, "delphi_0004_outcome_reason_json")
    assert _shown_in_chinese(engine) == before
    command.upgrade(config, "heads")


def test_backfill_migration_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    try:
        _check_backfill(engine)
    finally:
        engine.dispose()


def test_backfill_migration_on_postgres() -> None:
    url = os.environ.get("PERMED_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PERMED_TEST_POSTGRES_URL not set: scripts/start-postgres.sh found no server")
    # a database of its own: the demo study is committed, the server outlives the test
    name = f"permed_backfill_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        _check_backfill(engine)
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()
