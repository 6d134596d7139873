"""Answers people act on: checklist first, plain words, glossary, exports, entry review state."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

from permed_atlas.helpdesk import answer_question, load_knowledge
from permed_atlas.helpdesk.digest import digest_answer, plain_missing
from permed_atlas.helpdesk.glossary import load_glossary, terms_in

PASSWORD = "correct-horse-battery"
EXAMPLE = (
    "We want to run a pharmacogenomic trial in Germany and China with samples shipped to Germany"
)
# A fact name ("exporter_ciio") or a rule id ("csl-art37-ciio-localisation") in visible text.
INTERNAL = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b(?:gdpr|pipl|hgr|csl|dsl|cac|scidata)-[a-z0-9-]+"
)


def _visible(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)  # attributes (data-rule=...) are not shown to people
    return _without_urls(text)


def _without_urls(text: str) -> str:
    return re.sub(r"https?://\S+", " ", text)


def test_assessor_gaps_are_sentences_without_fact_names_or_rule_ids() -> None:
    assessment = {
        "missing": [
            "exporter_ciio (the exporter is a critical information infrastructure operator) is "
            "not stated; needed by csl-art37-ciio-localisation, cac-security-assessment-ciio",
            "consent (explicit, broad_research or none) is not stated; "
            "needed by pipl-art14-reconsent",
            "identifiability not stated: the data are treated as personal data",
        ],
        "undecided": [
            {"rule_id": "csl-art37-ciio-localisation", "title": "CIIO localisation",
             "reference": "CSL, Art. 37"},
            {"rule_id": "cac-security-assessment-ciio", "title": "CIIO security assessment",
             "reference": "PIPL, Art. 40"},
            {"rule_id": "pipl-art14-reconsent", "title": "New consent for a new purpose",
             "reference": "PIPL, Art. 14"},
        ],
    }  # fmt: skip
    lines = plain_missing(assessment)
    assert lines[0] == (
        "Not stated: the exporter is a critical information infrastructure operator. It decides: "
        "CIIO localisation (CSL, Art. 37); CIIO security assessment (PIPL, Art. 40)."
    )
    assert "broad research" in lines[1] and "broad_research" not in lines[1]
    assert lines[2].startswith("identifiability not stated")
    assert not any(INTERNAL.search(line) for line in lines)


def test_the_assessors_structured_gaps_are_used_when_it_gives_them() -> None:
    assessment = {
        "missing": [
            "exporter_ciio (the exporter is a critical information infrastructure operator) is "
            "not stated; needed by csl-art37-ciio-localisation",
            "the data are treated as personal data",
        ],
        "missing_facts": [
            {"field": "exporter_ciio",
             "question": "the exporter is a critical information infrastructure operator",
             "needed_for": ["CIIO localisation (CSL, Art. 37)"]},
        ],
    }  # fmt: skip
    assert plain_missing(assessment) == [
        "the data are treated as personal data",
        "Not stated: the exporter is a critical information infrastructure operator. "
        "It decides: CIIO localisation (CSL, Art. 37).",
    ]


def test_answer_page_has_checklist_first_countries_and_disclaimer_once(read_only_client) -> None:  # type: ignore[no-untyped-def]
    page = read_only_client.get("/helpdesk/", params={"q": EXAMPLE})
    html = page.text
    text = _visible(html)
    assert not INTERNAL.search(text), INTERNAL.search(text)
    assert html.count('data-testid="disclaimer"') == 1
    assert text.count("not legal advice") == 1
    assert html.count('data-country="DE"') == 1 and html.count('data-country="CN"') == 1
    checklist = html.index('data-testid="checklist"')
    assert checklist < html.index('data-testid="transfer-result"')
    assert checklist < html.index('data-testid="country-DE"')
    items = re.findall(r'data-kind="(\w+)"', html)
    assert items.count("step") >= 5 and "procedure" in items
    assert (
        "HGR Regulations, Art. 27" in html[checklist : html.index('data-testid="transfer-result"')]
    )
    assert "Still to find out" in text and "It decides:" in text


def test_jargon_is_explained_where_it_is_asked(read_only_client) -> None:  # type: ignore[no-untyped-def]
    page = read_only_client.get(
        "/helpdesk/",
        params={"q": "Do we need SCCs and a TIA to send trial data from Germany to China?"},
    )
    asked = page.text[page.text.index('data-testid="asked-terms"') :]
    assert "Standard Contractual Clauses" in asked and "Transfer Impact Assessment" in asked
    chinese = read_only_client.get(
        "/api/v1/helpdesk/ask", params={"q": "什么是PIIA？和BCR有什么区别"}
    )
    terms = {t["term"] for t in chinese.json()["glossary"]}
    assert {"PIIA", "BCR"} <= terms
    assert not terms_in(["the tia of a scc"], load_glossary())  # abbreviations only in capitals


def test_every_glossary_term_has_reference_and_source() -> None:
    glossary = load_glossary()
    assert {"BCR", "PIIA", "TIA", "SCC", "DPIA", "CIIO"} <= {t.term for t in glossary}
    for term in glossary:
        assert term.reference and term.source.startswith("http") and term.explanation


def test_markdown_and_pdf_exports_of_a_bookmarkable_answer(read_only_client) -> None:  # type: ignore[no-untyped-def]
    query = urlencode({"q": EXAMPLE})
    page = read_only_client.get(f"/helpdesk/?{query}")
    assert f'href="/helpdesk/answer.md?{query}"' in page.text.replace("&amp;", "&")
    markdown = read_only_client.get(f"/helpdesk/answer.md?{query}")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith(
        "text/markdown"
    )
    body = markdown.text
    assert body.startswith(f"# Helpdesk answer: {EXAMPLE}")
    assert body.index("## Checklist") < body.index("## Germany") < body.index("## China")
    assert "- [ ] Obtain the HGR material export certificate" in body
    assert f"/helpdesk/?{query}" in body and body.count("not legal advice") == 1
    assert not INTERNAL.search(_without_urls(body))
    pdf = read_only_client.get(f"/helpdesk/answer.pdf?{query}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
    assert read_only_client.get("/helpdesk/answer.md?q=").status_code == 422


def test_digest_marks_entries_an_editor_confirmed() -> None:
    kb = load_knowledge()
    answer = answer_question(EXAMPLE, knowledge=kb, assess_transfers=False)
    before = digest_answer(answer)
    flagged = [i for i in before.checklist if i.unconfirmed]
    assert flagged
    target = flagged[0].link.rsplit("/", 1)[-1]
    after = digest_answer(answer, confirmations={target: object()})
    assert not next(i for i in after.checklist if i.link.endswith(target)).unconfirmed


def test_an_editor_confirms_an_entry_with_source_and_date(
    client, session, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    entry = "de-bfarm-pei-authorisation"
    url = f"/helpdesk/entries/{entry}/confirm"
    form = {
        "source": "https://www.bfarm.de/EN/Medicinal-products/Clinical-trials/_node.html",
        "checked_on": date.today().isoformat(),
        "note": "Part I/II split checked",
    }
    page = client.get(f"/helpdesk/entries/{entry}")
    assert 'data-testid="unconfirmed"' in page.text and "confirm-form" not in page.text
    assert client.post(url, data=form, follow_redirects=False).status_code in {401, 403}
    make_user("member@example.org", "member", PASSWORD)
    token = login(client, "member@example.org", PASSWORD)
    assert client.post(url, data={**form, "csrf_token": token}).status_code == 403
    client.post("/api/v1/auth/logout")
    make_user("editor@example.org", "editor", PASSWORD)
    token = login(client, "editor@example.org", PASSWORD)
    client.headers.pop("X-CSRF-Token")
    no_csrf = client.post(url, data=form, follow_redirects=False)
    assert no_csrf.status_code == 403
    future = (date.today() + timedelta(days=3)).isoformat()
    # each field named by its label, as the form shows it
    for bad, field in [({"source": "ftp://x"}, "Source"), ({"checked_on": "soon"}, "Checked on"),
                       ({"checked_on": future}, "Checked on")]:  # fmt: skip
        refused = client.post(url, data={**form, **bad, "csrf_token": token})
        assert refused.status_code == 422 and f"<strong>{field}</strong>" in refused.text
        assert "Part I/II split checked" in refused.text  # the form keeps what was typed
    assert (
        client.get(f"/api/v1/helpdesk/entries/{entry}").json()["review"]["state"] == "unconfirmed"
    )
    done = client.post(url, data={**form, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    data = client.get(f"/api/v1/helpdesk/entries/{entry}").json()
    assert data["review"] == {
        "state": "confirmed",
        "by": "editor",
        "source": form["source"],
        "checked_on": form["checked_on"],
        "note": form["note"],
    }
    assert data["confirmed"] is True
    page = client.get(f"/helpdesk/entries/{entry}").text
    assert 'data-testid="confirmed-by-editor"' in page and 'data-testid="unconfirmed"' not in page
    listing = client.get("/helpdesk/entries", params={"review": "unconfirmed"}).text
    assert f'data-entry="{entry}"' not in listing and 'data-entry="de-drks"' in listing
    # A value the list cannot use is named on the page itself, and the list still shows.
    odd = client.get("/helpdesk/entries", params={"review": "maybe"})
    assert odd.status_code == 200 and '<li data-field="review">' in odd.text
    from permed_atlas.accounts import list_audit

    audited = list_audit(session, action="helpdesk.entry.confirm")
    assert [(a.target, a.detail["source"]) for a in audited] == [
        (f"helpdesk_entry:{entry}", form["source"])
    ]
    assert client.post("/helpdesk/entries/nope/confirm",
                       data={**form, "csrf_token": token}).status_code == 404  # fmt: skip


def test_api_confirmation_needs_an_editor_and_the_csrf_header(  # type: ignore[no-untyped-def]
    client, make_user, login
) -> None:
    url = "/api/v1/helpdesk/entries/cn-chictr/confirm"
    body = {"source": "https://www.chictr.org.cn/", "checked_on": "2026-12-01"}
    assert client.post(url, json=body).status_code == 401
    make_user("editor@example.org", "editor", PASSWORD)
    token = login(client, "editor@example.org", PASSWORD)
    client.headers.pop("X-CSRF-Token")
    assert client.post(url, json=body).status_code == 403
    client.headers["X-CSRF-Token"] = token
    bad = client.post(url, json={**body, "checked_on": "2026-13-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "checked_on"
    assert client.post(url, json={**body, "extra": 1}).status_code == 422
    ok = client.post(url, json=body)
    assert ok.status_code == 200 and ok.json()["review"]["by"] == "editor"
    assert client.post("/api/v1/helpdesk/entries/nope/confirm", json=body).status_code == 404


def test_a_chinese_answer_prints_with_a_chinese_font(read_only_client) -> None:  # type: ignore[no-untyped-def]
    # Without a CJK font Chromium prints Chinese as empty boxes (scripts/install-chromium.sh).
    question = "我们要把中国患者的血液样本运到德国做基因测序"
    pdf = read_only_client.get("/helpdesk/answer.pdf", params={"q": question})
    assert pdf.status_code == 200
    fonts = re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9_-]+)", pdf.content)
    assert any(re.search(rb"WenQuanYi|CJK|Hei|Song", f) for f in fonts), fonts
