"""A save and the round's close at the same moment: the save is refused or counted.

The save read the round as open, then wrote its answers; a close in between recorded the
items' outcomes without them. The expert was told "saved", the answers stayed in the closed
round, and the recorded outcome ("no valid ratings") disagreed with the stored ratings, on
SQLite and PostgreSQL alike. Each test pauses one side at its first write and lets the
other run as far as it can.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, select
from tests.delphi.factories import OpenStudy, make_open_study
from tests.races import WAIT, pause_at

from permed_atlas.db import session_factory
from permed_atlas.delphi import service
from permed_atlas.delphi.store import list_ratings
from permed_atlas.delphi.tables import ItemRow


def _race(engine: Engine, first: str, statement: str) -> tuple[OpenStudy, dict[str, object]]:
    factory = session_factory(engine)
    with factory() as session:
        s = make_open_study(session, n_experts=6, n_items=1)
        session.commit()
    token, item = s.tokens[s.experts[0].id], s.items[0].id
    outcome: dict[str, object] = {}

    def save() -> None:
        try:
            with factory() as session:
                service.submit_ratings(session, token, ratings={item: 5})
                session.commit()
            outcome["save"] = "saved"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            outcome["save"] = exc

    def close() -> None:
        with factory() as session:
            service.close_round(session, s.round.id)
            session.commit()

    sides = {"save": save, "close": close}
    reached, release = pause_at(engine, first, statement)
    threads = {name: threading.Thread(target=run, name=name) for name, run in sides.items()}
    threads[first].start()
    assert reached.wait(30)
    second = next(name for name in sides if name != first)
    threads[second].start()
    threads[second].join(WAIT)  # as far as it gets while the first is paused
    release()
    for thread in threads.values():
        thread.join(30)
    return s, outcome


def _consistent(engine: Engine, s: OpenStudy, outcome: dict[str, object]) -> None:
    with session_factory(engine)() as session:
        stored = list_ratings(session, s.round.id)
        reason = session.scalar(select(ItemRow.outcome_reason).where(ItemRow.id == s.items[0].id))
    if outcome["save"] == "saved":
        # the close waited for the save and counted it
        assert len(stored) == 1 and "n=1" in str(reason), reason
    else:
        assert "round 1 is closed" in str(outcome["save"])
        assert stored == [] and "no valid ratings" in str(reason), reason


def test_a_close_while_a_save_is_under_way_counts_it_or_refuses_it(race_engine: Engine) -> None:
    # the save has read the round as open and is about to write
    s, outcome = _race(race_engine, "save", "UPDATE DELPHI_INVITATION")
    _consistent(race_engine, s, outcome)


def test_a_save_while_the_round_is_being_closed_is_refused(race_engine: Engine) -> None:
    # the close has marked the round closed and is about to record the outcomes
    s, outcome = _race(race_engine, "close", "UPDATE DELPHI_ITEM")
    assert outcome["save"] != "saved"
    _consistent(race_engine, s, outcome)
