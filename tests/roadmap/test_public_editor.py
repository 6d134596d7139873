"""Who entered an observation: editors see it; anonymous visitors a name or role, never an email."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.roadmap import add_observation
from permed_atlas.roadmap.models import ObservationInput, public_editor_label

PASSWORD = "correct-horse-battery"
EMAIL = "editor.jane@example.org"
CODE = "dpyd-demo-berlin"


@pytest.mark.parametrize(
    ("stored", "public"),
    [
        ("ed@example.org", "editor"),
        ("Jane Doe <jane.doe@uni-x.de>", "Jane Doe"),
        ("Wang Li (li.wang@pku.edu.cn)", "Wang Li"),
        ("demo data", "demo data"),
        ("<a@b.c>", "editor"),
        ("curator", "curator"),
    ],
)
def test_public_editor_label_drops_every_email(stored: str, public: str) -> None:
    assert public_editor_label(stored) == public
    assert "@" not in public_editor_label(stored)


def _public_texts(client: TestClient) -> dict[str, str]:
    urls = [
        f"/roadmap/indicators/{CODE}",
        f"/roadmap/indicators/{CODE}/observations.csv",
        f"/roadmap/indicators/{CODE}/chart.svg",
        f"/api/v1/roadmap/indicators/{CODE}",
        f"/api/v1/roadmap/indicators/{CODE}/observations",
        "/roadmap/ic2permed",
        "/roadmap/ic2permed/scorecard",
        "/api/v1/roadmap/roadmaps/ic2permed/status",
    ]
    texts = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = response.text
    return texts


def test_anonymous_visitors_never_see_the_editors_email(  # type: ignore[no-untyped-def]
    app, client: TestClient, engine: Engine, make_user, login
) -> None:
    make_user(EMAIL, "editor", PASSWORD)
    login(client, EMAIL, PASSWORD)
    form = client.post(
        f"/roadmap/indicators/{CODE}/observations",
        data={"observed_on": "2024-06-30", "value": "44", "source": "pharmacy"},
        follow_redirects=False,
    )
    assert form.status_code == 303
    api = client.post(
        f"/api/v1/roadmap/indicators/{CODE}/observations",
        json={"date": "2025-06-30", "value": 50, "source": "registry"},
    )
    assert api.status_code == 201 and "@" not in api.text
    with session_factory(engine)() as session:  # an older row that stored a name and an email
        add_observation(
            session,
            ObservationInput(CODE, date(2025, 12, 31), 55.0, "%", "audit"),
            actor_id=None,
            entered_by=f"Jane Doe <{EMAIL}>",
            today=date(2026, 11, 23),
        )
        session.commit()
    # the editor, logged in, still sees who entered what
    assert EMAIL in client.get(f"/roadmap/indicators/{CODE}").text

    with TestClient(app) as anonymous:
        texts = _public_texts(anonymous)
    for url, text in texts.items():
        assert EMAIL not in text and "example.org" not in text, url
    page = texts[f"/roadmap/indicators/{CODE}"]
    assert ">editor</td>" in page and ">Jane Doe</td>" in page
    listed = texts[f"/api/v1/roadmap/indicators/{CODE}/observations"]
    assert '"entered_by":"editor"' in listed.replace(" ", "")
    assert '"entered_by":"JaneDoe"' in listed.replace(" ", "")
