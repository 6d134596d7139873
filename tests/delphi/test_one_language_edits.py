"""An item's statement or a pillar's title reworded in one language only is refused (the
other language's experts would rate the old text) unless the editor confirms the other
language still says the same: in the store, the round and study pages' forms and the JSON API."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.delphi.factories import BILINGUAL_ITEMS, bilingual_study_draft, make_open_study

from permed_atlas.accounts import list_audit
from permed_atlas.db import session_factory
from permed_atlas.delphi._rewording import reworded_alone
from permed_atlas.delphi.errors import StudyFileError
from permed_atlas.delphi.models import Item, Survey
from permed_atlas.delphi.store import (
    create_study,
    get_item,
    get_survey,
    list_items,
    list_rounds,
    list_surveys,
    update_item,
    update_survey,
)
from permed_atlas.i18n import use_language

_, EN, ZH = BILINGUAL_ITEMS[0]
TYPO_FIX = EN.replace("genomic", "genomics")


def _draft_round(session: Session, slug: str = "eu-cn-edit") -> tuple[Survey, list[Item]]:
    """A bilingual study's pillar and the items of its draft first round."""
    study = create_study(session, bilingual_study_draft(slug))
    survey = list_surveys(session, study.id)[0]
    return survey, list_items(session, list_rounds(session, survey.id)[0].id)


# -- the rule, pure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ({"statement": "New", "statement_zh": None}, ("statement", "statement_zh")),
        ({"statement": "Old", "statement_zh": "新"}, ("statement_zh", "statement")),
        ({"statement": "New", "statement_zh": "新"}, None),  # both reworded
        ({"statement": " Old ", "statement_zh": ""}, None),  # nothing reworded
        ({"statement": "", "statement_zh": None}, None),  # a blank text keeps the old one
    ],
)
def test_reworded_alone_names_the_reworded_and_the_left_field(
    new: dict[str, str | None], expected: tuple[str, str] | None
) -> None:
    old = {"statement": "Old", "statement_zh": "旧"}
    assert reworded_alone(old, new, "statement") == expected


def test_a_text_in_one_language_only_is_never_reworded_alone() -> None:
    assert reworded_alone({"title": "Old", "title_zh": ""}, {"title": "New"}, "title") is None


# -- the store -------------------------------------------------------------------------------


def test_the_store_refuses_an_item_reworded_in_english_only(session: Session) -> None:
    _, items = _draft_round(session)
    with pytest.raises(StudyFileError) as refused:
        update_item(session, items[0].id, statement=TYPO_FIX, statement_zh=ZH)
    assert refused.value.field == "statement_zh"
    message = str(refused.value)
    assert "item 'B1'" in message and "statement was reworded but statement_zh was not" in message
    with use_language("zh"):
        chinese = refused.value.translated()
    assert chinese.startswith("条目 'B1'：改写了 statement，但 statement_zh 未改")


def test_the_store_refuses_an_item_reworded_in_chinese_only(session: Session) -> None:
    _, items = _draft_round(session)
    with pytest.raises(StudyFileError) as refused:
        update_item(session, items[1].id, statement_zh="资助联合的生物样本库审计")
    assert refused.value.field == "statement"
    assert "item 'B2': statement_zh was reworded but statement was not" in str(refused.value)


def test_a_confirmed_one_language_fix_and_a_rewording_in_both_go_through(
    session: Session,
) -> None:
    _, items = _draft_round(session)
    fixed = update_item(session, items[0].id, statement=TYPO_FIX, other_language_matches=True)
    assert (fixed.statement, fixed.statement_zh) == (TYPO_FIX, ZH)
    both = update_item(session, items[1].id, statement="Audit biobanks", statement_zh="审计样本库")
    assert (both.statement, both.statement_zh) == ("Audit biobanks", "审计样本库")


def test_an_item_in_one_language_is_reworded_without_confirmation(session: Session) -> None:
    built = make_open_study(session, open_first=False)
    edited = update_item(session, built.items[0].id, statement="Reworded")
    assert edited.statement == "Reworded"


def test_the_store_refuses_a_pillar_title_renamed_in_one_language(session: Session) -> None:
    survey, _ = _draft_round(session)
    with pytest.raises(StudyFileError) as refused:
        update_survey(session, survey.id, title="Data sharing", title_zh="数据")
    assert refused.value.field == "title_zh"
    assert "pillar 'P1': title was reworded but title_zh was not" in str(refused.value)
    with pytest.raises(StudyFileError, match="title_zh was reworded but title was not"):
        update_survey(session, survey.id, title_zh="数据共享")
    renamed = update_survey(session, survey.id, title="Data!", other_language_matches=True)
    assert (renamed.title, renamed.title_zh) == ("Data!", "数据")


# -- the web forms ---------------------------------------------------------------------------


