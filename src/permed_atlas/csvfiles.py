"""Pure: the header and rows of an uploaded CSV text, as the hand-written file readers take them.

Every CSV import (Delphi panels and responses, roadmap observations) reads the file the
same way: a leading byte-order mark is dropped (Excel's UTF-8 CSVs start with one), the
header's names and every cell are trimmed, blank rows are skipped and a row with more
cells than the header has columns is flagged. What an empty file or a ragged row means
(stop at the first, or list every bad line) is the caller's rule, so nothing here raises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CsvRow", "read_csv"]


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One non-blank row of a CSV file.

    :param line: the line the row ends on (the header is line 1).
    :param cells: column -> trimmed cell ("" for a missing cell).
    :param ragged: the row has more cells than the header has columns.
    """

    line: int
    cells: dict[str, str]
    ragged: bool


def read_csv(text: str, *, lower: bool = False) -> tuple[list[str], Iterator[CsvRow]]:
    """The header (trimmed) and the rows not entirely blank; an empty file has no header.

    :param text: the file's content.
    :param lower: lower-case the header's names (columns are then matched in any case).
    """
    # The csv module refuses a cell over 131,072 characters with an error no caller reads as
    # a bad row (a traceback). The whole text is in memory already, so that cap protects
    # nothing here: a long cell reaches the caller, whose own text limits name the field.
    if len(text) >= csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if lower:
        header = [name.lower() for name in header]
    reader.fieldnames = header
    return header, _rows(reader)


def _rows(reader: csv.DictReader[str]) -> Iterator[CsvRow]:
    for row in reader:
        ragged = None in row
        cells = {key: (value or "").strip() for key, value in row.items() if key is not None}
        # A ragged row is reported even when its cells are blank: the extra cells are not.
        if ragged or any(cells.values()):
            yield CsvRow(line=reader.line_num, cells=cells, ragged=ragged)
