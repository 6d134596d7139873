"""The hub page, its JSON twin and the access-request flow in the platform web app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from permed_atlas.settings import Settings

from .conftest import Federation

PARAMS = {"run": "1", "diagnosis": "C50", "sex": "female"}


@pytest.fixture
def registry(settings: Settings, federation: Federation) -> Path:
    """A nodes.yaml in the test's data directory naming the live nodes."""
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    nodes = [
        {
            "id": n.id,
            "name": n.name,
            "url": n.url,
            "region": n.region,
            "country": n.country,
            "secret": n.secret,
            "timeout_s": n.timeout_s,
            "managers": list(n.managers),
        }
        for n in federation.hub_all.nodes
    ]
    path = folder / "nodes.yaml"
    path.write_text(
        yaml.safe_dump({"hub": {"issuer": "permed-hub"}, "nodes": nodes}), encoding="utf-8"
    )
    return path


def test_hub_page_shows_per_node_region_and_total(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/federation/", params=PARAMS)
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="hub-result"' in html and "Total:" in html
    assert "timeout" in html and "unreachable" in html  # the slow node and the down node
    assert 'href="/api/v1/federation/query?' in html
    empty = client.get("/federation/")
    assert empty.status_code == 200 and 'data-testid="hub-result"' not in empty.text


def test_query_json_twin(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/federation/query", params=PARAMS).json()
    statuses = {n["id"]: n["status"] for n in data["nodes"]}
    assert statuses["de-berlin"] == "ok" and statuses["eu-down"] == "unreachable"
    assert data["complete"] is False
    assert data["total"]["lower"] == sum(n["count"]["lower"] for n in data["nodes"] if n["count"])
    assert set(data["regions"]) == {"EU", "CN"}
    nodes = client.get("/api/v1/federation/nodes").json()
    assert all("secret" not in n for n in nodes)


def test_bad_filter_is_a_clear_error(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/federation/query", params={"diagnosis": "not-a-code"})
    assert response.status_code in {400, 422}
    assert "ICD-10" in response.text and response.json()["field"] == "diagnosis"
    assert "filters[" not in response.text
    ages = client.get("/api/v1/federation/query", params={"diagnosis": "C50", "age": "65-40"})
    assert ages.status_code in {400, 422} and ages.json()["field"] == "age"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("diagnosis", "XYZ", "not an ICD-10 code"),
        ("age", "forty", "a number or a range such as 40-65"),
        ("year", "2020-2010", "range is empty"),
        ("material", "moonrock", "not a material term"),
    ],
)
def test_the_page_answers_a_bad_value_inline_and_asks_no_node(  # type: ignore[no-untyped-def]
    client, registry: Path, field: str, value: str, words: str
) -> None:
    page = client.get("/federation/", params={**PARAMS, field: value})
    assert page.status_code == 200
    problem = re.search(r'<li data-field="([a-z_]+)">(.*?)</li>', page.text, re.S)
    assert problem is not None and problem.group(1) == field
    assert words in problem.group(2) and "filters[" not in problem.group(2)
    assert f'value="{value}"' in page.text  # what was typed stays in the field
    # The question changed, so the page does not ask the biobanks (nor spend their budget).
    assert 'data-testid="hub-result"' not in page.text


def test_the_diagnosis_field_offers_icd10_chapters(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/federation/").text
    assert 'list="icd10-options"' in page
    assert '<option value="chapter:II">Neoplasms (chapter II)</option>' in page
    assert '<option value="C00-D48">Neoplasms (C00-D48)</option>' in page


def test_access_request_flow(client, registry: Path, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("researcher@example.org", "member")
    make_user("manager@de-berlin.example.org", "member")
    login(client, "researcher@example.org")
    created = client.post(
        "/federation/requests",
        data={**PARAMS, "title": "Breast cancer sera", "description": "EU-China cohort"},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    request_id = int(url.rsplit("/", 1)[1])
    detail = client.get(f"/api/v1/federation/requests/{request_id}").json()
    addressed = {n["node_id"]: n["status"] for n in detail["nodes"]}
    # Only the nodes that answered with a possible match are addressed.
    assert addressed == {"de-berlin": "pending", "fr-lyon": "pending", "cn-shanghai": "pending"}
    # The requester does not manage Berlin, so may not answer for it.
    refused = client.post(
        f"{url}/answer",
        data={"node_id": "de-berlin", "decision": "approved"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    client.post("/logout", follow_redirects=False)
    client.cookies.clear()
    login(client, "manager@de-berlin.example.org")
    inbox = client.get("/api/v1/federation/requests").json()
    assert [r["id"] for r in inbox["inbox"]] == [request_id]
    assert inbox["managed_nodes"] == ["de-berlin"]
    assert "Breast cancer sera" in client.get("/federation/requests").text
    answered = client.post(
        f"{url}/answer",
        data={"node_id": "de-berlin", "decision": "approved", "note": "send the MTA"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    after = client.get(f"/api/v1/federation/requests/{request_id}").json()
    berlin = next(n for n in after["nodes"] if n["node_id"] == "de-berlin")
    assert berlin["status"] == "approved" and berlin["note"] == "send the MTA"
    assert "send the MTA" in client.get(url).text


def test_requests_need_login(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/federation/requests").status_code == 401


def test_stated_ethics_approval_leaves_irb_to_the_committee(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    use = {
        "diagnosis": "C50",
        "purpose": "DS",
        "disease": "C50.9",
        "country": "FR",
        "commercial": "no",
    }
    without = client.get("/api/v1/federation/query", params=use).json()
    with_irb = client.get(
        "/api/v1/federation/query", params={**use, "ethics_approval": "yes"}
    ).json()
    lyon = {n["id"]: n for n in without["nodes"]}["fr-lyon"]
    assert [d["id"] for d in lyon["datasets_excluded"]] == ["oncology-2"]
    # The requester's own "yes" is not proof: the committee verifies it, so a count leaves
    # the collection out and says it needs review; a stated "no" is a plain refusal.
    lyon = {n["id"]: n for n in with_irb["nodes"]}["fr-lyon"]
    assert [d["id"] for d in lyon["datasets_excluded"]] == ["oncology-2"]
    assert lyon["datasets_excluded"][0]["reason"].startswith("needs committee review: ")
    refused = client.get("/api/v1/federation/query", params={**use, "ethics_approval": "no"})
    lyon = {n["id"]: n for n in refused.json()["nodes"]}["fr-lyon"]
    assert "ethics_approval=false" in lyon["datasets_excluded"][0]["reason"]
    assert not lyon["datasets_excluded"][0]["reason"].startswith("needs committee review")


@pytest.fixture
def down_registry(settings: Settings) -> Path:
    """The bundled demo registry's nodes, each on a loopback port where nothing listens."""
    from .conftest import DEMO, free_port

    bundled = yaml.safe_load((DEMO / "nodes.yaml").read_text(encoding="utf-8"))
    for node in bundled["nodes"]:
        node["url"] = f"http://127.0.0.1:{free_port()}"
        node["data"], node["config"] = str(DEMO / node["data"]), str(DEMO / node["config"])
    folder = settings.data_dir / "federation"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "nodes.yaml"
    path.write_text(yaml.safe_dump(bundled), encoding="utf-8")
    return path


def test_with_every_node_down_the_page_says_which_and_how_to_start_them(
    client,
    down_registry: Path,
    make_user,
    login,  # type: ignore[no-untyped-def]
) -> None:
    landing = client.get("/federation/").text
    assert 'data-testid="offline-nodes"' in landing
    for name in ("Biobank Berlin (demo)", "Shanghai Biobank (demo)", "Beijing Biobank (demo)"):
        assert name in landing
    assert landing.count("permed node serve --data ") == 4 and "permed demo" in landing
    make_user("researcher@example.org", "member")
    login(client, "researcher@example.org")
    html = client.get("/federation/", params=PARAMS).text
    assert 'data-testid="hub-result"' in html
    assert "Total: " not in html and "Total: <strong>0" not in html
    assert "No biobank gave a count" in html and "all are offline" in html
    assert 'data-testid="request-form"' not in html and 'data-testid="no-match"' in html
    assert "Error" not in html.replace("error.css", "")  # no ConnectError or other class names
    data = client.get("/api/v1/federation/query", params=PARAMS).json()
    reasons = [n["reason"] for n in data["nodes"]]
    assert all("not running" in r and "Error" not in r for r in reasons), reasons


def test_the_request_button_appears_only_when_something_matched(
    client,
    registry: Path,
    make_user,
    login,  # type: ignore[no-untyped-def]
) -> None:
    make_user("researcher@example.org", "member")
    login(client, "researcher@example.org")
    matched = client.get("/federation/", params=PARAMS).text
    assert 'data-testid="request-form"' in matched
    nothing = client.get(
        "/federation/", params={"run": "1", "diagnosis": "C50", "age": "150-160"}
    ).text
    assert 'data-testid="hub-result"' in nothing
    assert 'data-testid="request-form"' not in nothing and 'data-testid="no-match"' in nothing
    # Some nodes answered (with 0), so a total is shown: 0 is then a real answer.
    assert "Total: <strong>0</strong>" in nothing
    refused = client.post(
        "/federation/requests",
        data={"run": "1", "diagnosis": "C50", "age": "150-160", "title": "x"},
        follow_redirects=False,
    )
    assert refused.status_code in {400, 409, 422}


def test_hub_page_gives_node_reasons_in_chinese(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    chinese = client.get("/federation/", params={**PARAMS, "lang": "zh"}).text
    assert "没有应答：该节点未运行或无法访问" in chinese  # the down node, in words
    assert "秒内没有应答" in chinese or "HTTP 超时" in chinese  # the slow node
    assert "nothing answers at" not in chinese
    english = client.get("/federation/", params={**PARAMS, "lang": "en"}).text
    assert "nothing answers at" in english
    data = client.get("/api/v1/federation/query", params={**PARAMS, "lang": "zh"}).json()
    reasons = " ".join(str(node["reason"]) for node in data["nodes"])
    assert "nothing answers at" in reasons  # the JSON keeps English


def test_a_field_given_twice_asks_for_both_values(client, registry: Path) -> None:  # type: ignore[no-untyped-def]
    twice = client.get("/api/v1/federation/query?run=1&diagnosis=C50&diagnosis=C18").json()
    comma = client.get("/api/v1/federation/query", params={"diagnosis": "C50,C18"}).json()
    assert twice["query"] == comma["query"] and "C18" in twice["query"] and "C50" in twice["query"]
    purposes = client.get("/api/v1/federation/query?diagnosis=C50&purpose=HMB&purpose=GRU")
    assert purposes.status_code in {400, 422} and purposes.json()["field"] == "purpose"


def test_a_request_is_seen_only_by_its_requester_and_each_manager_for_their_node(  # type: ignore[no-untyped-def]
    app, client, registry: Path, make_user, login
) -> None:
    # Review round 2: a node's manager saw every biobank's row of a request addressed to
    # them, another biobank's decision and its note to the requester among them.
    from fastapi.testclient import TestClient

    for email in (
        "researcher@example.org",
        "outsider@example.org",
        "manager@de-berlin.example.org",
        "manager@fr-lyon.example.org",
    ):
        make_user(email, "member")
    login(client, "researcher@example.org")
    created = client.post(
        "/federation/requests",
        data={**PARAMS, "title": "Sera", "description": "cohort"},
        follow_redirects=False,
    )
    url = created.headers["location"]
    request_id = int(url.rsplit("/", 1)[1])

    def browser(email: str) -> TestClient:
        other = TestClient(app, base_url="http://testserver")
        login(other, email)
        return other

    lyon = browser("manager@fr-lyon.example.org")
    note = "Lyon asks for the ethics approval"
    answered = lyon.post(
        f"{url}/answer",
        data={"node_id": "fr-lyon", "decision": "needs_info", "note": note},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    berlin = browser("manager@de-berlin.example.org")
    seen = berlin.get(f"/api/v1/federation/requests/{request_id}").json()
    assert [n["node_id"] for n in seen["nodes"]] == ["de-berlin"]
    inbox = berlin.get("/api/v1/federation/requests").json()["inbox"]
    assert [n["node_id"] for r in inbox for n in r["nodes"]] == ["de-berlin"]
    for page in (berlin.get(url).text, berlin.get("/federation/requests").text):
        assert note not in page and "fr-lyon" not in page
    # the requester sees every answer (the test can fail)
    mine = client.get(f"/api/v1/federation/requests/{request_id}").json()
    assert {n["node_id"] for n in mine["nodes"]} >= {"de-berlin", "fr-lyon"}
    assert note in client.get(url).text
    # a member who neither asked nor manages an addressed node sees nothing, answers nothing
    # and cannot tell it from a request that was never made (404 for both, same words)
    outsider = browser("outsider@example.org")
    missing = request_id + 1000
    for seen in (request_id, missing):
        assert outsider.get(f"/federation/requests/{seen}").status_code == 404
    answers = [outsider.get(f"/api/v1/federation/requests/{i}") for i in (request_id, missing)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json()["detail"] == answers[1].json()["detail"].replace(
        str(missing), str(request_id)
    )
    assert outsider.get("/api/v1/federation/requests").json()["mine"] == []
    refused = outsider.post(
        f"{url}/answer", data={"node_id": "fr-lyon", "decision": "approved"}, follow_redirects=False
    )
    assert refused.status_code == 403
    for other in (lyon, berlin, outsider):
        other.close()


def test_a_question_another_site_sends_the_browser_to_is_not_asked_in_the_users_name(  # type: ignore[no-untyped-def]
    client, registry: Path, make_user, login, monkeypatch
) -> None:
    # Review round 2: a link on any site to /federation/?run=1&... (or the JSON twin) made
    # a logged-in member's browser ask it with their SameSite=Lax cookie: the nodes charged
    # their daily budget, kept the question in their differencing history and logged it.
    from permed_atlas.federation import routes

    asked: list[str] = []
    real = routes.run_query

    async def spy(settings, values, requester):  # type: ignore[no-untyped-def]
        asked.append(requester)
        return await real(settings, values, requester)

    monkeypatch.setattr(routes, "run_query", spy)
    make_user("researcher@example.org", "member")
    login(client, "researcher@example.org")
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert client.get("/federation/", params=PARAMS, headers=cross).status_code == 200
    query = client.get("/api/v1/federation/query", params=PARAMS, headers=cross)
    assert query.status_code == 200
    own = {"Sec-Fetch-Site": "same-origin"}
    assert client.get("/api/v1/federation/query", params=PARAMS, headers=own).status_code == 200
    assert [a.split(":")[0] for a in asked] == ["web", "web", "user"], asked
    assert asked[-1] == "user:researcher@example.org"