@pytest.fixture
def editor(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    # a browser sends the token of the form it posts, not the header the login helper sets
    del client.headers["X-CSRF-Token"]
    return client


def _stored(engine: Engine) -> tuple[Survey, list[Item]]:
    with session_factory(engine)() as session:
        survey, items = _draft_round(session)
        session.commit()
    return survey, items


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _alert(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</div>', page, re.S)
    assert found, f"no {testid} on the page"
    return html.unescape(found.group(1))


def _round_url(engine: Engine, item_id: int) -> str:
    with session_factory(engine)() as session:
        return f"/delphi/rounds/{get_item(session, item_id).round_id}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "item 'B1': statement was reworded but statement_zh was not"),
        ("zh", "条目 'B1'：改写了 statement，但 statement_zh 未改"),
    ],
)
def test_the_round_page_refuses_an_english_only_edit_and_keeps_the_typed_text(
    editor: TestClient, engine: Engine, lang: str, expected: str
) -> None:
    _, items = _stored(engine)
    item = items[0]
    page = editor.get(f"{_round_url(engine, item.id)}?lang={lang}").text
    assert 'name="other_language_matches"' in page  # the confirmation is offered
    form = {"csrf_token": _csrf(page), "action": "edit", "statement": TYPO_FIX,
            "statement_zh": ZH, "rationale": "typed rationale", "subtopic": "DATA"}  # fmt: skip
    refused = editor.post(f"/delphi/items/{item.id}?lang={lang}", data=form)
    assert refused.status_code == 422
    assert expected in _alert(refused.text, "item-error")
    assert f'value="{TYPO_FIX}"' in refused.text and 'value="typed rationale"' in refused.text
    with session_factory(engine)() as session:
        kept = get_item(session, item.id)
    assert (kept.statement, kept.rationale, kept.subtopic) == (EN, "", "")


def test_the_round_page_saves_a_confirmed_fix_and_audits_the_confirmation(
    editor: TestClient, engine: Engine
) -> None:
    _, items = _stored(engine)
    page = editor.get(_round_url(engine, items[0].id)).text
    form = {"csrf_token": _csrf(page), "action": "edit", "statement": TYPO_FIX,
            "statement_zh": ZH, "other_language_matches": "on"}  # fmt: skip
    saved = editor.post(f"/delphi/items/{items[0].id}", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with session_factory(engine)() as session:
        assert get_item(session, items[0].id).statement == TYPO_FIX
        entry = list_audit(session, action="delphi.item.edit")[0]
    assert entry.detail == {"code": "B1", "still_matches": "statement_zh"}


def test_an_edit_without_the_form_token_is_refused(editor: TestClient, engine: Engine) -> None:
    _, items = _stored(engine)
    form = {"action": "edit", "statement": TYPO_FIX, "other_language_matches": "on"}
    assert editor.post(f"/delphi/items/{items[0].id}", data=form).status_code == 403


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "pillar 'P1': title_zh was reworded but title was not"),
        ("zh", "支柱 'P1'：改写了 title_zh，但 title 未改"),
    ],
)
def test_the_study_page_refuses_a_chinese_only_rename(
    editor: TestClient, engine: Engine, lang: str, expected: str
) -> None:
    survey, _ = _stored(engine)
    page = editor.get(f"/delphi/studies/{survey.study_id}?lang={lang}").text
    form = {"csrf_token": _csrf(page), "title": "Data", "title_zh": "数据共享"}
    refused = editor.post(f"/delphi/surveys/{survey.id}?lang={lang}", data=form)
    assert refused.status_code == 422
    assert expected in _alert(refused.text, "pillar-error")
    assert 'value="数据共享"' in refused.text
    confirmed = editor.post(
        f"/delphi/surveys/{survey.id}",
        data={**form, "other_language_matches": "on"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    with session_factory(engine)() as session:
        assert get_survey(session, survey.id).title_zh == "数据共享"
        entry = list_audit(session, action="delphi.pillar.edit")[0]
    assert entry.detail == {"still_matches": "title"}


# -- the JSON API ----------------------------------------------------------------------------


@pytest.fixture
def api_editor(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")  # the X-CSRF-Token header a script sends
    return client


def test_the_api_refuses_a_one_language_edit_in_english_and_saves_a_confirmed_one(
    api_editor: TestClient, engine: Engine
) -> None:
    survey, items = _stored(engine)
    url = f"/api/v1/delphi/items/{items[0].id}"
    refused = api_editor.patch(url, json={"statement": TYPO_FIX}, headers={"Accept-Language": "zh"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["field"] == "statement_zh"
    assert body["detail"].startswith("item 'B1': statement was reworded but statement_zh was not")
    saved = api_editor.patch(url, json={"statement": TYPO_FIX, "other_language_matches": True})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["statement"], saved.json()["statement_zh"]) == (TYPO_FIX, ZH)

    renamed = api_editor.patch(f"/api/v1/delphi/surveys/{survey.id}", json={"title": "Data!"})
    assert renamed.status_code == 422 and renamed.json()["field"] == "title_zh"
    renamed = api_editor.patch(
        f"/api/v1/delphi/surveys/{survey.id}",
        json={"title": "Data!", "other_language_matches": True},
    )
    assert renamed.status_code == 200 and renamed.json()["title_zh"] == "数据"
    with session_factory(engine)() as session:
        item_entry = list_audit(session, action="delphi.item.edit")[0]
        pillar_entry = list_audit(session, action="delphi.pillar.edit")[0]
    assert item_entry.detail == {"code": "B1", "still_matches": "statement_zh"}
    assert pillar_entry.detail == {"still_matches": "title_zh"}
