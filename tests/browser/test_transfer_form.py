"""A researcher fills the transfer form in a real browser and reads the obligations."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_fill_transfer_form_and_read_obligations(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/transfer/")
    assert "Guidance, not legal advice" in page.get_by_test_id("disclaimer").inner_text()
    page.fill('input[name="exporter_country"]', "CN")
    page.fill('input[name="importer_country"]', "DE")
    page.check('input[name="data_categories"][value="genetic"]')
    page.check('input[name="data_categories"][value="samples"]')
    page.check('input[name="data_categories"][value="pseudonymised"]')
    page.fill('input[name="data_subjects"]', "12000")
    page.select_option('select[name="purpose"]', "research")
    page.select_option('select[name="consent"]', "explicit")
    page.select_option('select[name="foreign_party"]', "yes")
    page.select_option('select[name="marketing_authorisation_trial"]', "no")
    page.get_by_test_id("assess").click()
    page.wait_for_selector('[data-testid="verdict"]')
    assert "allowed with listed steps" in page.get_by_test_id("verdict").inner_text()
    obligations = page.get_by_test_id("obligation-list")
    assert obligations.locator('[data-rule="hgr-art22-cooperation-approval"]').count() == 1
    assert obligations.locator('[data-rule="hgr-art27-materials-export"]').count() == 1
    assert obligations.locator('[data-rule="cac-security-assessment-sensitive"]').count() == 1
    assert "2026-11-23" in page.get_by_test_id("rules-checked").inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-md").click()
    assert download_info.value.suggested_filename == "transfer-assessment.md"


def test_bad_country_is_named_in_the_form(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/transfer/")
    page.fill('input[name="exporter_country"]', "XX")
    page.fill('input[name="importer_country"]', "DE")
    page.check('input[name="data_categories"][value="health"]')
    page.get_by_test_id("assess").click()
    error = page.get_by_test_id("form-error").inner_text()
    assert "exporter_country" in error and "XX" in error
