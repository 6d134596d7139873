"""The data-file kit: the error's message shape and what each field reader accepts and refuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from permed_atlas.datafiles import (
    DataFileError,
    Where,
    read_bool,
    read_choice,
    read_date,
    read_int,
    read_mapping,
    read_text,
    read_texts,
    read_url,
    read_yaml,
)
from permed_atlas.errors import InvalidInputError


class _RuleError(DataFileError):
    entry_label = "rule"


def _where() -> Where:
    return Where(
        "a.yaml: entry 2 (x)", lambda message, field: InvalidInputError(message, field=field)
    )


def test_the_error_names_path_entry_and_field() -> None:
    error = _RuleError("must be text", path="r.yaml", entry_id="gdpr-44", field="title")
    assert str(error) == "r.yaml: rule 'gdpr-44', field 'title': must be text"
    assert (error.path, error.entry_id, error.field, error.reason) == (
        "r.yaml",
        "gdpr-44",
        "title",
        "must be text",
    )
    assert str(DataFileError("cannot read", path="k.yaml")) == "k.yaml: cannot read"


def test_text_folds_white_space_and_refuses_what_is_not_text() -> None:
    where = _where()
    assert read_text("  two\n words ", where=where, field="name") == "two words"
    assert read_text(2026, where=where, field="name") == "2026"
    assert read_text(" ", where=where, field="acronym", required=False) is None
    with pytest.raises(
        InvalidInputError, match=r"^a.yaml: entry 2 \(x\): field 'name' is missing$"
    ):
        read_text(None, where=where, field="name")
    with pytest.raises(InvalidInputError, match="field 'name' must be text") as caught:
        read_text(True, where=where, field="name")
    assert caught.value.field == "name"


def test_list_of_texts_names_the_item_at_fault() -> None:
    where = _where()
    assert read_texts("one", where=where, field="keywords") == ("one",)
    assert read_texts(None, where=where, field="keywords") == ()
    with pytest.raises(InvalidInputError, match=r"field 'keywords\[1\]' is missing"):
        read_texts(["a", ""], where=where, field="keywords")
    with pytest.raises(InvalidInputError, match="field 'keywords' must be a list"):
        read_texts({"a": 1}, where=where, field="keywords")


def test_date_choice_url_int_bool_mapping() -> None:
    where = _where()
    assert read_date(date(2026, 1, 31), where=where, field="d") == "2026-01-31"
    assert read_date("2026-01-31", where=where, field="d") == "2026-01-31"
    with pytest.raises(
        InvalidInputError, match=r"field 'd': '31.1.2026' is not a date \(YYYY-MM-DD\)"
    ):
        read_date("31.1.2026", where=where, field="d")
    assert read_choice("open", where=where, field="s", choices=("open", "closed")) == "open"
    with pytest.raises(InvalidInputError, match="field 's': 'shut' is not one of open, closed"):
        read_choice("shut", where=where, field="s", choices=("open", "closed"))
    with pytest.raises(InvalidInputError, match="field 'url' must start with https://"):
        read_url("ftp://x", where=where, field="url")
    assert read_int(5, where=where, field="k", low=1, high=10) == 5
    with pytest.raises(InvalidInputError, match="field 'k': 11 is outside 1..10"):
        read_int(11, where=where, field="k", low=1, high=10)
    with pytest.raises(InvalidInputError, match="field 'k': True is not a whole number"):
        read_int(True, where=where, field="k")
    assert read_bool(None, where=where, field="b", default=True) is True
    with pytest.raises(InvalidInputError, match="field 'b' must be true or false"):
        read_bool("yes", where=where, field="b", default=False)
    assert read_mapping(None, where=where, field="m") == {}
    with pytest.raises(InvalidInputError, match="field 'm' must be a mapping of fields"):
        read_mapping([1], where=where, field="m")


def test_read_yaml_turns_bad_files_into_the_callers_error(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("a: [1, 2]\n", encoding="utf-8")
    assert read_yaml(good, error=lambda m: DataFileError(m, path=str(good))) == {"a": [1, 2]}
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"bad.yaml: cannot read the rules: while parsing"):
        read_yaml(bad, error=lambda m: DataFileError(m, path=str(bad)), what=" the rules")
    with pytest.raises(DataFileError, match="cannot read: .*No such file"):
        read_yaml(tmp_path / "none.yaml", error=lambda m: DataFileError(m, path="none.yaml"))
