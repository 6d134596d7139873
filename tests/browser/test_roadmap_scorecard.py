"""An editor adds an observation in the browser and sees the scorecard change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from permed_atlas.db import session_factory
from permed_atlas.roadmap import load_demo_observations

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def _cn_counts(page, code: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    cell = page.locator(f'tr[data-code="{code}"] td[data-region-counts="CN"]')
    return {
        key: cell.locator(f'[data-count="{key}"]').inner_text()
        for key in ("on_track", "at_risk", "off_track", "insufficient")
    }


def test_editor_adds_observation_and_scorecard_changes(  # type: ignore[no-untyped-def]
    engine: Engine, live_server: str, page, make_user, screenshot
) -> None:
    with session_factory(engine)() as session:
        load_demo_observations(session, today=date(2026, 11, 23))
        session.commit()
    make_user("editor@example.org", "editor", PASSWORD)

    page.goto(f"{live_server}/roadmap/ic2permed/scorecard")
    before = _cn_counts(page, "III.2.a")
    status_before = page.locator('tr[data-code="dpyd-demo-nanjing"]').count()
    assert status_before == 0  # rows are actions, not indicators
    screenshot("scorecard-before")

    page.goto(f"{live_server}/login?next=/roadmap/indicators/dpyd-demo-nanjing")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/roadmap/indicators/dpyd-demo-nanjing")
    assert page.locator("h1 .rm-status").inner_text() == "off track"
    assert page.locator("[data-testid=chart] svg circle.observation").count() == 1

    # the unit is the indicator's, shown rather than retyped
    form = page.locator("[data-testid=observation-form]")
    assert form.locator("input[name=unit]").count() == 0
    assert form.locator("[data-testid=observation-unit]").inner_text().startswith("%")
    form.locator("input[name=observed_on]").fill("2025-12-31")
    form.locator("input[name=value]").fill("58")
    form.locator("input[name=source]").fill("laboratory records, December 2025")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/roadmap/indicators/dpyd-demo-nanjing")
    assert page.locator("h1 .rm-status").inner_text() == "on track"
    assert page.locator("[data-testid=chart] svg circle.observation").count() == 2
    assert "editor@example.org" in page.locator("[data-testid=observations]").inner_text()
    screenshot("indicator-after")

    page.click("text=scorecard")
    page.wait_for_url("**/roadmap/ic2permed/scorecard")
    after = _cn_counts(page, "III.2.a")
    assert int(after["off_track"]) == int(before["off_track"]) - 1
    assert int(after["on_track"]) == int(before["on_track"]) + 1
    screenshot("scorecard-after")

    with page.expect_download() as download:
        page.click("[data-testid=scorecard-csv]")
    assert download.value.suggested_filename == "ic2permed-scorecard.csv"
