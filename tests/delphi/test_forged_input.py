"""Forged numbers in the Delphi forms and JSON bodies: a clear refusal, never a crash.

A browser sends what the page offers (a revision the server wrote, item ids it listed, a
number of days between 1 and 365); a script can send any integer. An integer beyond 64 bits
reached SQLite as a bound parameter (OverflowError, a 500) and 0 days issued links that had
expired when they were made, replacing the working ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.delphi.factories import OpenStudy, make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.tables import ActionRow, InvitationRow, ResponseRow

HUGE = str(2**70)


def _study(engine: Engine) -> OpenStudy:
    with session_factory(engine)() as session:
        built = make_open_study(session, n_experts=6, n_items=2)
        session.commit()
    return built


def _responses(engine: Engine) -> list[tuple[int, int | None, str]]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(ResponseRow).order_by(ResponseRow.item_id))
        return [(r.item_id, r.value, r.comment) for r in rows]


def test_a_revision_beyond_64_bits_is_a_stale_form_on_the_page_and_the_api(
    client: TestClient, engine: Engine
) -> None:
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    item = s.items[0].id
    saved = client.post(
        f"/api/v1/delphi/respond/{token}",
        json={"ratings": {str(item): 4}, "comments": {str(item): "kept"}, "revision": 0},
    )
    assert saved.status_code == 200
    forged_json = client.post(
        f"/api/v1/delphi/respond/{token}",
        json={"ratings": {str(item): 1}, "revision": int(HUGE)},
    )
    assert forged_json.status_code == 409
    assert "saved from another window" in forged_json.json()["detail"]
    forged_form = client.post(
        f"/delphi/respond/{token}",
        data={f"rating_{item}": "1", "revision": HUGE},
        follow_redirects=False,
    )
    assert forged_form.status_code == 409 and "saved from another window" in forged_form.text
    # what the expert saved is still there, unchanged
    assert _responses(engine) == [(item, 4, "kept")]


def _editor(app, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    editor = TestClient(app, base_url="http://testserver")
    make_user("coord@example.org", "editor")
    login(editor, "coord@example.org")
    return editor


def test_synthesis_item_ids_beyond_64_bits_are_not_found(
    app, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    with _editor(app, make_user, login) as editor:
        url = f"/delphi/studies/{s.study.id}/synthesis"
        coded = editor.post(url, data={"kind": "code", "item_id": HUGE, "subtopic": "T"})
        assert coded.status_code == 404 and f"no item with id {HUGE}" in coded.text
        merged = editor.post(
            url, data={"kind": "action", "code": "A1", "title": "An action", "item_ids": HUGE}
        )
        assert merged.status_code == 404 and f"no item with id {HUGE}" in merged.text
    with session_factory(engine)() as session:
        assert session.scalars(select(ActionRow)).all() == []


def test_link_days_outside_1_to_365_are_refused_and_the_old_links_keep_working(
    app, client: TestClient, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    with _editor(app, make_user, login) as editor:
        url = f"/delphi/rounds/{s.round.id}/invitations"
        for days in ("0", "366", "99999999999", HUGE, "-3", "2.5", "thirty"):
            response = editor.post(url, data={"days": days, "reissue": "on"})
            assert response.status_code == 422, days
            assert "links work for 1 to 365 days" in response.text, days
        # the form's own values still work
        issued = editor.post(url, data={"days": "365"})
        assert issued.status_code == 200
    # nothing was reissued: the expert's link opens the form
    assert client.get(f"/api/v1/delphi/respond/{token}").status_code == 200
    with session_factory(engine)() as session:
        assert len(session.scalars(select(InvitationRow)).all()) == len(s.experts)


STUDY = """
slug: days-study
title: Days study
surveys:
  - pillar: P1
    title: Pillar one
    items:
      - {code: A, statement: "Agreeable."}
