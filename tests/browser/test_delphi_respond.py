"""An expert completes a Delphi round in a real Chromium: phone-sized, keyboard and mouse."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tests.browser.actions import submit
from tests.delphi.factories import make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.models import CarryDecision
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import (
    issue_invitations,
    list_items,
    open_round,
    ratings_of_expert,
    start_next_round,
)

pytestmark = pytest.mark.browser


def _round_two(engine: Engine, base_url: str):  # type: ignore[no-untyped-def]
    """Round one answered and closed; round two open with two carried items and a new one."""
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=10, n_items=3)
        i1, i2, i3 = s.items
        for n, expert in enumerate(s.experts):
            submit_ratings(
                session, s.tokens[expert.id], ratings={i1.id: 5, i2.id: 2 + n % 4, i3.id: 1 + n % 5}
            )
        close_round(session, s.round.id)
        nxt = start_next_round(
            session, s.round.id, decisions={"I3": CarryDecision(statement="Statement 3, reworded.")}
        )
        open_round(session, nxt.id)
        expert = s.experts[0]
        issued = {i.expert.id: i for i in issue_invitations(session, nxt.id, base_url=base_url)}
        session.commit()
        items = list_items(session, nxt.id)
    return expert, issued[expert.id].link, nxt, items


def test_expert_completes_round_two_on_a_phone(page, live_server, engine, screenshot) -> None:  # type: ignore[no-untyped-def]
    expert, link, round_two, items = _round_two(engine, live_server)
    assert [i.code for i in items] == ["I2", "I3"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Pillar one: round 2"
    feedback = page.get_by_test_id("feedback")
    assert feedback.count() == 2
    # expert 1 rated I2 "2" and I3 "1" in round one
    assert "Your rating then: 2" in feedback.nth(0).inner_text()
    assert "Your rating then: 1" in feedback.nth(1).inner_text()
    assert page.get_by_role("img", name="Round 1 panel ratings").count() == 2
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("phone-form")

    # keyboard only for the first item: tab into the group, arrows move the choice
    first = items[0]
    page.locator(f"#r-{first.id}-1").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator(f"#r-{first.id}-4").is_checked()
    page.get_by_label("Comment (optional)").nth(0).fill("Now convinced.")
    submit(page, page.get_by_test_id("save"))
    assert "1 answer saved" in page.get_by_test_id("form-notice").inner_text()
    assert "1 of 2 items answered" in page.get_by_test_id("progress").inner_text()

    # later: the second item by tapping its label, then "no opinion" changes it
    second = items[1]
    page.locator(f"label[for='r-{second.id}-5']").click()
    submit(page, page.get_by_test_id("save"))
    page.locator(f"label[for='r-{second.id}-na']").click()
    submit(page, page.get_by_test_id("save"))
    assert "2 of 2 items answered" in page.get_by_test_id("progress").inner_text()
    assert page.locator(f"#r-{second.id}-na").is_checked()
    screenshot("phone-saved")

    with session_factory(engine)() as session:
        stored = ratings_of_expert(session, round_two.id, expert.id)
        assert {k: (v.value, v.comment) for k, v in stored.items()} == {
            first.id: (4, "Now convinced."),
            second.id: (None, ""),
        }
        close_round(session, round_two.id)
        session.commit()
    page.reload()
    assert page.get_by_test_id("round-closed").is_visible()
    assert page.get_by_test_id("save").count() == 0


def test_invalid_link_shows_a_clear_message(page, live_server) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(f"{live_server}/delphi/respond/not-a-token")
    assert response is not None and response.status == 404
    assert "not valid" in page.get_by_test_id("form-error").inner_text()
