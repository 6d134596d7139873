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
    assert "China (CN) → Germany (DE)" in page.locator("h1").inner_text()
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
    assert "From: where the data or samples are" in error and "XX" in error  # the field's label


def test_country_names_are_read_whole_germany_to_china_gets_the_china_rules(  # type: ignore[no-untyped-def]
    live_server: str, page
) -> None:
    page.goto(f"{live_server}/transfer/")
    exporter = page.locator('input[name="exporter_country"]')
    # the input autocompletes from a list of countries and keeps the whole name
    assert exporter.get_attribute("list") == "countries"
    assert page.locator('datalist#countries option[value="China"]').count() == 1
    assert page.locator('datalist#countries option[value="EU/EEA"]').count() == 1
    exporter.type("Germany")
    page.locator('input[name="importer_country"]').type("China")
    assert exporter.input_value() == "Germany"
    page.check('input[name="data_categories"][value="genetic"]')
    page.check('input[name="data_categories"][value="pseudonymised"]')
    page.select_option('select[name="purpose"]', "research")
    page.select_option('select[name="importer_role"]', "joint_controller")
    page.get_by_test_id("assess").click()
    page.wait_for_selector('[data-testid="verdict"]')
    assert "Germany (DE) → China (CN)" in page.locator("h1").inner_text()
    assert "allowed with listed steps" in page.get_by_test_id("verdict").inner_text()
    # the China side: PIPL for the importer in China, and GDPR Chapter V out of Germany
    assert page.locator('[data-rule="pipl-handler"]').count() == 1
    assert page.locator('[data-rule="gdpr-art46-sccs"]').count() == 1
    assert "Georgia" not in page.content() and "Switzerland" not in page.content()


def test_a_cut_name_is_refused_not_read_as_another_country(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/transfer/")
    page.fill('input[name="exporter_country"]', "Ge")
    page.fill('input[name="importer_country"]', "Ch")
    page.check('input[name="data_categories"][value="genetic"]')
    page.get_by_test_id("assess").click()
    error = page.get_by_test_id("form-error").inner_text()
    assert "From: where the data or samples are" in error and "shortened name" in error


def test_countries_outside_the_rules_are_not_covered(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/transfer/")
    page.fill('input[name="exporter_country"]', "Georgia")
    page.fill('input[name="importer_country"]', "Switzerland")
    page.check('input[name="data_categories"][value="genetic"]')
    page.get_by_test_id("assess").click()
    page.wait_for_selector('[data-testid="verdict"]')
    assert "not covered by the rule set" in page.get_by_test_id("verdict").inner_text()
    assert "Georgia (GE)" in page.get_by_test_id("not-covered").inner_text()


def test_an_assessment_is_bookmarkable_and_assess_another_keeps_the_form(  # type: ignore[no-untyped-def]
    live_server: str, page, screenshot
) -> None:
    page.goto(f"{live_server}/transfer/")
    page.fill('input[name="exporter_country"]', "Germany")
    page.fill('input[name="importer_country"]', "China")
    page.check('input[name="data_categories"][value="genetic"]')
    page.fill('input[name="data_subjects"]', "250")
    page.get_by_test_id("assess").click()
    page.wait_for_selector('[data-testid="verdict"]')
    verdict = page.get_by_test_id("verdict").inner_text()
    bookmark = page.url
    assert "/transfer/assess?" in bookmark and "exporter_country=Germany" in bookmark
    # Opening the address again, in a fresh page, gives the same answer.
    other = page.context.new_page()
    other.goto(bookmark)
    assert other.get_by_test_id("verdict").inner_text() == verdict
    other.close()
    page.get_by_test_id("assess-another").click()
    page.wait_for_selector('[data-testid="transfer-form"]')
    assert page.input_value('input[name="exporter_country"]') == "Germany"
    assert page.input_value('input[name="data_subjects"]') == "250"
    assert page.is_checked('input[name="data_categories"][value="genetic"]')
    screenshot("assess-another-keeps-the-form")
