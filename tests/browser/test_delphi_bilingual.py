"""A Chinese expert answers a bilingual Delphi round in Chromium whose language is English:
the invitation decides, and the form's own switch shows the English texts on request."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine
from tests.browser.actions import submit
from tests.delphi.factories import BILINGUAL_ITEMS, bilingual_study_draft, expert_drafts

from permed_atlas.db import session_factory
from permed_atlas.delphi.store import (
    create_study,
    get_panel,
    import_panel,
    issue_invitations,
    list_items,
    list_rounds,
    list_surveys,
    open_round,
    ratings_of_expert,
)

pytestmark = pytest.mark.browser


def _bilingual_round(engine: Engine, base_url: str):  # type: ignore[no-untyped-def]
    draft = bilingual_study_draft("eu-cn-browser")
    with session_factory(engine)() as session:
        study = create_study(session, draft)
        # one expert invited in Chinese, one in English (the study's first language)
        english, chinese = expert_drafts(2)
        experts = import_panel(
            session,
            [replace(chinese, language="zh"), english],
            panel_id=get_panel(session, study.id).id,
        )
        round_ = list_rounds(session, list_surveys(session, study.id)[0].id)[0]
        open_round(session, round_.id)
        links = {
            i.expert.id: i.link for i in issue_invitations(session, round_.id, base_url=base_url)
        }
        session.commit()
        items = list_items(session, round_.id)
    return experts[0], links[experts[0].id], round_, items


def test_a_chinese_expert_answers_in_chinese(  # type: ignore[no-untyped-def]
    browser, live_server, engine, request
) -> None:
    from tests.browser.conftest import SCREENSHOTS

    expert, link, round_, items = _bilingual_round(engine, live_server)
    context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(link)
        assert page.evaluate("navigator.language") == "en-GB"
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading.startswith("数据") and "round" not in heading
        statements = page.get_by_test_id("statement")
        assert statements.all_inner_texts() == [zh for _c, _en, zh in BILINGUAL_ITEMS]
        save = page.get_by_test_id("save")
        assert save.inner_text() == "保存回答"

        # a comment without a rating: refused, in Chinese, and what was typed is kept
        page.locator(f"#c-{items[0].id}").fill("需要更多讨论")
        submit(page, save)
        assert "请选择一个评分" in page.get_by_test_id("form-error").inner_text()
        assert page.locator(f"#c-{items[0].id}").input_value() == "需要更多讨论"

        page.locator(f"label[for='r-{items[0].id}-5']").click()
        page.locator(f"label[for='r-{items[1].id}-na']").click()
        submit(page, page.get_by_test_id("save"))
        assert "已保存 2 个回答" in page.get_by_test_id("form-notice").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-zh-saved.png"), full_page=True)

        # the study is bilingual: the switch shows the English texts of the same form
        submit(page, page.get_by_test_id("language-switch").get_by_role("link", name="English"))
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_test_id("statement").nth(0).inner_text() == BILINGUAL_ITEMS[0][1]
        assert page.locator(f"#r-{items[0].id}-5").is_checked()
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-en.png"), full_page=True)
    finally:
        context.close()
    with session_factory(engine)() as session:
        saved = ratings_of_expert(session, round_.id, expert.id)
    assert {i: r.value for i, r in saved.items()} == {items[0].id: 5, items[1].id: None}
    assert saved[items[0].id].comment == "需要更多讨论"
