"""Review round 2: an editor's login email is shown to editors only, on every page and
JSON twin that names who changed something.

Before: the directory's history page and its JSON (``/api/v1/directory/entries/{id}/history``
and ``.../history/{n}``) named each editor by login email to anonymous visitors, a list
of valid logins for password guessing and phishing; the roadmap already showed the public
a name, never an email.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

EDITOR = "ed.secret@example.org"


def test_the_directory_history_names_editors_to_editors_only(
    app, client: TestClient, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    make_user(EDITOR, "editor")
    make_user("member@example.org", "member")
    url = "/api/v1/directory/entries/duo"
    login(client, EDITOR)
    edited = client.put(url, json={"summary": "Changed by an editor.", "comment": "why"})
    assert edited.status_code == 200, edited.text
    # an editor sees who it was (the test can fail)
    assert client.get(f"{url}/history").json()[0]["actor_email"] == EDITOR
    assert EDITOR in client.get("/directory/duo/history").text
    client.post("/api/v1/auth/logout")
    with TestClient(app, base_url="http://testserver") as member:
        login(member, "member@example.org")
        for viewer in (client, member):  # anonymous, then a member
            history = viewer.get(f"{url}/history").json()
            assert history[0]["actor_email"] is None and history[0]["actor_id"] is not None
            revision = viewer.get(f"{url}/history/{history[0]['number']}").json()
            assert revision["actor_email"] is None
            page = viewer.get("/directory/duo/history").text
            assert EDITOR not in page and "an editor" in page
