"""An output file is written whole or not at all, whatever stops its writer half-way."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from tests.outputs import disk_fills_up, files_in

from permed_atlas.outputfiles import write_atomic, written_beside, written_together


def test_write_atomic_replaces_the_file_whole_and_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    out.write_bytes(b"old export\n")
    out.chmod(0o640)
    write_atomic(out, "a,b\r\n1,é\n")
    assert out.read_bytes() == "a,b\r\n1,é\n".encode()  # UTF-8, line ends as given
    assert out.stat().st_mode & 0o777 == 0o640
    write_atomic(out, b"\x89PNG")
    assert files_in(tmp_path) == {"export.csv": b"\x89PNG"}


@pytest.mark.parametrize("stop", [RuntimeError("renderer broke"), KeyboardInterrupt()])
def test_a_writer_stopped_half_way_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, stop: BaseException
) -> None:
    out = tmp_path / "report.html"
    out.write_bytes(b"<p>old report</p>")
    with (
        pytest.raises(type(stop)),
        written_beside(out) as temporary,
        temporary.open("w", encoding="utf-8") as handle,
    ):
        handle.write("<p>half a new")
        raise stop
    assert files_in(tmp_path) == {"report.html": b"<p>old report</p>"}


def test_a_full_disk_keeps_the_old_file_and_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "export.json"
    out.write_bytes(b'{"old": true}')
    disk_fills_up(monkeypatch, tmp_path, after=4)
    with pytest.raises(OSError) as full:
        write_atomic(out, '{"new": "a longer export"}')
    assert full.value.errno == errno.ENOSPC and full.value.filename == str(out)
    assert files_in(tmp_path) == {"export.json": b'{"old": true}'}


def test_files_together_are_all_replaced_or_none(tmp_path: Path) -> None:
    first, second = tmp_path / "a_map.txt", tmp_path / "a_network.txt"
    first.write_bytes(b"old map")
    second.write_bytes(b"old network")
    with pytest.raises(RuntimeError), written_together((first, second)) as (one, two):
        one.write_bytes(b"new map")
        two.write_bytes(b"new net")
        raise RuntimeError("the second file's writer broke")
    assert files_in(tmp_path) == {"a_map.txt": b"old map", "a_network.txt": b"old network"}
    with written_together((first, second)) as (one, two):
        one.write_bytes(b"new map")
        two.write_bytes(b"new network")
    assert files_in(tmp_path) == {"a_map.txt": b"new map", "a_network.txt": b"new network"}


def test_a_link_still_points_at_the_rewritten_file(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_block_that_writes_nothing_fails_and_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "chart.svg"
    out.write_bytes(b"<svg/>")
    with pytest.raises(FileNotFoundError) as missing, written_beside(out):
        pass  # a printer that exits 0 without printing
    assert missing.value.filename == str(out)
    assert files_in(tmp_path) == {"chart.svg": b"<svg/>"}


def test_a_read_only_file_is_refused_as_writing_in_place_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "kept.csv"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    # root may write anything, so the test asks the question the way a user's run would
    monkeypatch.setattr("os.access", lambda path, mode: Path(path) != out)
    with pytest.raises(PermissionError) as refused:
        write_atomic(out, "new")
    assert refused.value.filename == str(out)
    assert files_in(tmp_path) == {"kept.csv": b"keep me"}
