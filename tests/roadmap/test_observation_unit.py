"""The observation's unit comes from its indicator; another unit is refused, naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.roadmap import list_observations

PASSWORD = "correct-horse-battery"
CODE = "dpyd-demo-berlin"  # a share: unit "% of ..."


@pytest.fixture
def editor(client: TestClient, make_user, login) -> TestClient:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor", PASSWORD)
    login(client, "ed@example.org", PASSWORD)
    return client


def test_form_shows_the_indicators_unit_and_asks_for_no_unit(editor: TestClient) -> None:
    unit = editor.get(f"/api/v1/roadmap/indicators/{CODE}").json()["indicator"]["unit"]
    assert unit.startswith("%")
    page = editor.get(f"/roadmap/indicators/{CODE}").text
    assert 'name="unit"' not in page
    assert f'data-testid="observation-unit">{unit}</strong>' in page


def test_form_and_api_store_in_the_indicators_unit(editor: TestClient, engine: Engine) -> None:
    form = editor.post(
        f"/roadmap/indicators/{CODE}/observations",
        data={"observed_on": "2024-06-30", "value": "44", "source": "pharmacy"},
        follow_redirects=False,
    )
    assert form.status_code == 303
    url = f"/api/v1/roadmap/indicators/{CODE}/observations"
    assert (
        editor.post(url, json={"date": "2025-01-31", "value": 46, "source": "s"}).status_code == 201
    )
    same = editor.post(
        url, json={"date": "2025-03-31", "value": 47, "unit": "percent", "source": "s"}
    )
    assert same.status_code == 201
    with session_factory(engine)() as session:
        assert [o.value for o in list_observations(session, CODE)] == [44.0, 46.0, 47.0]


@pytest.mark.parametrize("unit", ["kg", "centres", "per 100k", "%%x"])
def test_another_unit_is_refused_naming_the_field(
    editor: TestClient, engine: Engine, unit: str
) -> None:
    url = f"/api/v1/roadmap/indicators/{CODE}/observations"
    wrong = editor.post(url, json={"date": "2024-07-30", "value": 5, "unit": unit, "source": "s"})
    assert wrong.status_code == 422
    body = wrong.json()
    assert body["field"] == "unit"
    assert "unit" in body["detail"] and "no conversion" in body["detail"]
    # an old form (or a script) posting a unit is checked the same way, the input kept
    form = editor.post(
        f"/roadmap/indicators/{CODE}/observations",
        data={"observed_on": "2024-07-30", "value": "5", "unit": unit, "source": "kept source"},
    )
    assert form.status_code == 422
    assert "unit" in form.text and "kept source" in form.text
    with session_factory(engine)() as session:
        assert list_observations(session, CODE) == []
