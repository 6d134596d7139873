"""The shared CSV reader, on files written to disk and read back as an upload is."""

from __future__ import annotations

from pathlib import Path

from permed_atlas.csvfiles import CsvRow, read_csv


def _read(path: Path, *, lower: bool = False) -> tuple[list[str], list[CsvRow]]:
    header, rows = read_csv(path.read_text(encoding="utf-8"), lower=lower)
    return header, list(rows)


def test_an_excel_file_with_a_byte_order_mark_keeps_its_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_bytes("Name , Country\r\nAda,IT\r\n".encode("utf-8-sig"))
    header, rows = _read(path, lower=True)
    assert header == ["name", "country"]
    assert rows == [CsvRow(line=2, cells={"name": "Ada", "country": "IT"}, ragged=False)]


def test_the_header_keeps_its_case_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "observations.csv"
    path.write_text("Indicator,date\nDPYD,2026-01-01\n", encoding="utf-8")
    header, rows = _read(path)
    assert header == ["Indicator", "date"]
    assert rows[0].cells == {"Indicator": "DPYD", "date": "2026-01-01"}


def test_an_empty_file_has_no_header_and_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert _read(path) == ([], [])


def test_a_row_with_more_cells_than_columns_is_flagged_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n,,\n6\n", encoding="utf-8")
    _, rows = _read(path)
    lines = [(row.line, row.ragged) for row in rows]
    # ",," is ragged though blank: its extra cell is reported, not skipped
    assert lines == [(2, False), (3, True), (4, True), (5, False)]
    assert rows[1].cells == {"a": "3", "b": "4"}
    # a short row's missing cells read as empty
    assert rows[3].cells == {"a": "6", "b": ""}


def test_blank_rows_are_skipped_and_lines_still_count_them(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text('a,b\n\n , \n"x\ny",2\n', encoding="utf-8")
    _, rows = _read(path)
    # the quoted cell spans two lines; a row's line is the one it ends on
    assert rows == [CsvRow(line=5, cells={"a": "x\ny", "b": "2"}, ragged=False)]


def test_a_cell_beyond_the_csv_modules_field_limit_is_read_not_a_traceback() -> None:
    # csv refuses a cell over 131,072 characters with _csv.Error, which every import
    # command let through as a traceback; the caller's own length limits name the field
    long = "x" * 200_000
    header, rows = read_csv(f"name,note\nA,{long}\n")
    assert header == ["name", "note"]
    assert [row.cells for row in rows] == [{"name": "A", "note": long}]
