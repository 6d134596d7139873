"""Pure: the rows of an uploaded CSV (panel, responses), each error naming file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from permed_atlas.delphi.errors import PanelFileError


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
    if text.startswith("\ufeff"):  # Excel's UTF-8 CSVs start with a byte-order mark
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise error("the file is empty", path=path, line=1, field=None)
    reader.fieldnames = header
    return header, _rows(reader, path=path, error=error)


def _rows(
    reader: csv.DictReader[str], *, path: str, error: type[PanelFileError]
) -> Iterator[tuple[int, dict[str, str]]]:
    for row in reader:
        line = reader.line_num
        if None in row:
            raise error("more cells than columns", path=path, line=line, field=None)
        cells = {k: (v or "").strip() for k, v in row.items()}
        if any(cells.values()):
            yield line, cells
