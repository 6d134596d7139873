"""Two admins taking each other's rights at the same moment leave one active admin.

"Is this the last active admin?" was read, then the account written: two transactions could
each still count the other, both write, and leave nobody to manage accounts. On SQLite the
reads ran outside any transaction (pysqlite begins one at the first write), so nothing made
the second wait. Each test pauses one side after its check and write, just before its audit
row, and lets the other run as far as it can.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.races import WAIT, pause_at

from permed_atlas.accounts import (
    LastAdminError,
    activate_user,
    count_admins,
    create_user,
    deactivate_user,
    set_role,
)
from permed_atlas.accounts.tables import UserRow
from permed_atlas.db import session_factory

Change = Callable[[Session, int, int], object]


def _deactivate(session: Session, user_id: int, actor_id: int) -> object:
    return deactivate_user(session, user_id, actor_id=actor_id)


def _demote(session: Session, user_id: int, actor_id: int) -> object:
    return set_role(session, user_id, role="editor", actor_id=actor_id)


def _race(engine: Engine, first: Change, second: Change) -> dict[str, object]:
    """Admin a applies ``first`` to admin b while b applies ``second`` to a."""
    factory = session_factory(engine)
    with factory() as session:
        a = create_user(session, email="a@example.org", password="long-enough-pw", role="admin")
        b = create_user(session, email="b@example.org", password="long-enough-pw", role="admin")
        session.commit()
    outcome: dict[str, object] = {}

    def run(name: str, change: Change, target: int, actor: int) -> None:
        try:
            with factory() as session:
                change(session, target, actor)
                session.commit()
            outcome[name] = "done"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
            outcome[name] = exc

    reached, release = pause_at(engine, "a", "INSERT INTO AUDIT_LOG")
    threads = {
        "a": threading.Thread(target=run, name="a", args=("a", first, b.id, a.id)),
        "b": threading.Thread(target=run, name="b", args=("b", second, a.id, b.id)),
    }
    threads["a"].start()
    assert reached.wait(30)
    threads["b"].start()
    threads["b"].join(WAIT)  # as far as it gets while a is paused
    release()
    for thread in threads.values():
        thread.join(60)
    with factory() as session:
        outcome["admins"] = count_admins(session)
    return outcome


@pytest.mark.parametrize(
    ("first", "second"),
    [(_deactivate, _deactivate), (_demote, _demote), (_deactivate, _demote)],
    ids=["deactivate-deactivate", "demote-demote", "deactivate-demote"],
)
def test_two_admins_removing_each_other_at_once_leave_one(
    race_engine: Engine, first: Change, second: Change
) -> None:
    outcome = _race(race_engine, first, second)
    assert outcome["admins"] == 1, outcome
    # the paused side got there first; the other waited for it and was refused
    assert outcome["a"] == "done", outcome
    assert isinstance(outcome["b"], LastAdminError), outcome


@pytest.mark.parametrize("change", [_demote, _deactivate], ids=["demote", "deactivate"])
def test_the_account_is_read_again_after_the_lock(race_engine: Engine, change: Change) -> None:
    # The session had loaded c as no active admin (as a request loads its own user);
    # meanwhile c was made an active admin and a, the other admin, demoted. Deciding from
    # the loaded copy would skip the check and leave nobody.
    factory = session_factory(race_engine)
    with factory() as setup:
        a = create_user(setup, email="a@example.org", password="long-enough-pw", role="admin")
        c = create_user(setup, email="c@example.org", password="long-enough-pw", role="editor")
        if change is _deactivate:
            set_role(setup, c.id, role="admin", actor_id=a.id)
            deactivate_user(setup, c.id, actor_id=a.id)
        setup.commit()
    with factory() as stale:
        loaded = stale.get(UserRow, c.id)  # held: the identity map keeps only weak references
        with factory() as other:
            set_role(other, c.id, role="admin", actor_id=a.id)
            activate_user(other, c.id, actor_id=a.id)
            set_role(other, a.id, role="editor", actor_id=c.id)
            other.commit()
        with pytest.raises(LastAdminError, match="c@example.org"):
            change(stale, c.id, c.id)
        assert loaded is not None
    with factory() as session:
        assert count_admins(session) == 1
