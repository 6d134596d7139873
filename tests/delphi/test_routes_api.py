"""The Delphi JSON API: studies, round results, actions and the rating form."""

from __future__ import annotations

from sqlalchemy import Engine
from tests.delphi.factories import make_open_study

from permed_atlas.db import session_factory


def _study(engine: Engine):  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        built = make_open_study(session, n_experts=10, n_items=3)
        session.commit()
    return built


def test_rating_form_json_round_trip(client, engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    form = client.get(f"/api/v1/delphi/respond/{token}").json()
    assert form["revision"] == 0 and [i["item"]["code"] for i in form["items"]] == [
        "I1",
        "I2",
        "I3",
    ]
    assert all(i["feedback"] is None for i in form["items"])
    first, second = (i["item"]["id"] for i in form["items"][:2])
    saved = client.post(
        f"/api/v1/delphi/respond/{token}",
        json={
            "ratings": {str(first): 5, str(second): None},
            "comments": {str(first): "yes"},
            "revision": 0,
        },
    )
    assert saved.status_code == 200
    assert saved.json() == {"saved": 2, "unchanged": 0, "revision": 1, "duplicate": False}
    again = client.get(f"/api/v1/delphi/respond/{token}").json()
    assert again["items"][0]["rating"] == 5 and again["items"][0]["comment"] == "yes"
    assert again["items"][1]["no_opinion"] is True


def test_json_errors(client, engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    token = s.tokens[s.experts[0].id]
    item = s.items[0].id
    missing = client.get("/api/v1/delphi/respond/wrong")
    assert missing.status_code == 404 and "not valid" in missing.json()["detail"]
    bad = client.post(f"/api/v1/delphi/respond/{token}", json={"ratings": {str(item): 6}})
    assert bad.status_code == 422 and "rating must be 1-5" in bad.json()["detail"]
    unknown = client.post(f"/api/v1/delphi/respond/{token}", json={"ratings": {"424242": 3}})
    assert unknown.status_code == 422
    client.post(f"/api/v1/delphi/respond/{token}", json={"ratings": {str(item): 3}, "revision": 0})
    conflict = client.post(
        f"/api/v1/delphi/respond/{token}", json={"ratings": {str(item): 4}, "revision": 0}
    )
    assert conflict.status_code == 409
    assert client.get("/api/v1/delphi/studies/999").status_code == 404


def test_round_results_and_close_via_api(client, engine, make_user, login) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine)
    pattern = {0: [5, 5, 4, 4, 4, 4, 4, 5, 3, 2], 1: [1, 1, 2, 2, 2, 1, 3, 3, 4, 5], 2: [3] * 10}
    for e, expert in enumerate(s.experts):
        ratings = {str(item.id): pattern[n][e] for n, item in enumerate(s.items)}
        assert (
            client.post(
                f"/api/v1/delphi/respond/{s.tokens[expert.id]}", json={"ratings": ratings}
            ).status_code
            == 200
        )
    studies = client.get("/api/v1/delphi/studies").json()
    assert [x["slug"] for x in studies] == ["test-study"]
    detail = client.get(f"/api/v1/delphi/studies/{s.study.id}").json()
    assert detail["surveys"][0]["rounds"][0]["status"] == "open"
    hidden = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()
    assert hidden["results_visible"] is False and hidden["items"][0]["summary"] is None
    assert client.post(f"/api/v1/delphi/rounds/{s.round.id}/close").status_code == 401
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    result = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()
    first = result["items"][0]["summary"]
    assert first["n_valid"] == 10 and first["share_agree"] == 0.8 and first["verdict"] == "include"
    assert first["counts"] == [0, 1, 1, 5, 3]
    assert result["items"][1]["summary"]["verdict"] == "none"  # 60% disagree
    assert result["kendall"]["n_raters"] == 10 and result["n_responded"] == 10
    # EU 4, CN 4, Other 2 valid ratings: every region is below the minimum group size of 5
    assert result["items"][0]["regions"] is None
    assert result["rule_text"].startswith("Consensus when") and "Wilcoxon" in result["methods_text"]
    closed = client.post(f"/api/v1/delphi/rounds/{s.round.id}/close")
    assert closed.status_code == 200 and closed.json()["round"]["status"] == "closed"
    assert closed.json()["items"][0]["item"]["outcome"] == "consensus_include"
    late = client.post(
        f"/api/v1/delphi/respond/{s.tokens[s.experts[0].id]}",
        json={"ratings": {str(s.items[0].id): 1}},
    )
    assert late.status_code == 409 and "closed" in late.json()["detail"]
    assert client.get(f"/api/v1/delphi/studies/{s.study.id}/actions").json() == []
