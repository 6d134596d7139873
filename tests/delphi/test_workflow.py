"""A coordinator runs a whole study through the web forms: create, pillars, items, experts,
rounds, links and the choice of what the next round carries."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.accounts import list_audit
from permed_atlas.db import session_factory
from permed_atlas.delphi.store import (
    get_study,
    list_experts,
    list_items,
    list_panels,
    list_rounds,
    list_surveys,
)


def _coordinator(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("coord@example.org", "editor")
    login(client, "coord@example.org")


def _round_id(client: TestClient, study_id: int, number: int) -> int:
    page = client.get(f"/delphi/studies/{study_id}").text
    return int(re.findall(r'href="/delphi/rounds/(\d+)">Round ' + str(number), page)[0])


def test_writes_need_a_coordinator_and_csrf(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    forms = [
        ("/delphi/new", {"slug": "x1", "title": "X"}),
        ("/delphi/studies/1/pillars", {"pillar": "P1", "title": "T"}),
        ("/delphi/surveys/1", {"title": "T"}),
        ("/delphi/studies/1/experts", {"name": "A", "country": "DE"}),
        ("/delphi/studies/1/publish", {"published": "on"}),
    ]
    assert client.get("/delphi/new").status_code == 401
    for url, data in forms:
        assert client.post(url, data=data).status_code == 401, url
    make_user("member@example.org", "member")
    login(client, "member@example.org")
    for url, data in forms:
        assert client.post(url, data=data).status_code == 403, url
    client.post("/logout")
    _coordinator(client, make_user, login)
    for url, data in forms:
        refused = client.post(url, data=data, headers={"X-CSRF-Token": "forged"})
        assert refused.status_code == 403, url


def test_a_whole_study_in_the_browser_forms(
    client: TestClient, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    _coordinator(client, make_user, login)
    assert "New study" in client.get("/delphi/").text
    bad = client.post(
        "/delphi/new",
        data={
            "slug": "Bad Slug",
            "title": "Kept title",
            "agree_share": "70",
            "exclude_share": "70",
        },
    )
    assert bad.status_code == 422 and "slug" in bad.text and 'value="Kept title"' in bad.text
    over = client.post(
        "/delphi/new",
        data={"slug": "s", "title": "T", "agree_share": "170", "exclude_share": "70"},
    )
    assert over.status_code == 422
    created = client.post(
        "/delphi/new",
        data={
            "slug": "comet-study",
            "title": "COMET-style study",
            "description": "core outcome set",
            "kind": "share",
            "agree_share": "70",
            "exclude_share": "70",
            "opposite_max": "15",
            "quartile_method": "spss",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    study_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/delphi/studies/{study_id}").text
    assert "fewer than 15% are 1 or 2" in page
    assert (
        client.post(
            f"/delphi/studies/{study_id}/pillars", data={"pillar": "P1", "title": "Data"}
        ).status_code
        == 200
    )
    duplicate = client.post(
        f"/delphi/studies/{study_id}/pillars", data={"pillar": "P1", "title": "Again"}
    )
    assert duplicate.status_code == 400 and "already has a pillar" in duplicate.text
    with session_factory(engine)() as session:
        survey = list_surveys(session, study_id)[0]
    client.post(f"/delphi/surveys/{survey.id}", data={"title": "Data sharing"})
    round_one = _round_id(client, study_id, 1)
    for code in ("A1", "A2", "A10"):
        assert (
            client.post(
                f"/delphi/rounds/{round_one}/items",
                data={"code": code, "statement": f"Statement {code}."},
            ).status_code
            == 200
        )
    with session_factory(engine)() as session:
        item = list_items(session, round_one)[0]
    client.post(
        f"/delphi/items/{item.id}",
        data={"action": "edit", "statement": "Share data.", "rationale": "Why", "subtopic": "D"},
    )

    # experts: one by one (one without e-mail, one with a bad country) and by CSV
    panel = f"/delphi/studies/{study_id}/panel"
    refused = client.post(
        f"/delphi/studies/{study_id}/experts", data={"name": "Bad", "country": "XX"}
    )
    assert refused.status_code == 422 and "ISO 3166-1" in refused.text
    assert 'value="Bad"' in refused.text  # what was typed is kept
    client.post(
        f"/delphi/studies/{study_id}/experts",
        data={"name": "Anna", "email": "anna@example.org", "country": "DE"},
    )
    client.post(f"/delphi/studies/{study_id}/experts", data={"ref": "CN-7", "region": "CN"})
    rows = "ref,country\n" + "".join(f"X{i},{'FR' if i % 2 else 'CN'}\n" for i in range(8))
    imported = client.post(panel, files={"file": ("pseudonymous.csv", rows.encode(), "text/csv")})
    assert imported.status_code == 200 and "Imported 8 experts" in imported.text
    with session_factory(engine)() as session:
        experts = list_experts(session, list_panels(session, study_id)[0].id)
    assert len(experts) == 10
    assert [(e.ref, e.name, e.email) for e in experts[:2]] == [
        ("E001", "Anna", "anna@example.org"),
        ("CN-7", "CN-7", ""),
    ]

    # round one: open, download the personal links, experts answer
    client.post(f"/delphi/rounds/{round_one}/open")
    links = client.post(f"/delphi/rounds/{round_one}/invitations", data={"days": "20"})
    rows = list(csv.DictReader(io.StringIO(links.text)))
    assert len(rows) == 10 and rows[1]["email"] == ""
    with session_factory(engine)() as session:
        a1, a2, a10 = list_items(session, round_one)
    for n, row in enumerate(rows):
        token = row["link"].rsplit("/", 1)[1]
        answer = {str(a1.id): 5, str(a2.id): 1 + n % 5, str(a10.id): 4 if n < 9 else 1}
        assert (
            client.post(f"/api/v1/delphi/respond/{token}", json={"ratings": answer}).status_code
            == 200
        )
    client.post(f"/delphi/rounds/{round_one}/close")
    closed = client.get(f"/delphi/rounds/{round_one}").text
    assert "Which items does round 2 carry?" in closed

    # hand-picked: A1 (consensus) is re-rated, A2 (no consensus) goes on, A10 stays final
    started = client.post(
        f"/delphi/rounds/{round_one}/next",
        data={"carry": "selected", f"carry_{a1.id}": "on", f"carry_{a2.id}": "on"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    with session_factory(engine)() as session:
        rounds = list_rounds(session, survey.id)
        second = list_items(session, rounds[1].id)
        first = {i.code: i for i in list_items(session, round_one)}
    assert [(i.code, i.origin, i.previous_item_id) for i in second] == [
        ("A1", "carried", a1.id),
        ("A2", "carried", a2.id),
    ]
    assert first["A1"].outcome == "carried" and "for re-rating" in first["A1"].outcome_reason
    assert "consensus to include in round 1" in first["A1"].outcome_reason
    assert first["A10"].outcome == "consensus_include"

    # re-adding A10 by hand in round 2 keeps its link instead of refusing the code
    client.post(
        f"/delphi/rounds/{rounds[1].id}/items", data={"code": "A10", "statement": "Statement A10."}
    )
    with session_factory(engine)() as session:
        readded = [i for i in list_items(session, rounds[1].id) if i.code == "A10"][0]
    assert readded.previous_item_id == a10.id and readded.origin == "carried"

    # round two: the expert sees the group's round-1 ratings and their own earlier answer
    client.post(f"/delphi/rounds/{rounds[1].id}/open")
    links2 = list(
        csv.DictReader(io.StringIO(client.post(f"/delphi/rounds/{rounds[1].id}/invitations").text))
    )
    form = client.get(f"/api/v1/delphi/respond/{links2[0]['link'].rsplit('/', 1)[1]}").json()
    feedback = {i["item"]["code"]: i["feedback"] for i in form["items"]}
    assert feedback["A1"]["own_rating"] == 5 and feedback["A1"]["counts"] == [0, 0, 0, 0, 10]
    assert feedback["A10"]["own_rating"] == 4

    # "send": new links on a page with an e-mail (mailto) link per expert who has an address
    sent = client.post(
        f"/delphi/rounds/{rounds[1].id}/invitations", data={"deliver": "page", "reissue": "on"}
    )
    assert sent.status_code == 200 and sent.headers["cache-control"] == "no-store"
    assert sent.text.count('value="http://testserver/delphi/respond/') == 10
    assert 'href="mailto:anna%40example.org?subject=' in sent.text
    assert sent.text.count("no e-mail: hand it over") == 9
    new_link = re.search(r'value="(http://testserver/delphi/respond/[^"]+)"', sent.text)
    assert new_link and client.get(new_link.group(1)).status_code == 200

    with session_factory(engine)() as session:
        assert get_study(session, study_id).rule.quartile_method == "spss"
        logged = {entry.action for entry in list_audit(session)}
    assert {
        "delphi.study.create",
        "delphi.pillar.add",
        "delphi.pillar.edit",
        "delphi.item.add",
        "delphi.item.edit",
        "delphi.expert.add",
        "delphi.panel.import",
        "delphi.round.open",
        "delphi.invitations.issue",
        "delphi.round.close",
        "delphi.round.create",
    } <= logged
