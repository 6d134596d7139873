"""Curated-data loaders keep their result until a file they read changes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from permed_atlas.filecache import SETTLE_SECONDS, cached_until_changed, files_stamp


def _age(path: Path, seconds: float = 60.0) -> None:
    """Date a file back, as if it had been written a while ago (a settled file)."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def _counting_loader(folder: Path):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    @cached_until_changed(lambda: [folder])
    def load() -> tuple[str, ...]:
        calls.append(1)
        return tuple(sorted(p.read_text() for p in folder.glob("*.yaml")))

    return load, calls


def test_a_settled_folder_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("one")
    _age(tmp_path / "a.yaml")
    _age(tmp_path)
    load, calls = _counting_loader(tmp_path)
    assert load() == ("one",)
    assert load() is load()
    assert len(calls) == 1


def test_an_edited_added_or_removed_file_is_read_again(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("one")
    _age(first, 120)
    _age(tmp_path, 120)
    load, calls = _counting_loader(tmp_path)
    assert load() == ("one",)

    first.write_text("two")  # same size, newer time
    _age(first, 60)
    assert load() == ("two",)

    second = tmp_path / "b.yaml"
    second.write_text("three")
    _age(second)
    _age(tmp_path, 50)
    assert load() == ("three", "two")

    second.unlink()
    _age(tmp_path, 40)
    assert load() == ("two",)
    assert len(calls) == 4


def test_a_file_written_just_now_is_not_trusted_to_its_timestamp(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("one")
    load, calls = _counting_loader(tmp_path)
    load()
    load()
    assert len(calls) == 2  # fresh: its timestamp may not show a second write yet
    _age(tmp_path / "a.yaml", SETTLE_SECONDS + 1)
    _age(tmp_path, SETTLE_SECONDS + 1)
    load()
    load()
    assert len(calls) == 3


def test_a_failing_load_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("bad")
    _age(path)
    attempts: list[int] = []

    @cached_until_changed(lambda: [path])
    def load() -> str:
        attempts.append(1)
        if path.read_text() == "bad":
            raise ValueError("bad file")
        return path.read_text()

    for _ in range(2):
        with pytest.raises(ValueError):
            load()
    assert len(attempts) == 2


def test_missing_paths_are_stamped_not_raised(tmp_path: Path) -> None:
    stamp, newest = files_stamp([tmp_path / "nope.yaml"])
    assert stamp == ((str(tmp_path / "nope.yaml"), -1, -1),)
    assert newest == 0.0


def test_only_maxsize_results_are_kept(tmp_path: Path) -> None:
    folders = []
    for index in range(3):
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / "a.yaml").write_text(str(index))
        _age(folder / "a.yaml")
        _age(folder)
        folders.append(folder)
    calls: list[Path] = []

    @cached_until_changed(lambda folder: [folder], maxsize=2)
    def load(folder: Path) -> str:
        calls.append(folder)
        return (folder / "a.yaml").read_text()

    assert [load(f) for f in folders] == ["0", "1", "2"]
    load(folders[2])
    load(folders[0])  # dropped as the least recently used: read again
    assert calls == [folders[0], folders[1], folders[2], folders[0]]


def test_the_transfer_rules_of_a_deployment_are_seen_without_a_restart(tmp_path: Path) -> None:
    """The real loader: an extra rule folder is cached, and a file added to it is read."""
    from permed_atlas.transfer import load_rule_sets
    from permed_atlas.transfer.errors import RuleFileError

    bundled = load_rule_sets()
    assert load_rule_sets() == bundled
    assert load_rule_sets() is not load_rule_sets()  # callers get their own list
    extra = tmp_path / "rules"
    extra.mkdir()
    _age(extra)
    assert load_rule_sets([extra]) == bundled
    broken = extra / "local.yaml"
    broken.write_text("rules: [unclosed\n", encoding="utf-8")
    _age(broken)
    _age(extra)
    with pytest.raises(RuleFileError, match="local.yaml"):
        load_rule_sets([extra])


def test_the_bundled_loaders_are_cached() -> None:
    from permed_atlas.landscape import load_rules
    from permed_atlas.transfer import load_duo_ontology

    assert load_rules() is load_rules()
    assert load_duo_ontology() is load_duo_ontology()
