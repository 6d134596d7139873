"""The transfer pages (HTML) and the JSON API, through the real app."""

from __future__ import annotations

import re

SCENARIO = {
    "exporter_country": "CN", "importer_country": "DE",
    "data_categories": ["genetic", "samples", "pseudonymised"], "data_subjects": 2000,
    "purpose": "research", "consent": "explicit", "foreign_party": True,
}  # fmt: skip


def test_api_assess_returns_obligations_with_references(client) -> None:
    response = client.post("/api/v1/transfer/assess", json=SCENARIO)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "allowed with listed steps"
    assert body["disclaimer"].startswith("Guidance, not legal advice")
    assert body["rules_checked"] == "2026-11-23"
    by_id = {o["rule_id"]: o for o in body["obligations"]}
    assert by_id["hgr-art27-materials-export"]["reference"] == "HGR Regulations, Art. 27"
    assert by_id["pipl-art55-piia"]["matched_conditions"]
    # CIIO status is a designation: not stated means not designated, and the answer says so.
    assert by_id["cac-standard-contract"]["references"] == [
        "CAC Provisions on Promoting and Regulating Cross-Border Data Flows (2024), Art. 8",
        "PIPL, Art. 38(1)(2)-(3)",
        "Measures on the Standard Contract for Outbound Transfer of Personal Information (2023), "
        "Art. 7",
    ]
    assert "hgr-scope" in body["fired_rules"]
    assert any("exporter_ciio = yes to override" in a for a in body["assumptions"])
    assert body["parties"] == ["from China (CN)", "to Germany (DE)"]


def test_api_bad_input_is_422_naming_the_field(client) -> None:
    response = client.post("/api/v1/transfer/assess", json={**SCENARIO, "data_subjects": -1})
    assert response.status_code == 422
    assert response.json()["field"] == "data_subjects"
    contradictory = {**SCENARIO, "data_categories": ["anonymised", "identified"]}
    response = client.post("/api/v1/transfer/assess", json=contradictory)
    assert response.status_code == 422 and response.json()["field"] == "data_categories"
    response = client.post("/api/v1/transfer/assess", json={**SCENARIO, "importer_country": "ZZ"})
    assert response.status_code == 422 and "ZZ" in response.json()["detail"]
    response = client.post("/api/v1/transfer/assess", json={**SCENARIO, "importer_country": "Ge"})
    assert response.status_code == 422 and response.json()["field"] == "importer_country"
    assert "shortened name" in response.json()["detail"]
    response = client.post("/api/v1/transfer/assess", json={**SCENARIO, "favourite": "x"})
    assert response.status_code == 422 and response.json()["field"] == "favourite"
    response = client.post("/api/v1/transfer/assess", json={"importer_country": "DE"})
    assert response.status_code == 422


def test_api_rules_and_duo_match(client) -> None:
    rules = client.get("/api/v1/transfer/rules").json()
    laws = {rs["law"] for rs in rules["rule_sets"]}
    assert {"GDPR", "PIPL", "DSL", "HGR", "SciData"} <= laws
    request = {"consent": ["GRU", "GS=EU27"], "purpose": "HMB", "country": "CN"}
    match = client.post("/api/v1/transfer/duo-match", json=request)
    assert match.status_code == 200
    assert match.json()["allowed"] is False and match.json()["blocking"] == ["DUO:0000022"]
    assert match.json()["outcome"] == "not_allowed"
    inside = client.post("/api/v1/transfer/duo-match", json={**request, "country": "FR"}).json()
    assert inside["outcome"] == "needs_review" and inside["allowed"] is False
    assert inside["review"] == ["DUO:0000022"]
    bad = client.post("/api/v1/transfer/duo-match", json={"consent": ["XYZ"], "purpose": "HMB"})
    assert bad.status_code == 422
    named = client.post("/api/v1/transfer/duo-match", json={**request, "country": "Germany"})
    assert named.json()["outcome"] == "needs_review", named.text
    nowhere = client.post("/api/v1/transfer/duo-match", json={**request, "country": "Atlantis"})
    assert nowhere.status_code == 422 and "country" in nowhere.text
    # "²" is a digit to str.isdigit() that int() cannot read: was a 500
    months = client.post(
        "/api/v1/transfer/duo-match", json={"consent": ["HMB", "TS=²"], "purpose": "HMB"}
    )
    assert months.status_code == 200 and months.json()["outcome"] == "not_allowed"
    assert "names no number of months" in months.text
    terms = client.get("/api/v1/transfer/duo/terms").json()
    assert terms["version"] == "2021-02-23"
    hmb = next(t for t in terms["terms"] if t["shorthand"] == "HMB")
    assert hmb["parents"] == ["DUO:0000042"] and hmb["kind"] == "permission"


