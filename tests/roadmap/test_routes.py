"""Roadmap pages (HTML) and their JSON twins, through the real app and database."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.accounts import list_audit
from permed_atlas.db import session_factory
from permed_atlas.roadmap import list_observations, load_demo_observations

PASSWORD = "correct-horse-battery"


@pytest.fixture
def demo(engine: Engine) -> None:
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()


@pytest.fixture
def editor(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("editor@example.org", "editor", PASSWORD)
    login(client, "editor@example.org", PASSWORD)
    return client


# --- HTML ----------------------------------------------------------------------------------


def test_index_lists_the_bundled_roadmaps(client: TestClient) -> None:
    page = client.get("/roadmap/")
    assert page.status_code == 200
    assert 'data-slug="ic2permed"' in page.text and 'data-slug="sino-eu-permed"' in page.text
    assert "Add a roadmap" not in page.text  # anonymous visitors get no write links


def test_roadmap_page_shows_tree_status_and_rule(client: TestClient, demo: None) -> None:
    page = client.get("/roadmap/ic2permed")
    assert page.status_code == 200
    text = page.text
    for title in (
        "Shaping sustainable healthcare",
        "Privacy, security and trust",
        "Omics sciences",
    ):
        assert title in text
    assert 'data-action="III.2.a"' in text and 'data-status="on track"' in text
    assert "least squares" in text  # the status rule is stated on the page
    assert "/api/v1/roadmap/roadmaps/ic2permed" in text  # JSON twin linked


def test_scorecard_page_puts_eu_and_china_side_by_side(client: TestClient, demo: None) -> None:
    page = client.get("/roadmap/ic2permed/scorecard")
    assert page.status_code == 200
    assert page.text.index(">EU27<") < page.text.index(">CN<")
    assert 'data-region="EU27"' in page.text and 'data-region="CN"' in page.text


def test_indicator_page_embeds_the_chart(client: TestClient, demo: None) -> None:
    page = client.get("/roadmap/indicators/dpyd-demo-milan")
    assert page.status_code == 200
    start = page.text.index("<svg")
    svg = page.text[start : page.text.index("</svg>") + 6]
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert 'class="band"' in svg and 'class="projection"' in svg
    assert "Add an observation" not in page.text


def test_downloads_csv_svg_png(client: TestClient, demo: None) -> None:
    card = client.get("/roadmap/ic2permed/scorecard.csv")
    assert card.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(card.text)))
    assert rows[0]["level"] == "roadmap" and "EU27_status" in rows[0] and "CN_status" in rows[0]
    indicators = list(
        csv.DictReader(io.StringIO(client.get("/roadmap/ic2permed/indicators.csv").text))
    )
    assert {r["indicator"] for r in indicators} >= {"dpyd-demo-milan", "dpyd-centres-cn"}
    actions = list(csv.DictReader(io.StringIO(client.get("/roadmap/ic2permed/actions.csv").text)))
    assert len(actions) == 24
    svg = client.get("/roadmap/indicators/dpyd-demo-milan/chart.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "attachment" in svg.headers["content-disposition"]
    ET.fromstring(svg.text)
    png = client.get("/roadmap/indicators/dpyd-demo-milan/chart.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    obs = client.get("/roadmap/indicators/dpyd-demo-milan/observations.csv").text
    assert obs.splitlines()[0] == "indicator,date,value,unit,source,entered_by"


def test_unknown_things_are_404(client: TestClient) -> None:
    assert client.get("/roadmap/nope").status_code == 404
    assert client.get("/roadmap/indicators/nope").status_code == 404
    assert client.get("/api/v1/roadmap/indicators/nope").json()["detail"] == "no indicator 'nope'"


def test_only_editors_write(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    body = {"date": "2024-06-30", "value": 30, "unit": "%", "source": "x"}
    url = "/api/v1/roadmap/indicators/dpyd-demo-milan/observations"
    assert client.post(url, json=body).status_code == 401
    assert client.get("/roadmap/new").status_code == 401
    make_user("member@example.org", "member", PASSWORD)
    login(client, "member@example.org", PASSWORD)
    assert client.post(url, json=body).status_code == 403
    assert client.post("/roadmap/import", files={"file": ("a.csv", b"x")}).status_code == 403


def test_editor_adds_an_observation_through_the_form(editor: TestClient, engine: Engine) -> None:
    page = editor.get("/roadmap/indicators/dpyd-demo-berlin")
    assert 'data-testid="observation-form"' in page.text
    response = editor.post(
        "/roadmap/indicators/dpyd-demo-berlin/observations",
        data={"observed_on": "2024-06-30", "value": "44", "unit": "%", "source": "pharmacy"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with session_factory(engine)() as session:
        stored = list_observations(session, "dpyd-demo-berlin")
        assert [(o.value, o.entered_by) for o in stored] == [(44.0, "editor@example.org")]
        assert list_audit(session, action="roadmap.observation.add")


def test_form_errors_are_shown_on_the_page(editor: TestClient) -> None:
    response = editor.post(
        "/roadmap/indicators/dpyd-demo-berlin/observations",
        data={"observed_on": "2022-06-30", "value": "44", "unit": "%", "source": "x"},
    )
    assert response.status_code == 422
    assert (
        "before the baseline date" in response.text and 'data-testid="form-error"' in response.text
    )


def test_writes_need_the_csrf_token(editor: TestClient) -> None:
    del editor.headers["X-CSRF-Token"]
    response = editor.post(
        "/roadmap/indicators/dpyd-demo-berlin/observations",
        data={"observed_on": "2024-06-30", "value": "44", "unit": "%", "source": "x"},
    )
    assert response.status_code == 403


def test_csv_upload_reports_bad_lines(editor: TestClient) -> None:
    bad = (
        b"indicator,date,value,unit,source\n"
        b"dpyd-demo-lyon,2024-01-01,30,%,x\ndpyd-demo-lyon,2024-02-01,31,kg,x\n"
    )
    response = editor.post("/roadmap/import", files={"file": ("lyon.csv", bad, "text/csv")})
    assert response.status_code == 422
    assert "lyon.csv:3" in response.text and "not the unit" in response.text
    good = bad.replace(b",kg,", b",%,")
    response = editor.post("/roadmap/import", files={"file": ("lyon.csv", good, "text/csv")})
    assert response.status_code == 200 and "stored 2" in response.text


def test_editor_adds_a_roadmap_and_an_indicator(editor: TestClient) -> None:
    document = (
        "slug: my-roadmap\ntitle: My roadmap\nsource: {title: notes}\npillars:\n"
        "  - {code: A, title: Pillar, priorities: [{code: A.1, title: Priority, actions: "
        "[{code: A.1.a, title: Act}]}]}\n"
    )
    response = editor.post("/roadmap/new", data={"document": document}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/roadmap/my-roadmap"
    again = editor.post("/roadmap/new", data={"document": document})
    assert again.status_code == 422 and "already exists" in again.text
    form = {
        "code": "my-ind",
        "name": "Mine",
        "definition": "d",
        "unit": "sites",
        "direction": "increase",
        "baseline_value": "1",
        "baseline_date": "2024-01-01",
        "target_value": "5",
        "target_date": "2030-01-01",
        "region": "CN",
        "country": "CN",
        "centre": "",
        "actions": ["A.1.a"],
        "data_source": "",
    }
    response = editor.post("/roadmap/my-roadmap/indicators/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    bad = editor.post(
        "/roadmap/my-roadmap/indicators/new", data={**form, "code": "x", "region": "MARS"}
    )
    assert bad.status_code == 422 and "unknown region" in bad.text


# --- JSON ----------------------------------------------------------------------------------


def test_json_roadmaps_tree_status_scorecard(client: TestClient, demo: None) -> None:
    roadmaps = client.get("/api/v1/roadmap/roadmaps").json()
    assert {r["slug"] for r in roadmaps} == {"ic2permed", "sino-eu-permed"}
    tree = client.get("/api/v1/roadmap/roadmaps/ic2permed").json()
    assert [p["code"] for p in tree["pillars"]] == ["I", "II", "III"]
    assert sum(len(q["actions"]) for p in tree["pillars"] for q in p["priorities"]) == 24
    status = client.get("/api/v1/roadmap/roadmaps/ic2permed/status", params={"region": "CN"}).json()
    assert status["rule"].startswith("A straight line")
    assert {i["indicator"]["scope"]["region"] for i in status["indicators"]} == {"CN"}
    card = client.get("/api/v1/roadmap/roadmaps/ic2permed/scorecard").json()
    assert card["regions"][:2] == ["EU27", "CN"]
    assert set(card["rows"][0]["regions"]["EU27"]) >= {"on_track", "at_risk", "off_track", "status"}
    indicator = client.get("/api/v1/roadmap/indicators/dpyd-demo-milan").json()
    assert indicator["status"] == "at risk" and indicator["projection"]["upper"] >= 70
    assert len(indicator["observation_list"]) == 3


def test_json_writes(editor: TestClient) -> None:
    url = "/api/v1/roadmap/indicators/dpyd-demo-leiden/observations"
    created = editor.post(url, json={"date": "2024-06-30", "value": 52, "unit": "%", "source": "s"})
    assert created.status_code == 201
    assert created.json()["entered_by"] == "editor"  # the role, never the email
    wrong = editor.post(url, json={"date": "2024-07-30", "value": 52, "unit": "kg", "source": "s"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "unit"
    bad_csv = "indicator,date,value,unit,source\ndpyd-demo-leiden,2021-01-01,1,%,s\n"
    imported = editor.post("/api/v1/roadmap/observations/import", json={"csv": bad_csv})
    assert imported.status_code == 422
    assert imported.json()["problems"] == [
        {"line": 2, "field": "date", "message": imported.json()["problems"][0]["message"]}
    ]
    good_csv = bad_csv.replace("2021-01-01", "2025-01-01")
    report = editor.post("/api/v1/roadmap/observations/import", json={"csv": good_csv}).json()
    assert report["stored"] == 1
    indicator = {
        "code": "api-ind",
        "name": "n",
        "definition": "d",
        "unit": "%",
        "direction": "decrease",
        "baseline_value": 50,
        "baseline_date": "2024-01-01",
        "target_value": 10,
        "target_date": "2030-01-01",
        "region": "EU27",
        "country": "IT",
        "centre": "Demo centre",
        "actions": ["I.1.a"],
    }
    made = editor.post("/api/v1/roadmap/roadmaps/ic2permed/indicators", json=indicator)
    assert made.status_code == 201 and made.json()["scope"]["level"] == "centre"
    roadmap = editor.post(
        "/api/v1/roadmap/roadmaps",
        json={
            "data": {
                "slug": "api-map",
                "title": "t",
                "source": {"title": "s"},
                "pillars": [{"code": "P", "title": "p"}],
            }
        },
    )
    assert roadmap.status_code == 201 and roadmap.json()["slug"] == "api-map"


def test_editor_builds_a_roadmap_from_a_delphi_study(editor: TestClient, engine: Engine) -> None:
    delphi = pytest.importorskip("permed_atlas.delphi")
    with session_factory(engine)() as session:
        study = delphi.load_demo_study(session)
        session.commit()
    response = editor.post(
        "/roadmap/from-delphi", data={"study": study.slug}, follow_redirects=False
    )
    assert response.status_code == 303
    page = editor.get(response.headers["location"])
    assert f'href="/delphi/studies/{study.id}/synthesis"' in page.text
    assert editor.post("/roadmap/from-delphi", data={"study": "nope"}).status_code == 404


def test_a_roadmap_from_an_unpublished_delphi_study_is_refused(
    editor: TestClient, app, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    delphi = pytest.importorskip("permed_atlas.delphi")
    from permed_atlas.delphi.store import set_published

    with session_factory(engine)() as session:
        study = delphi.load_demo_study(session)
        # the coordinators withdrew the results: the synthesis is theirs alone again
        set_published(session, study.id, published=False)
        session.commit()
        action = delphi.list_actions(session, study.id)[0]
    for refused in (
        editor.post("/roadmap/from-delphi", data={"study": study.slug}),
        editor.post(f"/api/v1/roadmap/roadmaps/from-delphi/{study.slug}"),
    ):
        assert refused.status_code == 422
        assert "has not published its results yet" in refused.text
    with TestClient(app, base_url="http://testserver") as visitor:
        assert visitor.get(f"/delphi/studies/{study.id}/synthesis").status_code == 403
        # no public roadmap shows what the study page withholds
        assert visitor.get(f"/roadmap/delphi-{study.slug}").status_code == 404
        assert action.title not in visitor.get("/roadmap/").text


def test_a_delphi_study_named_by_a_number_no_key_holds_is_not_found(
    editor: TestClient,
) -> None:
    # "²" passes str.isdigit but not int(); 2**70 passes int() but SQLite cannot bind it
    for name in ("\u00b2", str(2**70)):
        form = editor.post("/roadmap/from-delphi", data={"study": name})
        assert form.status_code == 404 and "no Delphi study" in form.text, name
        api = editor.post(f"/api/v1/roadmap/roadmaps/from-delphi/{name}")
        assert api.status_code == 404 and "no Delphi study" in api.json()["detail"], name


def test_a_bad_new_indicator_is_refused_by_api_and_form_and_nothing_is_stored(
    editor: TestClient,
) -> None:
    indicator = {
        "code": "bad-ind",
        "name": "n",
        "definition": "d",
        "unit": "%",
        "direction": "increase",
        "baseline_value": 150,
        "baseline_date": "2024-01-01",
        "target_value": 80,
        "target_date": "2030-01-01",
        "region": "EU27",
        "actions": ["I.1.a"],
    }
    url = "/api/v1/roadmap/roadmaps/ic2permed/indicators"
    over = editor.post(url, json=indicator)
    assert over.status_code == 422
    assert over.json() == {
        "detail": "baseline_value: 150 is not a percentage (0-100)",
        "field": "baseline_value",
    }
    backwards = editor.post(url, json={**indicator, "baseline_value": 50, "target_value": 10})
    assert backwards.json()["field"] == "target_value"
    # JSON's NaN (Python's json reads it) used to reach the database and fail there with a 500
    nan = editor.post(
        url,
        content=json.dumps({**indicator, "baseline_value": float("nan")}),
        headers={"content-type": "application/json"},
    )
    assert nan.status_code == 422 and nan.json()["field"] == "baseline_value"
    form = {
        **{k: str(v) for k, v in indicator.items() if k != "actions"},
        "actions": ["I.1.a"],
        "code": "bad code/x",
        "baseline_value": "50",
    }
    page = editor.post("/roadmap/ic2permed/indicators/new", data=form, follow_redirects=False)
    assert page.status_code == 422 and "is not a valid code" in page.text
    assert editor.get("/api/v1/roadmap/indicators/bad-ind").status_code == 404
    codes = {i["code"] for i in editor.get(f"{url}").json()}
    assert "bad-ind" not in codes and "bad code/x" not in codes


def test_a_value_observed_on_the_target_date_decides_the_status_in_json(
    editor: TestClient,
) -> None:
    indicator = {
        "code": "deadline-ind",
        "name": "n",
        "definition": "d",
        "unit": "%",
        "direction": "increase",
        "baseline_value": 20,
        "baseline_date": "2023-01-01",
        "target_value": 70,
        "target_date": "2024-12-31",
        "region": "EU27",
        "actions": ["I.1.a"],
    }
    made = editor.post("/api/v1/roadmap/roadmaps/ic2permed/indicators", json=indicator)
    assert made.status_code == 201, made.text
    url = "/api/v1/roadmap/indicators/deadline-ind"
    for when, value in (("2024-12-31", 30), ("2025-06-01", 100), ("2025-09-01", 100)):
        added = editor.post(
            f"{url}/observations", json={"date": when, "value": value, "source": "s"}
        )
        assert added.status_code == 201, added.text
    body = editor.get(url).json()
    assert body["status"] == "off track" and body["uncertain"] is False
    assert body["reason"] == "observed 30 % on the target date 2024-12-31: target 70 % missed"
    assert body["basis"] == "measured on the target date"
    page = editor.get("/roadmap/indicators/deadline-ind?lang=zh")
    assert "未达到目标" in page.text
