"""An English edit marks the Chinese written from it to review, instead of keeping it silently.

An editor changed an entry's summary (or name); its summary_zh (name_zh) stayed as it was and
could now say something else, with nothing telling a Chinese reader or the next editor.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from permed_atlas.accounts import create_user
from permed_atlas.directory import (
    export_entries,
    get_entry,
    list_entries,
    list_revisions,
    update_entry,
)
from permed_atlas.directory.routes import form_values
from permed_atlas.errors import InvalidInputError
from permed_atlas.settings import Settings

PASSWORD = "correct-horse-battery"


def _edit(session: Session, settings: Settings, **changes: object) -> None:
    update_entry(session, "gdpr", changes=changes, actor_id=None, settings=settings)
    session.commit()


def test_an_english_edit_marks_its_chinese_to_review(seeded: Session, settings: Settings) -> None:
    before = get_entry(seeded, "gdpr")
    assert before.zh_to_review == () and before.summary_zh and before.name_zh
    _edit(seeded, settings, summary="The GDPR, said differently. Second sentence.")
    entry = get_entry(seeded, "gdpr")
    assert entry.zh_to_review == ("summary_zh",)
    assert entry.summary_zh == before.summary_zh  # kept: a Chinese reader still gets most of it
    assert list_revisions(seeded, "gdpr")[0].changed == ("summary", "zh_to_review")
    _edit(seeded, settings, name="General Data Protection Regulation (EU) 2016/679")
    assert get_entry(seeded, "gdpr").zh_to_review == ("name_zh", "summary_zh")


def test_editing_the_chinese_or_clearing_the_mark_ends_it(
    seeded: Session, settings: Settings
) -> None:
    _edit(seeded, settings, summary="Changed.", name="Changed name")
    _edit(seeded, settings, summary_zh="改过的摘要。")
    assert get_entry(seeded, "gdpr").zh_to_review == ("name_zh",)
    # the editor read the Chinese name and found it still right
    _edit(seeded, settings, zh_to_review=[])
    assert get_entry(seeded, "gdpr").zh_to_review == ()
    # English and Chinese changed together: nothing to review
    _edit(seeded, settings, summary="Changed again.", summary_zh="又改过的摘要。")
    assert get_entry(seeded, "gdpr").zh_to_review == ()


def test_no_mark_without_a_chinese_text_and_none_for_an_unknown_field(
    seeded: Session, settings: Settings
) -> None:
    _edit(seeded, settings, summary_zh=None)
    _edit(seeded, settings, summary="Changed.")
    assert get_entry(seeded, "gdpr").zh_to_review == ()
    with pytest.raises(InvalidInputError, match="zh_to_review") as refused:
        _edit(seeded, settings, zh_to_review=["summary"])
    assert refused.value.field == "zh_to_review"


def test_exports_carry_the_mark(seeded: Session, settings: Settings) -> None:
    _edit(seeded, settings, summary="Changed.")
    text = export_entries(list_entries(seeded), fmt="csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["gdpr"]["zh_to_review"] == "summary_zh" and rows["pipl"]["zh_to_review"] == ""
    entries = {e["id"]: e for e in json.loads(export_entries(list_entries(seeded), fmt="json"))}
    assert entries["gdpr"]["zh_to_review"] == ["summary_zh"]
    assert "zh_to_review" not in entries["pipl"]


def test_the_web_editor_marks_it_and_the_entry_page_says_so(
    client: TestClient,
    app,
    login,  # type: ignore[no-untyped-def]
) -> None:
    with app.state.session_factory() as session:
        create_user(session, email="ed@example.org", password=PASSWORD, role="editor")
        session.commit()
    token = login(client, "ed@example.org", PASSWORD)
    assert 'data-testid="zh-to-review"' not in client.get("/directory/gdpr").text
    with app.state.session_factory() as session:
        shown = form_values(get_entry(session, "gdpr"))
    # the whole form as the edit page shows it, the English summary changed
    fields = {**shown, "summary": "Edited in the form. Second sentence.", "csrf_token": token}
    saved = client.post("/directory/gdpr/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    for lang in ("en", "zh"):
        page = client.get("/directory/gdpr", params={"lang": lang}).text
        assert 'data-testid="zh-to-review"' in page, lang
    assert "通用数据保护条例" in client.get("/directory/gdpr", params={"lang": "zh"}).text
    edit = client.get("/directory/gdpr/edit").text
    assert 'name="zh_to_review" value="summary_zh"' in edit
    # the JSON API: writing the Chinese clears the mark
    body = client.put("/api/v1/directory/entries/gdpr", json={"summary_zh": "改过的摘要。"}).json()
    assert body.get("zh_to_review") in (None, [])
    assert 'data-testid="zh-to-review"' not in client.get("/directory/gdpr").text
