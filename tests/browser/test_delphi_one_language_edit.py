"""A coordinator fixes a typo in an item's English statement in Chromium: refused until they
tick that the Chinese statement still says the same, with what they typed kept meanwhile."""

from __future__ import annotations

import pytest
from tests.browser.actions import submit
from tests.delphi.factories import BILINGUAL_ITEMS, bilingual_study_draft

from permed_atlas.db import session_factory
from permed_atlas.delphi.store import create_study, list_items, list_rounds, list_surveys

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def test_a_one_language_fix_needs_the_confirmation(  # type: ignore[no-untyped-def]
    live_server: str, page, engine, make_user
) -> None:
    with session_factory(engine)() as session:
        study = create_study(session, bilingual_study_draft("eu-cn-typo"))
        round_ = list_rounds(session, list_surveys(session, study.id)[0].id)[0]
        item = list_items(session, round_.id)[0]
        session.commit()
    make_user("coord@example.org", "editor", PASSWORD)
    page.goto(f"{live_server}/login?next=/delphi/rounds/{round_.id}?lang=en")
    page.fill("input[name=email]", "coord@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/delphi/rounds/{round_.id}*")

    fixed = BILINGUAL_ITEMS[0][1].replace("genomic", "genomics")
    form = page.locator(f"form[action='/delphi/items/{item.id}']")
    page.locator("tr[data-code='B1'] summary").click()
    form.locator("input[name=statement]").fill(fixed)
    submit(page, form.get_by_role("button", name="Save item"))
    error = page.get_by_test_id("item-error")
    assert "statement was reworded but statement_zh was not" in error.inner_text()
    form = page.locator(f"form[action='/delphi/items/{item.id}']")
    assert form.locator("input[name=statement]").input_value() == fixed  # kept, form open

    form.locator("input[name=other_language_matches]").check()
    submit(page, form.get_by_role("button", name="Save item"))
    assert page.get_by_test_id("item-error").count() == 0
    assert fixed in page.locator("tr[data-code='B1'] th").inner_text()
