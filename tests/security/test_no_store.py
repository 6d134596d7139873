"""Review round 2: every response holding one expert's answers, a personal link or the
panel's contact details tells caches not to keep it.

Before: the HTML rating form and the invitation list were ``no-store``, but the rating
form's JSON twin (the expert's answers and comments under the secret address), the
individual ratings CSV and XLSX and the panel page (names, e-mail addresses) were not:
a shared computer's browser cache kept them after the expert or coordinator left.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.delphi.factories import make_open_study

from permed_atlas.db import session_factory


def test_secret_bearing_delphi_responses_are_never_cached(
    client: TestClient, engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=3, n_items=1)
        session.commit()
    form = f"/api/v1/delphi/respond/{s.tokens[s.experts[0].id]}"
    answers = {"ratings": {str(s.items[0].id): 4}, "comments": {str(s.items[0].id): "mine"}}
    responses = {"GET " + form: client.get(form), "POST " + form: client.post(form, json=answers)}
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    study = f"/delphi/studies/{s.study.id}"
    for url in (f"{study}/ratings.csv", f"{study}/export.xlsx", f"{study}/panel"):
        responses["GET " + url] = client.get(url)
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert response.headers.get("cache-control") == "no-store", name
        assert response.headers.get("referrer-policy") == "no-referrer", name


def test_the_rating_form_does_not_hand_its_personal_link_to_the_login_page(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    """Before: the rating form's "Log in" link was ``/login?next=/delphi/respond/<token>``,
    and the login page was cacheable: the personal link ended up in the login page's
    address, its cache entry and the browser's history of a shared computer."""
    with session_factory(engine)() as session:
        s = make_open_study(session, n_experts=2, n_items=1)
        session.commit()
    token = s.tokens[s.experts[0].id]
    for path in (f"/delphi/respond/{token}", "/delphi/respond/not-a-token"):
        page = client.get(path)
        assert page.headers.get("cache-control") == "no-store", path
        assert 'href="/login"' in page.text and "/login?next=" not in page.text, path
    # other pages still bring the reader back where they were (the test can fail)
    assert 'href="/login?next=/directory/"' in client.get("/directory/").text
    # the login page itself, whatever it is handed, is never cached nor sent on as a Referer
    csrf = {"X-CSRF-Token": client.get("/api/v1/auth/session").json()["csrf_token"]}
    wrong = {"email": "x@example.org", "password": "no", "next": "/delphi/"}
    for login_page in (client.get("/login", params={"next": "/delphi/"}),
                       client.post("/login", data=wrong, headers=csrf)):  # fmt: skip
        assert login_page.status_code in (200, 401), login_page.text
        assert login_page.headers.get("cache-control") == "no-store"
        assert login_page.headers.get("referrer-policy") == "no-referrer"
