"""Spreadsheet-safe cells for every CSV and XLSX export (OWASP "CSV Injection").

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return before one) as a formula: ``=HYPERLINK(...)`` in a Delphi
comment would run on the editor's machine when the export is opened, and
openpyxl stores any string starting with ``=`` as a live formula. Following
OWASP, such a text cell gets a leading apostrophe, which spreadsheets show as
text. Numbers stay numbers: only strings are changed. Every export writes
through this module (:class:`SafeDictWriter`, :func:`safe_writer`,
:func:`neutralise_cell` for XLSX, :func:`neutralise_arrow_table` for Arrow).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""OWASP's list, plus the full-width forms some spreadsheets also accept."""


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run.

    :param value: a cell value; anything but a string is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _breaks_line(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and ("\r" in v or "\n" in v) for v in values)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose cells are neutralised (see the module docstring).

    A row with a line break in a cell is written fully quoted: with ``lineterminator``
    "\n" the csv module leaves a bare "\r" unquoted, and a spreadsheet would start a
    new row (and read a new first cell, possibly a formula) there.
    """

    def __init__(self, f: Any, fieldnames: Any, **options: Any) -> None:
        super().__init__(f, fieldnames, **options)
        self._quoted = csv.DictWriter(f, fieldnames, **{**options, "quoting": csv.QUOTE_ALL})

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        row = {k: neutralise_cell(v) for k, v in rowdict.items()}
        if _breaks_line(row.values()):
            return self._quoted.writerow(row)
        return super().writerow(row)

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


class _SafeWriter:
    def __init__(self, writer: Any, quoted: Any) -> None:
        self._writer = writer
        self._quoted = quoted

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [neutralise_cell(v) for v in row]
        return (self._quoted if _breaks_line(cells) else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(buffer: Any, **options: Any) -> Any:
    """``csv.writer(buffer, **options)`` whose cells are neutralised.

    :param buffer: the text stream.
    :param options: csv.writer's options.
    """
    quoted = csv.writer(buffer, **{**options, "quoting": csv.QUOTE_ALL})
    return _SafeWriter(csv.writer(buffer, **options), quoted)


def neutralise_arrow_table(table: Any) -> Any:
    """A pyarrow Table whose string columns are neutralised, for ``pyarrow.csv.write_csv``.

    :param table: a ``pyarrow.Table``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern = "^[" + "".join("\\" + c if c in "-" else c for c in FORMULA_PREFIXES) + "]"
    for index, field in enumerate(table.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        column = table.column(index)
        risky = pc.fill_null(pc.match_substring_regex(column, pattern), False)
        if not pc.any(risky).as_py():
            continue
        fixed = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        table = table.set_column(index, field, fixed)
    return table
