"""Pure: the rows of an uploaded CSV (panel, responses); the first bad row stops the file."""

from __future__ import annotations

from collections.abc import Iterator

from permed_atlas import csvfiles
from permed_atlas.delphi.errors import PanelFileError
from permed_atlas.i18n import Message


def read_csv(
    text: str, *, path: str, error: type[PanelFileError]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (trimmed, lower case) and the non-blank rows as (line, column -> cell).

    :param text: the file's content.
    :param path: the file name, for messages.
    :param error: the error to raise (the file's kind).
    :raises PanelFileError: (as ``error``) an empty file, or a row with more cells than columns
        (when that row is reached).
    """
    header, rows = csvfiles.read_csv(text, lower=True)
    if not header:
        raise error(Message("the file is empty"), path=path, line=1, field=None)
    return header, _rows(rows, path=path, error=error)


def _rows(
    rows: Iterator[csvfiles.CsvRow], *, path: str, error: type[PanelFileError]
) -> Iterator[tuple[int, dict[str, str]]]:
    for row in rows:
        if row.ragged:
            raise error(Message("more cells than columns"), path=path, line=row.line, field=None)
        yield row.line, row.cells
