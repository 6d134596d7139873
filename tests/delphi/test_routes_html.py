"""Delphi HTML pages: the public rating form behind a token, reports and editor-only management."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import Engine, func, select
from tests.delphi.factories import make_open_study

from permed_atlas.accounts import list_audit
from permed_atlas.db import session_factory
from permed_atlas.delphi.store import get_round, list_items, list_rounds, ratings_of_expert
from permed_atlas.delphi.tables import ExpertRow


def _study(engine: Engine, **kwargs):  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        built = make_open_study(session, **kwargs)
        session.commit()
    return built


def _editor(client, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")


def test_rating_form_is_accessible_and_saves_partial_answers(client, engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    expert = s.experts[0]
    token = s.tokens[expert.id]
    page = client.get(f"/delphi/respond/{token}")
    assert page.status_code == 200
    html = page.text
    assert 'name="viewport"' in html and "no-referrer" in page.headers["referrer-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert html.count("<fieldset") == 4 and html.count("<legend>") == 4
    first = s.items[0].id
    # every radio has a label bound to it
    for value in ("1", "2", "3", "4", "5", "na"):
        assert f'<label for="r-{first}-{value}"><input type="radio" id="r-{first}-{value}"' in html
    assert f'<label for="c-{first}">Comment' in html
    saved = client.post(
        f"/delphi/respond/{token}",
        data={
            "revision": "0",
            f"rating_{first}": "4",
            f"comment_{first}": "key",
            f"rating_{s.items[1].id}": "na",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    again = client.get(saved.headers["location"])
    assert "2 answers saved" in again.text and "2 of 4 items answered" in again.text
    assert re.search(rf'id="r-{first}-4" name="rating_{first}" value="4" checked', again.text)
    with session_factory(engine)() as session:
        stored = ratings_of_expert(session, s.round.id, expert.id)
    assert {k: (v.value, v.comment) for k, v in stored.items()} == {
        first: (4, "key"),
        s.items[1].id: (None, ""),
    }


def test_rating_form_errors_are_clear_and_store_nothing(client, engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    item = s.items[0].id
    bad = client.get("/delphi/respond/not-a-real-token")
    assert bad.status_code == 404 and "not valid" in bad.text
    out_of_range = client.post(
        f"/delphi/respond/{token}", data={f"rating_{item}": "9", "revision": "0"}
    )
    assert out_of_range.status_code == 422 and "rating must be 1-5" in out_of_range.text
    ok = client.post(f"/delphi/respond/{token}", data={f"rating_{item}": "3", "revision": "0"})
    assert ok.status_code == 200  # followed the redirect
    duplicate = client.post(
        f"/delphi/respond/{token}", data={f"rating_{item}": "3", "revision": "0"}
    )
    assert "already saved" in duplicate.text
    stale = client.post(f"/delphi/respond/{token}", data={f"rating_{item}": "5", "revision": "0"})
    assert stale.status_code == 409 and "reload the page" in stale.text
    with session_factory(engine)() as session:
        assert {
            k: v.value for k, v in ratings_of_expert(session, s.round.id, s.experts[0].id).items()
        } == {item: 3}


def test_management_needs_an_editor_and_csrf_and_is_audited(
    client, engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    assert client.post(f"/delphi/rounds/{s.round.id}/close").status_code == 401
    make_user("member@example.org", "member")
    login(client, "member@example.org")
    assert client.post(f"/delphi/rounds/{s.round.id}/close").status_code == 403
    client.post("/logout")
    _editor(client, make_user, login)
    no_csrf = client.post(f"/delphi/rounds/{s.round.id}/close", headers={"X-CSRF-Token": "wrong"})
    assert no_csrf.status_code == 403
    page = client.get(f"/delphi/rounds/{s.round.id}")
    assert "Close round" in page.text
    closed = client.post(f"/delphi/rounds/{s.round.id}/close", follow_redirects=False)
    assert closed.status_code == 303
    closed_page = client.get(f"/delphi/rounds/{s.round.id}")
    assert ">closed<" in closed_page.text and "Start round 2" in closed_page.text
    item = s.items[0]
    nxt = client.post(
        f"/delphi/rounds/{s.round.id}/next",
        data={
            f"decision_{item.id}": "drop",
            f"reason_{item.id}": "duplicate",
            f"decision_{s.items[1].id}": "carry",
            f"statement_{s.items[1].id}": "Reworded.",
        },
        follow_redirects=False,
    )
    assert nxt.status_code == 303
    with session_factory(engine)() as session:
        rounds = list_rounds(session, s.survey.id)
        assert [r.status for r in rounds] == ["closed", "draft"]
        carried = list_items(session, rounds[1].id)
        assert [(i.code, i.origin) for i in carried] == [
            ("I2", "edited"),
            ("I3", "carried"),
            ("I4", "carried"),
        ]
        assert "duplicate" in list_items(session, s.round.id)[0].outcome_reason
        actions = [entry.action for entry in list_audit(session)]
    assert "delphi.round.close" in actions and "delphi.round.create" in actions
    # a closed round's form is read-only
    form = client.get(f"/delphi/respond/{s.tokens[s.experts[0].id]}")
    assert "cannot be changed" in form.text and "Save answers" not in form.text
    posted = client.post(
        f"/delphi/respond/{s.tokens[s.experts[0].id]}", data={f"rating_{item.id}": "4"}
    )
    assert posted.status_code == 409 and "closed" in posted.text


def test_panel_import_page(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=2)
    _editor(client, make_user, login)
    url = f"/delphi/studies/{s.study.id}/panel"
    bad = client.post(
        url,
        files={
            "file": ("experts.csv", b"name,email,country\nA,a@b.org,DE\nB,bad,FR\n", "text/csv")
        },
    )
    assert bad.status_code == 422
    assert "experts.csv:3: field &#39;email&#39;" in bad.text and "Nothing was imported" in bad.text
    good = client.post(
        url, files={"file": ("experts.csv", b"name,email,country\nA,a@b.org,DE\n", "text/csv")}
    )
    assert good.status_code == 200 and "Imported 1 experts" in good.text
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ExpertRow)) == 3


def test_public_pages_and_exports(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    for expert in s.experts:
        client.post(
            f"/delphi/respond/{s.tokens[expert.id]}", data={f"rating_{i.id}": "4" for i in s.items}
        )
    for url in ("/delphi/", f"/delphi/studies/{s.study.id}", f"/delphi/rounds/{s.round.id}"):
        page = client.get(url)
        assert page.status_code == 200, url
    # results of an unpublished study are for its coordinators only
    for url in (
        f"/delphi/studies/{s.study.id}/report",
        f"/delphi/studies/{s.study.id}/synthesis",
        f"/delphi/studies/{s.study.id}/statistics.csv",
    ):
        assert client.get(url).status_code == 403, url
    _editor(client, make_user, login)
    report = client.get(f"/delphi/studies/{s.study.id}/report")
    assert "/api/v1/delphi/studies/" in report.text  # the JSON twin is linked
    assert "<svg" in report.text and "100%" in report.text
    stats = client.get(f"/delphi/studies/{s.study.id}/statistics.csv")
    assert stats.headers["content-type"].startswith("text/csv") and "share_agree" in stats.text
    ratings = client.get(f"/delphi/studies/{s.study.id}/ratings.csv")
    assert ratings.status_code == 200 and ratings.text.count("\n") == 1 + 10 * 4
    xlsx = client.get(f"/delphi/studies/{s.study.id}/export.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_invitation_export_is_mail_merge_ready(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=3, open_first=False)
    _editor(client, make_user, login)
    assert (
        client.post(f"/delphi/rounds/{s.round.id}/open", follow_redirects=False).status_code == 303
    )
    exported = client.post(f"/delphi/rounds/{s.round.id}/invitations", data={"days": "10"})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith(
        "ref,name,email,organisation,country,region,survey,pillar,round,link,expires_at"
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3
    link = rows[0]["link"]
    assert link.startswith("http://testserver/delphi/respond/")
    # the mail to send, ready to merge: the link in the body, in the expert's language
    assert rows[0]["language"] == "en" and link in rows[0]["body"]
    assert rows[0]["body"].startswith(f"Dear {rows[0]['name']},")
    client.post("/logout")
    assert client.get(link.replace("http://testserver", "")).status_code == 200
    with session_factory(engine)() as session:
        assert get_round(session, s.round.id).status == "open"


def test_synthesis_forms(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=5, n_items=2)
    for expert in s.experts:
        client.post(f"/delphi/respond/{s.tokens[expert.id]}", data={f"rating_{s.items[0].id}": "5"})
    _editor(client, make_user, login)
    client.post(f"/delphi/rounds/{s.round.id}/close")
    url = f"/delphi/studies/{s.study.id}/synthesis"
    assert (
        client.post(
            url, data={"kind": "subtopic", "code": "GOV", "label": "Governance"}
        ).status_code
        == 200
    )
    coded = client.post(
        url, data={"kind": "code", "item_id": str(s.items[0].id), "subtopic": "GOV"}
    )
    assert coded.status_code == 200
    saved = client.post(
        url,
        data={
            "kind": "action",
            "code": "A1",
            "title": "Act",
            "pillar": "P1",
            "subtopic_code": "GOV",
            "item_ids": [str(s.items[0].id)],
        },
    )
    assert saved.status_code == 200 and "A1" in saved.text and "Act" in saved.text
    refused = client.post(
        url, data={"kind": "action", "code": "A2", "title": "No", "item_ids": [str(s.items[1].id)]}
    )
    assert refused.status_code == 400 and "did not reach consensus" in refused.text
    with session_factory(engine)() as session:
        from permed_atlas.delphi import list_actions

        actions = list_actions(session, s.study.id)
        assert [(a.code, a.item_codes, a.subtopic_code) for a in actions] == [
            ("A1", ("I1",), "GOV")
        ]
        assert list_items(session, s.round.id)[0].subtopic == "GOV"
        logged = {entry.action for entry in list_audit(session)}
    assert {
        "delphi.synthesis.subtopic",
        "delphi.synthesis.code",
        "delphi.synthesis.action",
    } <= logged


def test_a_refused_save_keeps_what_was_typed(client, engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    first, second = s.items[0].id, s.items[1].id
    refused = client.post(
        f"/delphi/respond/{token}",
        data={f"rating_{first}": "5", f"comment_{second}": "needs a rating first", "revision": "0"},
    )
    assert refused.status_code == 422 and "choose a rating" in refused.text
    assert f'id="r-{first}-5" name="rating_{first}" value="5" checked' in refused.text
    assert ">needs a rating first</textarea>" in refused.text
    with session_factory(engine)() as session:
        assert ratings_of_expert(session, s.round.id, s.experts[0].id) == {}