"""


def test_the_command_line_refuses_links_that_expire_when_issued(permed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "panel.csv").write_text(
        "name,email,country\nA,a@example.org,DE\nB,b@example.org,CN\n", encoding="utf-8"
    )
    assert permed("delphi", "create-study", str(tmp_path / "study.yaml"))[0] == 0
    assert permed("delphi", "import-panel", "days-study", str(tmp_path / "panel.csv"))[0] == 0
    assert permed("delphi", "open-round", "days-study", "--pillar", "P1")[0] == 0
    links = tmp_path / "links.csv"
    for days in ("0", "-1", "1000000000"):
        code, _, err = permed(
            "delphi",
            "invitations",
            "days-study",
            "--pillar",
            "P1",
            "--base-url",
            "https://atlas.example.org",
            "-o",
            str(links),
            "--days",
            days,
        )
        assert code == 1 and "links work for 1 to 365 days" in err, (days, err)
        assert not links.exists()


SUPERSCRIPT_TWO = "\u00b2"  # "²": str.isdigit() says yes, int() refuses it


def test_digits_int_cannot_read_never_crash_the_rating_form(
    client: TestClient, engine: Engine
) -> None:
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    item = s.items[0].id
    for field in (f"rating_{SUPERSCRIPT_TWO}", f"comment_{SUPERSCRIPT_TWO}"):
        # a field naming no item of the form is ignored, as any other unknown field
        ignored = client.post(f"/delphi/respond/{token}", data={field: "3"}, follow_redirects=False)
        assert ignored.status_code == 303, field
    # a revision that is no number is no revision: the answer is saved
    saved = client.post(
        f"/delphi/respond/{token}",
        data={"revision": SUPERSCRIPT_TWO, f"rating_{item}": "3"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _responses(engine) == [(item, 3, "")]
    assert client.get(f"/delphi/respond/{token}?saved={SUPERSCRIPT_TWO}").status_code == 200


def test_a_stored_code_int_cannot_read_leaves_the_synthesis_and_report_readable(
    app, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    with _editor(app, make_user, login) as editor:
        url = f"/delphi/studies/{s.study.id}/synthesis"
        refused = editor.post(url, data={"kind": "code", "item_id": SUPERSCRIPT_TWO})
        assert refused.status_code == 422 and "choose an item to code" in refused.text
        stored = editor.post(
            url,
            data={"kind": "subtopic", "code": SUPERSCRIPT_TWO, "label": "Squared"},
            follow_redirects=False,
        )
        assert stored.status_code == 303
        # the sub-topic is listed (sorted by code) on both pages
        for page in (url, f"/delphi/studies/{s.study.id}/report"):
            response = editor.get(page)
            assert response.status_code == 200, page
        assert "Squared" in editor.get(url).text
        refused_days = editor.post(
            f"/delphi/rounds/{s.round.id}/invitations", data={"days": SUPERSCRIPT_TWO}
        )
        assert refused_days.status_code == 422


def test_a_responses_file_with_a_round_int_cannot_read_names_line_and_field(
    app, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=6, n_items=2, open_first=False)
        session.commit()
    body = f"expert,round,item,rating\nX001,{SUPERSCRIPT_TWO},I1,5\n".encode()
    with _editor(app, make_user, login) as editor:
        response = editor.post(
            f"/delphi/studies/{s.study.id}/responses",
            files={"file": ("responses.csv", body, "text/csv")},
        )
    assert response.status_code == 422
    assert "responses.csv:2: field &#39;round&#39;" in response.text
    assert _responses(engine) == []


def test_study_a_synthesis_form_cannot_code_an_item_of_study_b(
    app, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        a = make_open_study(session, n_experts=6, n_items=1, slug="study-a")
        b = make_open_study(session, n_experts=6, n_items=1, slug="study-b")
        session.commit()
    with _editor(app, make_user, login) as editor:
        for study in (a, b):  # both studies define the sub-topic
            editor.post(
                f"/delphi/studies/{study.study.id}/synthesis",
                data={"kind": "subtopic", "code": "GOV", "label": "Governance"},
            )
        # study A's form, study B's item id
        crossed = editor.post(
            f"/delphi/studies/{a.study.id}/synthesis",
            data={"kind": "code", "item_id": str(b.items[0].id), "subtopic": "GOV"},
        )
    assert crossed.status_code == 404
    assert f"item {b.items[0].id} is not in study {a.study.id}" in crossed.text
    with session_factory(engine)() as session:
        from permed_atlas.delphi.store import get_item

        assert get_item(session, b.items[0].id).subtopic == "T"


@pytest.mark.parametrize("forged", [True, False, 4.0, "4", [4], {"value": 4}])
def test_a_json_rating_that_is_not_an_integer_is_refused_and_stores_nothing(
    client, engine, forged
) -> None:  # type: ignore[no-untyped-def]
    # Review round 2: pydantic's lax mode turned JSON true into a rating of 1 (and 4.0
    # into 4) before the rating parser, which refuses booleans, could see it.
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=2, n_items=1)
        session.commit()
    token = s.tokens[s.experts[0].id]
    item = str(s.items[0].id)
    refused = client.post(f"/api/v1/delphi/respond/{token}", json={"ratings": {item: forged}})
    assert refused.status_code == 422
    stale = client.post(
        f"/api/v1/delphi/respond/{token}", json={"ratings": {item: 4}, "revision": True}
    )
    assert stale.status_code == 422
    assert client.get(f"/api/v1/delphi/respond/{token}").json()["items"][0]["rating"] is None


@pytest.mark.parametrize("name", ["..", ".", "a/../..", "../../panel.csv"])
def test_a_panel_upload_named_like_a_folder_is_read_not_a_server_error(
    client, engine, make_user, login, name: str
) -> None:  # type: ignore[no-untyped-def]
    # Review round 2: the upload was written under its own base name in a temporary
    # folder; ".." or "." named the folder itself and the import failed with a 500.
    with session_factory(engine)() as session:
        study = make_open_study(session, n_experts=1, n_items=1).study
        session.commit()
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    response = client.post(
        f"/delphi/studies/{study.id}/panel",
        files={"file": (name, b"name,country\nNew Expert,DE\n", "text/csv")},
    )
    assert response.status_code == 200 and "New Expert" in response.text