def test_an_address_with_two_answers_to_one_question_is_refused(client) -> None:
    # ?from=CN&...&from=DE was assessed as Germany to Germany: the last value won silently.
    page = client.get("/transfer/assess?from=CN&to=DE&data=health&from=DE")
    assert page.status_code == 422
    text = " ".join(page.text.split())
    assert "exporter_country" in text and "given more than once" in text
    same = client.get("/transfer/assess?from=CN&to=DE&data=health&from=CN")
    assert same.status_code == 200


def test_form_page_shows_disclaimer_and_date(client) -> None:
    page = client.get("/transfer/")
    assert page.status_code == 200
    assert "Guidance, not legal advice" in page.text
    assert "2026-11-23" in page.text
    assert 'href="/api/v1/transfer/rules"' in page.text


def test_the_form_without_login_renders_the_assessment(client) -> None:
    form = {"exporter_country": "DE", "importer_country": "CN",
            "data_categories": ["health", "pseudonymised"], "data_subjects": "300",
            "purpose": "research", "consent": "explicit", "legal_basis": "consent",
            "measures": ["scc"]}  # fmt: skip
    page = client.get("/transfer/assess", params=form)
    assert page.status_code == 200, page.text
    assert "Verdict: allowed with listed steps" in page.text
    assert "Guidance, not legal advice" in page.text and "2026-11-23" in page.text
    assert 'data-rule="gdpr-art46-sccs" data-met="yes"' in page.text
    assert "met by: standard contractual clauses (SCC)" in page.text  # the measure in words
    link = re.search(r'href="(/transfer/report\.md\?[^"]+)"', page.text)
    assert link
    report = client.get(link.group(1).replace("&amp;", "&"))
    assert report.status_code == 200
    assert report.text.startswith("# Transfer assessment: Germany (DE) → China (CN)")


def test_the_form_asks_by_get_and_puts_no_token_in_the_address(client) -> None:
    page = client.get("/transfer/").text
    form = page[page.index('data-testid="transfer-form"') - 80 :]
    assert '<form method="get" action="/transfer/assess"' in form
    assert 'name="csrf_token"' not in form.split("</form>")[0]
    # Asking changes nothing, so there is no POST to protect.
    assert client.post("/transfer/assess", data={"exporter_country": "DE"}).status_code == 405


def test_form_bad_input_re_renders_naming_the_field(client) -> None:
    page = client.get("/transfer/assess", params={
        "exporter_country": "DE", "importer_country": "CN",
        "data_categories": "health", "data_subjects": "-4"})  # fmt: skip
    assert page.status_code == 422
    # the field by its question on the form, not its name
    assert "Please correct <strong>Individuals in this transfer" in page.text
    assert 'value="DE"' in page.text  # what the user typed is kept


def test_rules_page_lists_references(client) -> None:
    page = client.get("/transfer/rules")
    assert page.status_code == 200
    assert "gdpr-art46-sccs" in page.text and "Art. 46(1), 46(2)(c)" in page.text


def test_a_rule_file_in_the_data_directory_changes_the_api_result(client, settings) -> None:
    folder = settings.data_dir / "transfer_rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "local.yaml").write_text(
        'law: LOCAL\ntitle: Local policy\nversion: "1"\nsource: https://example.org\n'
        'date_checked: "2026-11-22"\nrules:\n'
        "  - id: local-ban-samples\n    title: No samples leave\n"
        "    when: {fact: samples, is: true}\n"
        "    then: {effect: prohibition, obligation: Samples may not leave this institution.}\n"
        '    reference: {law: Local policy, article: "s. 2"}\n'
        "    explanation: A local rule written by the test to show rules are data.\n",
        encoding="utf-8",
    )
    body = client.post("/api/v1/transfer/assess", json=SCENARIO).json()
    assert body["verdict"] == "not allowed as described"
    assert body["prohibitions"][0]["rule_id"] == "local-ban-samples"
    assert body["rules_checked"] == "2026-11-22"


def test_api_takes_country_names_and_never_allows_an_uncovered_transfer(client) -> None:
    names = {**SCENARIO, "exporter_country": "Germany", "importer_country": "China",
             "foreign_party": None}  # fmt: skip
    body = client.post("/api/v1/transfer/assess", json=names).json()
    assert body["parties"] == ["from Germany (DE)", "to China (CN)"]
    assert "gdpr-chapter-v" in body["fired_rules"]
    elsewhere = {**names, "exporter_country": "Georgia", "importer_country": "Switzerland"}
    body = client.post("/api/v1/transfer/assess", json=elsewhere).json()
    assert body["verdict"] == "not covered by the rule set"
    assert any("Georgia (GE)" in item for item in body["not_covered"])
