"""The demo study, the synthesis read by the roadmap, and the exports (CSV, XLSX, HTML, PDF)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from permed_atlas.delphi import list_actions, load_demo_study
from permed_atlas.delphi.errors import RoundStateError
from permed_atlas.delphi.report import (
    build_study_report,
    find_chromium,
    ratings_rows,
    render_report_html,
    statistics_rows,
    write_csv,
    write_pdf,
    write_xlsx,
)
from permed_atlas.delphi.store import (
    code_item,
    get_item,
    get_panel,
    get_study,
    list_experts,
    list_final_items,
    list_rounds,
    list_subtopics,
    list_surveys,
    save_action,
)


def test_demo_is_a_complete_two_round_study(demo_session: Session) -> None:
    study = get_study(demo_session, "demo-eu-china-pm")
    experts = list_experts(demo_session, get_panel(demo_session, study.id).id)
    assert len(experts) == 40
    assert {e.region for e in experts} == {"EU", "CN", "Other"}
    surveys = list_surveys(demo_session, study.id)
    assert [s.pillar for s in surveys] == ["P1", "P2", "P3"]
    for survey in surveys:
        rounds = list_rounds(demo_session, survey.id)
        assert [(r.number, r.status) for r in rounds] == [(1, "closed"), (2, "closed")]
    report = build_study_report(demo_session, study.id)
    first = report.surveys[0].rounds[0]
    assert first.n_invited == 40 and first.n_responded == 40
    second = report.surveys[0].rounds[1]
    assert all(e.stability is not None for e in second.items if e.item.origin != "new")
    # 4 "Other" experts: withheld at the default minimum group size of 5, and China with
    # them (the total minus EU and China would reveal them), so no breakdown is left
    assert all(e.regions is None for e in first.items)
    smaller = build_study_report(demo_session, study.id, min_group_size=4)
    assert any(e.regions and e.regions.flagged for e in smaller.surveys[0].rounds[0].items)
    finals = sum(len(s.final_items) for s in report.surveys)
    assert finals == 23
    # loading again returns the same study instead of a second copy
    assert load_demo_study(demo_session).id == study.id


def test_list_actions_links_actions_to_final_items(demo_session: Session) -> None:
    study = get_study(demo_session, "demo-eu-china-pm")
    actions = list_actions(demo_session, study.id)
    assert len(actions) == 11
    # natural order, as the synthesis numbers them (not the database's A1, A10, A11, A2)
    assert [a.code for a in actions] == [f"A{n}" for n in range(1, 12)]
    a2 = next(a for a in actions if a.code == "A2")
    assert (
        a2.item_codes == ("P1-02", "P1-11") and a2.pillar == "P1" and a2.subtopic_code == "DATA-FED"
    )
    assert len(list_subtopics(demo_session, study.id)) == 11
    final_ids = {
        i.id
        for s in list_surveys(demo_session, study.id)
        for i in list_final_items(demo_session, s.id)
    }
    assert all(set(a.item_ids) <= final_ids for a in actions)
    not_final = next(
        r
        for r in build_study_report(demo_session, study.id).surveys[0].rounds[1].items
        if r.item.outcome == "pending"
    )
    with pytest.raises(RoundStateError, match="did not reach consensus"):
        save_action(demo_session, study.id, code="AX", title="x", item_ids=[not_final.item.id])
    # coders move a final item to another sub-topic (rolled back by the fixture)
    first_final = sorted(final_ids)[0]
    code_item(demo_session, first_final, study_id=study.id, subtopic="DATA-GOV")
    assert get_item(demo_session, first_final).subtopic == "DATA-GOV"
    with pytest.raises(RoundStateError, match="not defined"):
        code_item(demo_session, first_final, study_id=study.id, subtopic="NOPE")


def test_csv_exports(demo_session: Session) -> None:
    study = get_study(demo_session, "demo-eu-china-pm")
    report = build_study_report(demo_session, study.id)
    stats = list(csv.DictReader(io.StringIO(write_csv(statistics_rows(report)))))
    first = next(r for r in stats if r["item"] == "P1-07" and r["round"] == "1")
    assert first["verdict"] == "exclude" and float(first["share_disagree"]) >= 0.7
    assert {"median", "iqr", "mean", "sd", "wilcoxon_p", "share_agree_EU", "share_agree_CN"} <= set(
        first
    )
    ratings = ratings_rows(demo_session, study.id)
    assert len(ratings) == 1614  # every line of demo_ratings.csv
    assert all("@" not in str(v) for row in ratings for v in row.values())  # pseudonymised


def test_xlsx_export(demo_session: Session, tmp_path: Path) -> None:
    study = get_study(demo_session, "demo-eu-china-pm")
    path = write_xlsx(demo_session, study.id, tmp_path / "demo.xlsx")
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["Statistics", "Ratings", "Panel agreement", "Actions", "Methods"]
    methods = [row[1] for row in book["Methods"].iter_rows(min_row=2, values_only=True)]
    assert methods[0].startswith("Consensus when at least 70%")
    assert "Hyndman-Fan type 7" in methods[2] and "Wilcoxon" in methods[2]
    assert book["Ratings"].max_row == 1615
    header = [c.value for c in next(book["Statistics"].iter_rows(max_row=1))]
    assert header[:3] == ["pillar", "round", "item"]


def test_html_report_has_charts(demo_session: Session) -> None:
    report = build_study_report(demo_session, get_study(demo_session, "demo-eu-china-pm").id)
    html = render_report_html(report)
    n_items = sum(len(r.items) for s in report.surveys for r in s.rounds)
    assert html.count("<svg") == n_items + 2 * len(report.surveys)  # a bar per item, two charts
    assert "Consensus over rounds" in html
    assert "Kendall" in html and "70%" in html


@pytest.mark.slow
def test_pdf_report_prints_with_chromium(demo_session: Session, tmp_path: Path) -> None:
    if find_chromium() is None:
        pytest.skip("no Chromium: PDF export unavailable here")
    report = build_study_report(demo_session, get_study(demo_session, "demo-eu-china-pm").id)
    pdf = write_pdf(render_report_html(report), tmp_path / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
