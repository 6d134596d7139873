"""Attack tests: nobody but the coordinators can recover an expert's ratings from the web app.

Each test takes snapshots of every page, JSON twin and export before and after one
expert saves, as an anonymous visitor and as another expert, and requires them to be
identical; the coordinator's view of the same routes must change (so the test can fail).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.delphi.factories import OpenStudy, make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.consensus import suppress_small_groups
from permed_atlas.delphi.panel import ExpertDraft
from permed_atlas.delphi.service import close_round, submit_ratings
from permed_atlas.delphi.store import (
    get_panel,
    import_panel,
    issue_invitations,
    open_round,
    set_published,
    start_next_round,
)

_CSRF = re.compile(r'name="csrf_token" value="[^"]*"|"csrf_token":\s*"[^"]*"')


def _study(engine: Engine, **kwargs) -> OpenStudy:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        built = make_open_study(session, **kwargs)
        session.commit()
    return built


def _urls(s: OpenStudy) -> list[str]:
    study, round_ = s.study.id, s.round.id
    return [
        "/delphi/",
        f"/delphi/studies/{study}",
        f"/delphi/rounds/{round_}",
        f"/delphi/studies/{study}/report",
        f"/delphi/studies/{study}/report.html",
        f"/delphi/studies/{study}/statistics.csv",
        f"/delphi/studies/{study}/ratings.csv",
        f"/delphi/studies/{study}/export.xlsx",
        f"/delphi/studies/{study}/synthesis",
        "/api/v1/delphi/studies",
        f"/api/v1/delphi/studies/{study}",
        f"/api/v1/delphi/rounds/{round_}",
        f"/api/v1/delphi/rounds/{round_}/items",
        f"/api/v1/delphi/studies/{study}/actions",
    ]


def _snapshot(client: TestClient, urls: list[str]) -> dict[str, tuple[int, str]]:
    # the CSRF token differs per session, not per rating: mask it
    return {
        url: (r.status_code, _CSRF.sub("CSRF", r.text)) for url in urls for r in [client.get(url)]
    }


def test_one_save_changes_nothing_an_anonymous_visitor_or_another_expert_sees(
    client: TestClient, app, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=12, n_items=3)
    # most experts have answered; expert 0 answers last
    for expert in s.experts[1:]:
        client.post(
            f"/api/v1/delphi/respond/{s.tokens[expert.id]}",
            json={"ratings": {str(i.id): 4 for i in s.items}},
        )
    other = s.tokens[s.experts[1].id]
    urls = _urls(s)
    other_urls = [f"/delphi/respond/{other}", f"/api/v1/delphi/respond/{other}"]
    with TestClient(app, base_url="http://testserver") as coordinator:
        make_user("coord@example.org", "editor")
        login(coordinator, "coord@example.org")
        coordinator_urls = [f"/api/v1/delphi/rounds/{s.round.id}"]
        before = _snapshot(client, urls + other_urls)
        coordinator_before = _snapshot(coordinator, coordinator_urls)
        target = s.tokens[s.experts[0].id]
        saved = client.post(
            f"/delphi/respond/{target}",
            data={f"rating_{i.id}": "1" for i in s.items},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        after = _snapshot(client, urls + other_urls)
        coordinator_after = _snapshot(coordinator, coordinator_urls)
    for url in urls + other_urls:
        assert before[url] == after[url], f"{url} changed after one expert saved"
    # the coordinator does see the save: the comparison above could have failed
    assert coordinator_before != coordinator_after
    # what the anonymous visitor got: no figures at all
    round_json = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()
    assert round_json["results_visible"] is False and round_json["n_responded"] is None
    assert all(i["summary"] is None for i in round_json["items"])
    page = client.get(f"/delphi/rounds/{s.round.id}").text
    assert "<svg" not in page and "consensus: include" not in page and "Kendall" not in page
    assert client.get(f"/delphi/studies/{s.study.id}/ratings.csv").status_code == 401


def test_closed_round_stays_with_coordinators_until_published(
    client: TestClient, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=10, n_items=2)
    for expert in s.experts:
        client.post(
            f"/api/v1/delphi/respond/{s.tokens[expert.id]}",
            json={"ratings": {str(s.items[0].id): 5, str(s.items[1].id): 2}},
        )
    with session_factory(engine)() as session:
        close_round(session, s.round.id)
        session.commit()
    items = client.get(f"/api/v1/delphi/rounds/{s.round.id}/items").json()
    assert {i["outcome"] for i in items} == {"hidden"} and all(
        not i["outcome_reason"] for i in items
    )
    assert client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()["items"][0]["summary"] is None
    assert client.get(f"/delphi/studies/{s.study.id}/report.pdf").status_code == 403
    assert client.get(f"/api/v1/delphi/studies/{s.study.id}/actions").status_code == 403
    # an expert still sees own answers on the closed round's form, never the group's
    form = client.get(f"/api/v1/delphi/respond/{s.tokens[s.experts[0].id]}").json()
    assert form["items"][0]["rating"] == 5 and form["items"][0]["feedback"] is None

    # a member is not a coordinator
    make_user("member@example.org", "member")
    login(client, "member@example.org")
    assert client.get(f"/delphi/studies/{s.study.id}/report").status_code == 403
    client.post("/logout")

    make_user("coord@example.org", "editor")
    login(client, "coord@example.org")
    study_page = client.get(f"/delphi/studies/{s.study.id}").text
    assert "Results not published" in study_page
    published = client.post(f"/delphi/studies/{s.study.id}/publish", data={"published": "on"})
    assert published.status_code == 200 and "Results published on" in published.text
    client.post("/logout")
    client.headers.pop("X-CSRF-Token", None)
    public = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()
    assert public["results_visible"] is True
    assert public["items"][0]["summary"]["verdict"] == "include"
    report = client.get(f"/delphi/studies/{s.study.id}/report")
    assert report.status_code == 200 and "Consensus when at least 70%" in report.text
    assert "Wilcoxon" in report.text  # the methods sentence
    # the raw ratings stay with coordinators even when published
    assert client.get(f"/delphi/studies/{s.study.id}/ratings.csv").status_code == 401


def test_a_published_study_never_shows_its_open_round(client: TestClient, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    s = _study(engine, n_experts=10, n_items=2)
    for expert in s.experts:
        client.post(
            f"/api/v1/delphi/respond/{s.tokens[expert.id]}",
            json={"ratings": {str(i.id): 3 for i in s.items}},
        )
    with session_factory(engine)() as session:
        close_round(session, s.round.id)
        nxt = start_next_round(session, s.round.id)
        open_round(session, nxt.id)
        tokens = {
            i.expert.id: i.invitation.token
            for i in issue_invitations(session, nxt.id, base_url="http://testserver")
        }
        set_published(session, s.study.id, published=True)
        session.commit()
    first, second = s.experts[0], s.experts[1]
    urls = [
        f"/api/v1/delphi/rounds/{nxt.id}",
        f"/delphi/rounds/{nxt.id}",
        f"/delphi/studies/{s.study.id}/report",
        f"/delphi/studies/{s.study.id}/statistics.csv",
        f"/api/v1/delphi/respond/{tokens[second.id]}",
    ]
    before = _snapshot(client, urls)
    client.post(
        f"/api/v1/delphi/respond/{tokens[first.id]}",
        json={"ratings": {str(i): 5 for i in (it.id for it in _items(engine, nxt.id))}},
    )
    assert _snapshot(client, urls) == before
    stats = client.get(f"/delphi/studies/{s.study.id}/statistics.csv").text
    assert {line.split(",")[1] for line in stats.splitlines()[1:]} == {"1"}  # round 1 only
    # controlled feedback: the expert sees the closed round 1 beside round 2's items
    form = client.get(f"/api/v1/delphi/respond/{tokens[second.id]}").json()
    assert form["items"][0]["feedback"]["counts"] == [0, 0, 10, 0, 0]


def _items(engine: Engine, round_id: int):  # type: ignore[no-untyped-def]
    from permed_atlas.delphi.store import list_items

    with session_factory(engine)() as session:
        return list_items(session, round_id)


def test_small_region_groups_are_withheld_with_their_complement() -> None:
    groups = {"EU": [4] * 6, "CN": [5] * 6, "Other": [1, None]}
    # Other (1 valid rating) is withheld; alone it could be worked out from the total
    # minus EU and CN, so the next smallest group goes too
    assert set(suppress_small_groups(groups, min_size=5)) == {"EU"}
    groups["Other"] = [1, 2, 3, 4, 5]
    assert set(suppress_small_groups(groups, min_size=5)) == {"EU", "CN", "Other"}
    three = {"EU": [4] * 9, "CN": [5] * 7, "Other": [1] * 3, "AF": [2] * 3}
    # Other and AF together have 6 ratings: withholding both suffices
    assert set(suppress_small_groups(three, min_size=5)) == {"EU", "CN"}


def test_round_page_region_breakdown_respects_the_setting(
    client: TestClient, engine: Engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=0, n_items=1)
        panel = get_panel(session, s.study.id)
        drafts = [
            ExpertDraft(
                line=i,
                ref=f"R{i}",
                name=f"R{i}",
                email=f"r{i}@x.org",
                region=region,
                country=country,
                expertise="",
                organisation="",
            )
            for i, (region, country) in enumerate(
                [("EU", "DE")] * 6 + [("CN", "CN")] * 6 + [("Other", "US")] * 2
            )
        ]
        experts = import_panel(session, drafts, panel_id=panel.id)
        links = issue_invitations(session, s.round.id, base_url="http://testserver")
        for n, issued in enumerate(links):
            assert issued.invitation.token is not None
            submit_ratings(session, issued.invitation.token, ratings={s.items[0].id: 1 + n % 5})
        close_round(session, s.round.id)
        set_published(session, s.study.id, published=True)
        session.commit()
    assert len(experts) == 14
    result = client.get(f"/api/v1/delphi/rounds/{s.round.id}").json()
    # Other has 2 ratings: withheld, and China with it (its complement); EU alone is no breakdown
    assert result["items"][0]["regions"] is None
    assert "Other" not in client.get(f"/delphi/rounds/{s.round.id}").text.split("<h2>Items</h2>")[1]
    # the panel's composition in the report does not count a small group either
    report = client.get(f"/delphi/studies/{s.study.id}/report").text
    assert "Other fewer than 5" in report and "EU 6" in report


def test_feedback_from_too_few_ratings_is_withheld(client: TestClient, engine: Engine) -> None:
    # three experts: knowing their own rating, each could work out the other two from
    # the round-1 distribution, so the group's figures are not shown (minimum 5)
    s = _study(engine, n_experts=3, n_items=1)
    for n, expert in enumerate(s.experts):
        client.post(
            f"/api/v1/delphi/respond/{s.tokens[expert.id]}",
            json={"ratings": {str(s.items[0].id): 2 + n}},
        )
    with session_factory(engine)() as session:
        close_round(session, s.round.id)
        nxt = start_next_round(session, s.round.id, carry="all")
        open_round(session, nxt.id)
        token = next(
            i.invitation.token
            for i in issue_invitations(session, nxt.id, base_url="http://testserver")
            if i.expert.id == s.experts[0].id
        )
        session.commit()
    feedback = client.get(f"/api/v1/delphi/respond/{token}").json()["items"][0]["feedback"]
    assert feedback["withheld"] is True and feedback["counts"] == [0, 0, 0, 0, 0]
    assert feedback["own_rating"] == 2 and feedback["share_agree"] is None
    page = client.get(f"/delphi/respond/{token}").text
    assert "Fewer than 5 experts rated this item in round 1" in page
    assert "Your rating then: 2" in page and "Round 1 panel ratings" not in page


def test_a_closed_rounds_form_shows_no_verdict_figures_the_feedback_withholds(
    client: TestClient, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    # Review round 2: the closed round's form (JSON) gave each item's outcome reason,
    # "share agree 50%, ..., median 3, IQR 2, n=2": with two ratings and their own, an
    # expert knew the other's, which the next round's feedback withholds (min group size).
    s = _study(engine, n_experts=8, n_items=2)
    first, second = s.experts[:2]
    for expert, value in ((first, 5), (second, 1)):
        client.post(
            f"/api/v1/delphi/respond/{s.tokens[expert.id]}",
            json={"ratings": {str(s.items[0].id): value}},
        )
    with session_factory(engine)() as session:
        close_round(session, s.round.id)
        session.commit()
    form = client.get(f"/api/v1/delphi/respond/{s.tokens[first.id]}").json()
    assert form["items"][0]["rating"] == 5  # the expert's own answer stays
    for entry in form["items"]:
        assert entry["item"]["outcome"] == "hidden" and entry["item"]["outcome_reason"] == ""
        assert "n=" not in str(entry) and "median" not in str(entry["item"])
