"""The Delphi report printed on A4: every column fits, the item column is readable, the
regions column is kept; the synthesis lists actions A1, A2 ... A10."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from permed_atlas.db import session_scope
from permed_atlas.delphi import load_demo_study
from permed_atlas.delphi.report import build_study_report, render_report_html, write_pdf

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# A4 at CSS 96 px/inch: 210 mm wide, less the report's 10 mm margins on each side
A4_CONTENT_PX = (210 - 20) / 25.4 * 96


def _demo_html(engine: Engine) -> str:
    with session_scope(engine) as session:
        study = load_demo_study(session)
        # 4 is the demo's smallest region ("Other"): the breakdown is shown at this size
        return render_report_html(build_study_report(session, study.id, min_group_size=4))


def test_report_fits_a4_with_readable_items_and_regions(  # type: ignore[no-untyped-def]
    page, engine: Engine, tmp_path: Path
) -> None:
    html = _demo_html(engine)
    source = tmp_path / "report.html"
    source.write_text(html, encoding="utf-8")
    page.set_viewport_size({"width": int(A4_CONTENT_PX), "height": 1100})
    page.emulate_media(media="print")
    page.goto(source.as_uri())
    tables = page.locator("table.delphi-stats")
    assert tables.count() >= 6
    widths = page.evaluate(
        """() => [...document.querySelectorAll('table.delphi-stats')].map(t => {
            const head = [...t.tHead.rows[0].cells];
            return {right: t.getBoundingClientRect().right,
                    item: head[0].getBoundingClientRect().width,
                    regions: head[8].getBoundingClientRect().width,
                    regionsRight: head[8].getBoundingClientRect().right,
                    label: head[8].innerText};
        })"""
    )
    for table in widths:
        assert table["label"] == "Regions"
        assert table["right"] <= A4_CONTENT_PX + 1 and table["regionsRight"] <= A4_CONTENT_PX + 1
        # about 60 mm for the statement, 25 mm for "EU 80% (n=20)"
        assert table["item"] >= 200 and table["regions"] >= 85
    region_cells = page.locator("table.delphi-stats tbody td:nth-child(9)")
    assert "EU" in region_cells.first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "delphi-report-a4-print.png"), full_page=False)

    pdf = write_pdf(html, tmp_path / "report.pdf")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no page in the PDF"
    for width, height in boxes:  # A4 is 595.28 x 841.89 points
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5


def test_synthesis_page_lists_actions_in_natural_order(  # type: ignore[no-untyped-def]
    page, live_server: str, engine: Engine
) -> None:
    with session_scope(engine) as session:
        study = load_demo_study(session)
    page.goto(f"{live_server}/delphi/studies/{study.id}/synthesis")
    codes = page.locator("table.data tbody th .code").all_inner_texts()
    assert codes == [f"A{n}" for n in range(1, 12)]
