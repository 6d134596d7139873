"""Pages and JSON API: search, entry, edit permissions and CSRF, history, restore, funding."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

PASSWORD = "correct-horse-battery"


def _editor_client(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("editor@example.org", "editor", PASSWORD)
    login(client, "editor@example.org", PASSWORD)
    return client


# --- JSON ------------------------------------------------------------------------------------


def test_api_search_entry_history(client: TestClient) -> None:
    found = client.get(
        "/api/v1/directory/entries", params={"q": "genetic resources", "region": "CN"}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["hits"][0]["id"] == "hgr-regulations"
    assert body["hits"][0]["matched_terms"] and body["total"] == len(body["hits"])
    laws = client.get("/api/v1/directory/entries", params={"kind": "law"}).json()
    assert laws["hits"] and {h["kind"] for h in laws["hits"]} == {"law"}

    entry = client.get("/api/v1/directory/entries/hgr-regulations").json()
    assert entry["transfer_rules"] == "hgr" and entry["in_force"] == "2019-07-01"
    assert entry["revision"] == 1 and entry["edited"] is False
    related = {r["id"]: r["direction"] for r in entry["related_entries"]}
    assert related["china-kadoorie-biobank"] == "incoming"
    history = client.get("/api/v1/directory/entries/hgr-regulations/history").json()
    assert history[0]["origin"] == "seed"
    one = client.get("/api/v1/directory/entries/hgr-regulations/history/1").json()
    assert one["snapshot"]["id"] == "hgr-regulations"


def test_api_bad_input_is_4xx(client: TestClient) -> None:
    assert client.get("/api/v1/directory/entries/nope").status_code == 404
    assert client.get("/api/v1/directory/entries/gdpr/history/99").status_code == 404
    bad_kind = client.get("/api/v1/directory/entries", params={"kind": "agency"})
    assert bad_kind.status_code == 422 and bad_kind.json()["field"] == "kind"
    bad_region = client.get("/api/v1/directory/entries", params={"region": "MARS", "q": "x"})
    assert bad_region.status_code == 422 and "unknown region" in bad_region.json()["detail"]
    empty = client.post("/api/v1/directory/funding-match", json={"description": ""})
    assert empty.status_code == 422
    stop = client.post("/api/v1/directory/funding-match", json={"description": "the of"})
    assert stop.status_code == 422 and stop.json()["field"] == "description"


def test_api_funding_match(client: TestClient) -> None:
    response = client.post(
        "/api/v1/directory/funding-match",
        json={
            "description": "Personalised medicine cooperation with African partners",
            "regions": ["DE", "ZA"],
            "limit": 3,
        },
    )
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert matches[0]["id"] == "eu-africa-permed"
    assert "african" in matches[0]["matched_terms"] or "africa" in " ".join(
        matches[0]["matched_terms"]
    )
    assert matches[0]["eligible_regions"] == ["DE", "ZA"]


def test_funding_match_dpyd_project_and_closed_marks(client: TestClient) -> None:
    response = client.post(
        "/api/v1/directory/funding-match",
        json={"description": "DPYD pharmacogenomics project", "regions": ["DE", "CN"]},
    )
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert {"sino-eu-permed", "ic2permed"} <= {m["id"] for m in matches}
    closed = [m["closed"] for m in matches]
    assert closed == sorted(closed) and any(closed)
    page = client.get(
        "/directory/funding",
        params={"description": "DPYD pharmacogenomics project", "regions": "DE, CN"},
    )
    assert page.status_code == 200
    assert 'data-id="ic2permed" data-closed="true"' in page.text
    assert 'data-testid="closed"' in page.text


def test_api_edit_permissions_and_csrf(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/directory/entries/duo"
    change = {"summary": "Changed. By an editor.", "comment": "test"}
    assert client.put(url, json=change).status_code == 401
    make_user("member@example.org", "member", PASSWORD)
    login(client, "member@example.org", PASSWORD)
    assert client.put(url, json=change).status_code == 403
    client.post("/api/v1/auth/logout")
    client.headers.pop("X-CSRF-Token", None)
    make_user("editor@example.org", "editor", PASSWORD)
    token = login(client, "editor@example.org", PASSWORD)
    client.headers.pop("X-CSRF-Token")
    missing = client.put(url, json=change)
    assert missing.status_code == 403 and "CSRF" in missing.json()["detail"]
    client.headers["X-CSRF-Token"] = token
    ok = client.put(url, json=change)
    assert ok.status_code == 200, ok.text
    assert ok.json()["summary"] == "Changed. By an editor." and ok.json()["revision"] == 2
    assert ok.json()["edited"] is True
    bad = client.put(url, json={"jurisdiction": "CN"})
    assert bad.status_code == 422 and "unknown field 'jurisdiction'" in bad.json()["detail"]
    extra = client.put(url, json={"budget": 1})
    assert extra.status_code == 422
    stale = client.put(url, json={"name": "DUO", "base_revision": 1})
    assert stale.status_code == 422 and "changed by someone else" in stale.json()["detail"]
    restored = client.post(f"{url}/restore", json={"revision": 1, "comment": "undo"})
    assert restored.status_code == 200 and restored.json()["revision"] == 3
    history = client.get(f"{url}/history").json()
    assert [(h["number"], h["origin"], h["actor_email"]) for h in history] == [
        (3, "restore", "editor@example.org"),
        (2, "edit", "editor@example.org"),
        (1, "seed", None),
    ]


def test_api_export(client: TestClient) -> None:
    response = client.get("/api/v1/directory/export", params={"format": "csv", "kind": "biobank"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["kind"] for r in rows} == {"biobank"}
    assert {r["bbmri_eric"] for r in rows} <= {"member", "observer", "not a member", "unknown"}
    as_json = client.get("/api/v1/directory/export", params={"format": "json"}).json()
    assert len(as_json) >= 60
    # every field of the JSON export is a CSV column (the Chinese name was dropped)
    uk = next(r for r in rows if r["id"] == "uk-biobank")
    assert uk["name_zh"] == "英国生物银行" and "translation" in uk["name_zh_source"]
    assert {key for entry in as_json for key in entry} <= set(rows[0])
    assert client.get("/api/v1/directory/export", params={"format": "xml"}).status_code == 422


# --- HTML ------------------------------------------------------------------------------------


def test_pages_for_anonymous(client: TestClient) -> None:
    index = client.get("/directory/", params={"q": "biobank", "kind": "biobank"})
    assert index.status_code == 200
    assert (
        'data-id="uk-biobank"' in index.text and "/api/v1/directory/entries?q=biobank" in index.text
    )
    page = client.get("/directory/pipl")
    assert page.status_code == 200
    assert "2021-11-01" in page.text and 'data-testid="entry-source"' in page.text
    assert "Edit this entry" not in page.text
    assert 'data-id="dsl"' in page.text  # related
    unconfirmed = client.get("/directory/shanghai-zhangjiang-biobank")
    assert 'data-testid="unconfirmed"' in unconfirmed.text
    assert client.get("/directory/nope").status_code == 404
    assert client.get("/directory/gdpr/history").status_code == 200
    assert client.get("/directory/gdpr/edit").status_code == 401
    assert client.post("/directory/gdpr/edit", data={"summary": "x"}).status_code == 401
    assert '<a href="/directory/">Directory</a>' in client.get("/").text  # in the nav bar


def test_funding_page(client: TestClient) -> None:
    page = client.get(
        "/directory/funding",
        params={
            "description": "Sino-European personalised medicine cooperation",
            "regions": "DE, CN",
        },
    )
    assert page.status_code == 200
    assert 'data-id="sino-eu-permed"' in page.text and "matched:" in page.text
    bad = client.get("/directory/funding", params={"description": "cancer", "regions": "MARS"})
    assert bad.status_code == 422 and "unknown region" in bad.text
    assert client.get("/directory/funding").status_code == 200


def test_html_edit_and_restore(client: TestClient, make_user, login) -> None:  # type: ignore[no-untyped-def]
    make_user("member@example.org", "member", PASSWORD)
    login(client, "member@example.org", PASSWORD)
    assert client.get("/directory/gdpr/edit").status_code == 403
    client.post("/logout")
    client.headers.pop("X-CSRF-Token", None)
    _editor_client(client, make_user, login)
    form = client.get("/directory/gdpr/edit")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    token = client.headers.pop("X-CSRF-Token")
    fields = {
        "name": "General Data Protection Regulation",
        "acronym": "GDPR",
        "summary": "Edited summary. Second sentence.",
        "regions": "EU27, IS, LI, NO",
        "url": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        "source": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        "date_checked": "2026-11-23",
        "keywords": "personal data, health data",
        "related": "ehds-regulation, pipl",
        "jurisdiction": "EU27",
        "in_force": "2016-05-24",
        "transfer_rules": "gdpr",
        "reference": "",
        "note": "",
        "unconfirmed": "",
        "comment": "shorter",
        "base_revision": "1",
    }
    assert client.post("/directory/gdpr/edit", data=fields).status_code == 403  # no CSRF
    saved = client.post(
        "/directory/gdpr/edit", data={**fields, "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/directory/gdpr"
    page = client.get("/directory/gdpr")
    assert "Edited summary." in page.text and "Edit this entry" in page.text
    bad = client.post(
        "/directory/gdpr/edit",
        data={**fields, "date_checked": "soon", "base_revision": "2", "csrf_token": token},
    )
    assert bad.status_code == 422 and "is not a date" in bad.text
    assert 'value="soon"' in bad.text  # the form keeps what was typed
    history = client.get("/directory/gdpr/history")
    assert "shorter" in history.text and 'data-testid="restore-1"' in history.text
    restored = client.post(
        "/directory/gdpr/restore",
        data={"revision": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert restored.status_code == 303
    entry = client.get("/api/v1/directory/entries/gdpr").json()
    assert entry["revision"] == 3 and "Edited summary" not in entry["summary"]


def test_a_restore_from_a_stale_history_page_does_not_undo_a_newer_edit(
    client: TestClient,
    make_user,  # type: ignore[no-untyped-def]
    login,  # type: ignore[no-untyped-def]
) -> None:
    # Editor B opens the history at revision 1; editor A then saves revision 2; B's
    # "restore revision 1" used to replace A's edit without a word.
    _editor_client(client, make_user, login)
    token = client.headers["X-CSRF-Token"]
    history = client.get("/directory/gdpr/history")
    assert 'name="base_revision" value="1"' not in history.text  # revision 1 is current
    url = "/api/v1/directory/entries/gdpr"
    edited = client.put(url, json={"summary": "Edit by A. Kept.", "base_revision": 1})
    assert edited.status_code == 200 and edited.json()["revision"] == 2
    page = client.get("/directory/gdpr/history")
    assert 'name="base_revision" value="2"' in page.text  # the form says what B saw
    stale = client.post(
        "/directory/gdpr/restore",
        data={"revision": "1", "base_revision": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert stale.status_code == 422 and "changed by someone else" in stale.text
    stale_api = client.post(f"{url}/restore", json={"revision": 1, "base_revision": 1})
    assert stale_api.status_code == 422
    assert stale_api.json()["field"] == "base_revision"
    entry = client.get(url).json()
    assert entry["revision"] == 2 and entry["summary"] == "Edit by A. Kept."
    fresh = client.post(
        "/directory/gdpr/restore",
        data={"revision": "1", "base_revision": "2", "csrf_token": token},
        follow_redirects=False,
    )
    assert fresh.status_code == 303
    assert client.get(url).json()["revision"] == 3
