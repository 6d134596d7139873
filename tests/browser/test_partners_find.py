"""A researcher describes a project in a real browser and finds partners in China."""

from __future__ import annotations

import pytest
from tests.partners._corpus import FINDER_PAPERS, make_corpus

from permed_atlas.partners import build_profiles
from permed_atlas.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture
def profiles(settings: Settings) -> Settings:
    settings.ensure_data_dir()
    with make_corpus(settings.corpus_path, FINDER_PAPERS, settings) as connection:
        build_profiles(connection)
    return settings


def test_find_partner_from_text(profiles: Settings, live_server: str, page, screenshot) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/partners/")
    page.select_option('[data-testid="kind"]', "text")
    page.get_by_test_id("query").fill(
        "We want to personalise warfarin dosing with CYP2C9 and VKORC1 genotyping "
        "in a European and Chinese cohort."
    )
    page.get_by_test_id("find").click()
    page.wait_for_selector('[data-testid="results"]')
    screenshot("results")
    matches = page.get_by_test_id("match")
    assert matches.count() >= 2
    countries = page.get_by_test_id("match-country").all_inner_texts()
    assert set(countries) == {"CN"}  # only the other region
    first = matches.first
    assert first.get_by_test_id("match-link").inner_text() in {"Li Wei", "Wang Fang"}
    reasons = first.get_by_test_id("reasons").inner_text()
    assert "shared terms:" in reasons and "warfarin" in reasons
    assert " in 2019–2023" in reasons
    assert "Peking University" in reasons or "Fudan University" in reasons
    first.get_by_test_id("match-link").click()
    page.wait_for_selector('[data-testid="profile-name"]')
    assert page.get_by_test_id("profile-name").inner_text() in {"Li Wei", "Wang Fang"}
    assert "CN" in page.get_by_test_id("profile-countries").inner_text()
    assert page.get_by_test_id("output-table").locator("tbody tr").count() >= 1
