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
