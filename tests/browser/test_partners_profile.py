"""A researcher types part of a name, chooses among candidates and opens a listed work."""

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


def test_partial_name_candidates_and_works(  # type: ignore[no-untyped-def]
    profiles: Settings, live_server: str, page, screenshot
) -> None:
    page.goto(f"{live_server}/partners/")
    assert page.get_by_test_id("method-help").is_visible()
    page.select_option('[data-testid="kind"]', "author")
    page.get_by_test_id("query").fill("li")
    page.get_by_test_id("find").click()
    candidates = page.get_by_test_id("candidates")
    candidates.wait_for()
    assert page.get_by_test_id("finder-error").count() == 0
    names = candidates.locator("li[data-key] > a:first-child").all_inner_texts()
    assert names == ["Liu Yang", "Li Wei"]
    screenshot("candidates")
    candidates.get_by_role("link", name="Li Wei").click()
    page.wait_for_selector('[data-testid="profile-name"]')
    assert page.get_by_test_id("profile-name").inner_text() == "Li Wei"
    works = page.get_by_test_id("works").locator("li")
    assert works.all_inner_texts() == [
        "VKORC1 and CYP2C9 pharmacogenomics for warfarin dosing (2023)",
        "CYP2C9 polymorphism and warfarin maintenance dose in Han Chinese (2020)",
    ]
    screenshot("profile-works")
    works.first.locator("a").click()
    page.wait_for_url("**/landscape/works/5")
    assert "VKORC1 and CYP2C9 pharmacogenomics" in page.content()
