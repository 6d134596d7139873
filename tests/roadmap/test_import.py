"""CSV import of observations: all or nothing, every bad line and field named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from permed_atlas.accounts import list_audit
from permed_atlas.roadmap import (
    ObservationImportError,
    import_observations,
    list_observations,
    load_bundled_roadmaps,
)
from permed_atlas.roadmap.tables import ObservationRow

TODAY = date(2026, 11, 23)
HEADER = "indicator,date,value,unit,source\n"
GOOD = (
    HEADER
    + "dpyd-demo-milan,2024-06-30,29,%,pharmacy records\n"
    + "dpyd-demo-milan,2025-06-30,36.5,% of patients,pharmacy records\n"
    + "dpyd-centres-cn,2025-12-31,27,% of oncology centres,survey\n"
)


@pytest.fixture
def loaded(session: Session) -> Session:
    load_bundled_roadmaps(session)
    session.commit()
    return session


def _write(tmp_path: Path, text: str, name: str = "obs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ObservationRow)) or 0


def _import(session: Session, path: Path, **kwargs):  # type: ignore[no-untyped-def]
    return import_observations(
        session,
        path.read_text(encoding="utf-8"),
        path=str(path),
        actor_id=None,
        entered_by="importer",
        today=TODAY,
        **kwargs,
    )


def test_a_good_file_is_stored_and_audited(loaded: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeff" + GOOD)  # spreadsheet exports start with a BOM
    dry = _import(loaded, path, dry_run=True)
    assert (dry.read, dry.stored, dry.dry_run) == (3, 3, True)
    assert _count(loaded) == 0
    report = _import(loaded, path)
    loaded.commit()
    assert (report.read, report.stored, report.skipped_existing) == (3, 3, 0)
    values = [
        (o.observed_on, o.value, o.entered_by) for o in list_observations(loaded, "dpyd-demo-milan")
    ]
    assert values == [(date(2024, 6, 30), 29.0, "importer"), (date(2025, 6, 30), 36.5, "importer")]
    audit = list_audit(loaded, action="roadmap.observation.import")
    assert audit[0].detail["stored"] == 3 and audit[0].target == "file:obs.csv"
    again = _import(loaded, path)
    assert (again.stored, again.skipped_existing) == (0, 3)


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        ("dpyd-demo-milan,2024-06-30,29,patients,x\n", 3, "unit", "'patients' is not the unit"),
        ("dpyd-demo-milan,2022-12-31,29,%,x\n", 3, "date", "before the baseline date 2023-01-01"),
        ("dpyd-demo-milan,2027-01-01,29,%,x\n", 3, "date", "in the future"),
        ("dpyd-demo-milan,30/06/2024,29,%,x\n", 3, "date", "is not a date"),
        ("dpyd-demo-milan,2024-06-30,lots,%,x\n", 3, "value", "'lots' is not a number"),
        ("dpyd-demo-milan,2024-06-30,129,%,x\n", 3, "value", "not a percentage"),
        ("no-such-indicator,2024-06-30,29,%,x\n", 3, "indicator", "no indicator 'no-such"),
        ("dpyd-demo-milan,2024-06-30,29,%,\n", 3, "source", "missing"),
        ("dpyd-demo-milan,2024-06-30,29,%,x,extra\n", 3, "value", "more fields than the header"),
        ("dpyd-demo-milan,2024-06-30,29,%,again\n", 3, "date", "same indicator and date as line 2"),
    ],
)
def test_a_bad_row_names_line_and_field_and_nothing_is_stored(
    loaded: Session, tmp_path: Path, rows: str, line: int, field: str, message: str
) -> None:
    text = HEADER + "dpyd-demo-milan,2024-06-30,29,%,pharmacy\n" + rows
    text += "dpyd-demo-lyon,2025-06-30,40,%,fine row after the bad one\n"
    path = _write(tmp_path, text)
    with pytest.raises(ObservationImportError) as caught:
        _import(loaded, path)
    error = caught.value
    assert (line, field) in [(p[0], p[1]) for p in error.problems]
    assert any(message in p[2] for p in error.problems)
    assert str(path) in str(error) and "nothing was stored" in str(error)
    assert _count(loaded) == 0


def test_every_bad_line_is_listed(loaded: Session, tmp_path: Path) -> None:
    text = HEADER + "dpyd-demo-milan,2024-06-30,29,kg,x\nnope,2024-01-01,1,%,x\n"
    with pytest.raises(ObservationImportError) as caught:
        _import(loaded, _write(tmp_path, text))
    assert [(p[0], p[1]) for p in caught.value.problems] == [(2, "unit"), (3, "indicator")]
    assert "and 1 more bad rows" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("indicator,date,value,source\nx,2024-01-01,1,s\n", "unit", "no column 'unit'"),
        (HEADER.strip() + ",comment\n", "comment", "unknown column 'comment'"),
        (HEADER, "indicator", "no observation rows"),
        ("", "indicator", "no column"),
    ],
)
def test_a_bad_header_or_empty_file_is_refused(
    loaded: Session, tmp_path: Path, text: str, field: str, message: str
) -> None:
    with pytest.raises(ObservationImportError, match=message) as caught:
        _import(loaded, _write(tmp_path, text))
    assert caught.value.problems[0][0] == 1
    assert caught.value.field == field or message == "no column"


def test_a_clash_with_a_stored_value_is_refused(loaded: Session, tmp_path: Path) -> None:
    _import(loaded, _write(tmp_path, GOOD))
    changed = GOOD.replace(",29,", ",31,")
    with pytest.raises(ObservationImportError, match="already has value 29"):
        _import(loaded, _write(tmp_path, changed, "changed.csv"))
    assert _count(loaded) == 3
