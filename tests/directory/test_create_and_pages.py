"""Editors add entries (CSRF, validation, history, audit, kept over seed loads); the list pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from permed_atlas.accounts import create_user, list_audit
from permed_atlas.directory import (
    get_entry,
    list_revisions,
    load_seed_directory,
)
from permed_atlas.directory.create import create_entry
from permed_atlas.errors import InvalidInputError
from permed_atlas.settings import Settings

PASSWORD = "correct-horse-battery"

NEW_CALL = {
    "id": "nsfc-dfg-pgx-call",
    "kind": "call",
    "name": "Sino-German call on pharmacogenomics",
    "summary": "A joint call of the DFG and the NSFC for pharmacogenomics projects.",
    "regions": ["DE", "CN"],
    "source": "https://www.sinogermanscience.org.cn",
    "status": "active",
    "deadline": "2027-03-31",
    "keywords": ["pharmacogenomics"],
    "related": ["sino-german-center"],
}


def test_create_entry_stores_revision_audit_and_survives_seed_load(
    seeded: Session, settings: Settings
) -> None:
    editor = create_user(seeded, email="ed@example.org", password=PASSWORD, role="editor").id
    entry = create_entry(seeded, NEW_CALL, actor_id=editor, comment="new call", settings=settings)
    seeded.commit()
    assert get_entry(seeded, "nsfc-dfg-pgx-call") == entry
    assert entry.details["deadline"] == "2027-03-31"
    revisions = list_revisions(seeded, entry.id)
    assert [(r.number, r.origin, r.comment) for r in revisions] == [(1, "create", "new call")]
    audit = list_audit(seeded, action="directory.entry.create")
    assert audit[0].target == "directory:nsfc-dfg-pgx-call" and audit[0].actor_id == editor
    load_seed_directory(seeded, settings=settings)  # the data files do not know it: kept
    seeded.commit()
    assert get_entry(seeded, entry.id) == entry


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "gdpr"}, "already exists"),
        ({"id": "Not A Slug"}, "id"),
        ({"kind": "agency"}, "choose the kind"),
        ({"regions": ["ATLANTIS"]}, "ATLANTIS"),
        ({"related": ["no-such-entry"]}, "no-such-entry"),
        ({"deadline": "next spring"}, "not a date"),
        ({"status": ""}, "status"),
        ({"summary": ""}, "summary"),
    ],
)
def test_create_entry_refuses_bad_input_and_stores_nothing(
    seeded: Session, settings: Settings, change: dict[str, object], message: str
) -> None:
    before = get_entry(seeded, "gdpr")
    with pytest.raises(InvalidInputError, match=message):
        create_entry(seeded, {**NEW_CALL, **change}, actor_id=None, settings=settings)
    seeded.rollback()
    assert get_entry(seeded, "gdpr") == before
    if change.get("id") != "gdpr":
        with pytest.raises(Exception, match="no directory entry"):
            get_entry(seeded, str(change.get("id", NEW_CALL["id"])))


def _form(token: str | None = None) -> dict[str, str]:
    fields = {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in NEW_CALL.items()}
    fields["comment"] = "from the call text"
    if token:
        fields["csrf_token"] = token
    return fields


def test_add_entry_page_permissions_csrf_and_errors(  # type: ignore[no-untyped-def]
    client: TestClient, make_user, login
) -> None:
    assert client.get("/directory/new").status_code == 401
    assert client.post("/directory/new", data=_form()).status_code == 401
    assert 'data-testid="add-entry"' not in client.get("/directory/").text
    make_user("member@example.org", "member", PASSWORD)
    login(client, "member@example.org", PASSWORD)
    assert client.get("/directory/new?kind=call").status_code == 403
    token = client.headers.get("X-CSRF-Token")
    assert client.post("/directory/new", data=_form(token)).status_code == 403
    client.post("/logout")
    client.headers.pop("X-CSRF-Token", None)
    make_user("editor@example.org", "editor", PASSWORD)
    login(client, "editor@example.org", PASSWORD)
    assert 'data-testid="add-entry"' in client.get("/directory/").text
    chooser = client.get("/directory/new")
    assert chooser.status_code == 200 and 'data-testid="new-form"' not in chooser.text
    form = client.get("/directory/new", params={"kind": "call"})
    assert 'name="deadline"' in form.text and 'name="csrf_token"' in form.text
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/directory/new", data=_form()).status_code == 403  # no CSRF token
    assert client.get("/directory/nsfc-dfg-pgx-call").status_code == 404
    bad = client.post("/directory/new", data={**_form(token), "regions": "DE, ATLANTIS"})
    assert bad.status_code == 422 and "ATLANTIS" in bad.text
    assert "Sino-German call on pharmacogenomics" in bad.text  # the typed values are kept
    saved = client.post("/directory/new", data=_form(token), follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/directory/nsfc-dfg-pgx-call"
    page = client.get("/directory/nsfc-dfg-pgx-call")
    assert page.status_code == 200 and "Sino-German call on pharmacogenomics" in page.text
    again = client.post("/directory/new", data=_form(token))
    assert again.status_code == 422 and "already exists" in again.text
    history = client.get("/directory/nsfc-dfg-pgx-call/history").text
    assert "from the call text" in history and "<td>added</td>" in history


def _ids(html: str) -> list[str]:
    return re.findall(r'<article class="dir-hit" data-id="([^"]+)"', html)


def test_list_is_paged_with_filters_kept(client: TestClient) -> None:
    first = client.get("/directory/")
    total = int(re.search(r"(\d+) entries", first.text).group(1))  # type: ignore[union-attr]
    assert total > 40
    pages = -(-total // 20)
    assert len(_ids(first.text)) == 20 and f"page 1 of {pages}" in first.text
    seen = []
    for number in range(1, pages + 1):
        seen += _ids(client.get("/directory/", params={"page": number}).text)
    assert len(seen) == total == len(set(seen))  # every entry on exactly one page
    past = client.get("/directory/", params={"page": pages + 5})
    assert _ids(past.text) == _ids(client.get("/directory/", params={"page": pages}).text)
    # A bad page number is left out and said inline (the platform's forms keep your work).
    zero = client.get("/directory/", params={"page": 0})
    assert _ids(zero.text) == _ids(first.text) and "page" in zero.text.lower()
    laws = client.get("/directory/", params={"kind": "law"})
    law_ids = _ids(laws.text)
    assert law_ids and all('data-id="' + i + '"' in laws.text for i in law_ids)
    chinese = client.get("/directory/", params={"kind": "law", "region": "CN", "q": "genetic"})
    assert _ids(chinese.text)[0] == "hgr-regulations"
    many = client.get("/directory/", params={"region": "CN"})
    if "page 1 of" in many.text:
        assert 'href="/directory/?region=CN&amp;page=2"' in many.text
