"""A coordinator runs a Delphi study in a real Chromium; experts answer; visitors see
nothing of an open round and only what the coordinator publishes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.browser.actions import submit

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"delphi-workflow-{name}.png"), full_page=True)


def _answer(browser, link: str, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """An expert opens the personal link in their own browser and saves the answers."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    expert = context.new_page()
    expert.goto(link)
    for code, value in values.items():
        fieldset = expert.locator("fieldset.rating-item", has_text=code).first
        fieldset.locator(f"label:has(input[value='{value}'])").click()
    submit(expert, expert.get_by_test_id("save"))
    assert "saved" in expert.get_by_test_id("form-notice").inner_text()
    context.close()


def test_coordinator_runs_a_study_and_results_stay_anonymous(  # type: ignore[no-untyped-def]
    live_server: str, page, browser, make_user, tmp_path: Path
) -> None:
    make_user("coord@example.org", "editor", PASSWORD)
    page.goto(f"{live_server}/login?next=/delphi/")
    page.fill("input[name=email]", "coord@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/delphi/")

    page.get_by_test_id("new-study").click()
    page.fill("input[name=title]", "Pharmacogenomics priorities")
    page.fill("input[name=slug]", "pgx")
    page.fill("input[name=opposite_max]", "15")
    page.select_option("select[name=quartile_method]", "spss")
    _shot(page, "new-study")
    page.get_by_test_id("create-study").click()
    page.wait_for_url("**/delphi/studies/*")
    study_url = page.url
    assert "fewer than 15% are 1 or 2" in page.content()

    add_pillar = page.get_by_test_id("add-pillar")
    add_pillar.locator("input[name=pillar]").fill("P1")
    add_pillar.locator("input[name=title]").fill("Implementation")
    add_pillar.locator("button").click()
    page.get_by_role("link", name="Round 1").click()
    round_url = page.url
    for code in ("G1", "G2"):
        page.fill("form[action$='/items'] input[name=code]", code)
        page.fill("form[action$='/items'] input[name=statement]", f"Priority {code}.")
        submit(page, page.locator("form[action$='/items'] button"))
        page.locator(f"tr[data-code='{code}']").wait_for()
    assert page.locator("tr[data-code]").count() == 2

    # the panel: six experts one by one, the rest from a CSV without e-mail
    page.goto(f"{study_url}/panel")
    form = page.get_by_test_id("add-expert")
    for i in range(6):
        form.locator("input[name=name]").fill(f"Expert {i}")
        form.locator("input[name=country]").fill("DE" if i % 2 else "CN")
        submit(page, form.locator("button"))
        form = page.get_by_test_id("add-expert")
    panel_csv = tmp_path / "panel.csv"
    panel_csv.write_text("ref,region\nX1,EU\nX2,CN\nX3,EU\nX4,CN\n", encoding="utf-8")
    page.get_by_test_id("import-panel").locator("input[type=file]").set_input_files(str(panel_csv))
    submit(page, page.get_by_test_id("import-panel").locator("button"))
    assert "Imported 4 experts" in page.content()
    _shot(page, "panel")

    page.goto(round_url)
    submit(page, page.get_by_role("button", name="Open round for responses"))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download invitation list (CSV)").click()
    links_file = tmp_path / "links.csv"
    download_info.value.save_as(str(links_file))
    links = list(csv.DictReader(links_file.open(encoding="utf-8")))
    assert len(links) == 10 and links[-1]["email"] == ""

    # most experts answer; a visitor's view is the same before and after the last one saves
    for row in links[:-1]:
        _answer(browser, row["link"], {"G1": "5", "G2": "2"})
    visitor_context = browser.new_context()
    visitor = visitor_context.new_page()
    visitor.goto(round_url)
    before = visitor.locator("main").inner_text()
    json_url = round_url.replace("/delphi/rounds/", "/api/v1/delphi/rounds/")
    json_before = visitor.request.get(json_url).json()
    assert json_before["results_visible"] is False
    assert visitor.get_by_test_id("results-hidden").is_visible()
    assert visitor.locator("svg.dist").count() == 0
    _answer(browser, links[-1]["link"], {"G1": "4", "G2": "5"})
    visitor.reload()
    assert visitor.locator("main").inner_text() == before
    assert visitor.request.get(json_url).json() == json_before
    _shot(visitor, "visitor-open-round")
    # the coordinator sees the figures
    page.reload()
    assert page.locator("svg.dist").count() == 2
    _shot(page, "coordinator-open-round")

    submit(page, page.get_by_test_id("close-round"))
    visitor.reload()
    assert visitor.locator("svg.dist").count() == 0  # closed but not published

    # round 2 re-rates the consensus item G1 only (hand-picked)
    next_form = page.get_by_test_id("next-round")
    next_form.locator("input[name=carry][value=selected]").check()
    next_form.locator("fieldset.carry[data-code=G1] input[type=checkbox]").check()
    next_form.locator("fieldset.carry[data-code=G2] input[type=checkbox]").uncheck()
    _shot(page, "next-round-choice")
    next_form.get_by_role("button", name="Start round 2").click()
    page.wait_for_url("**/delphi/rounds/*")
    assert [
        c
        for c in page.locator("tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
    ] == ["G1"]

    page.goto(study_url)
    submit(page, page.get_by_test_id("publish"))
    assert "Results published on" in page.get_by_test_id("publication").inner_text()
    visitor.goto(round_url)
    assert visitor.locator("svg.dist").count() == 2
    assert "Consensus when at least 70%" in visitor.get_by_test_id("rule-text").inner_text()
    assert "SPSS" in visitor.get_by_test_id("methods-text").inner_text()
    _shot(visitor, "visitor-published")
    visitor_context.close()
