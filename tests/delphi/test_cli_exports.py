"""``permed delphi export`` and ``invitations`` write their files whole or leave the old ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.outputs import disk_fills_up, fake_chromium, files_in

STUDY = "demo-eu-china-pm"
OLD = {
    "csv": {
        f"{STUDY}-statistics.csv": b"pillar,round,item\nlast week's statistics\n",
        f"{STUDY}-ratings.csv": b"pillar,round,item\nlast week's ratings\n",
    },
    "xlsx": {f"{STUDY}.xlsx": b"PK last week's workbook"},
    "html": {f"{STUDY}-report.html": b"<p>last week's report</p>"},
    "pdf": {f"{STUDY}-report.pdf": b"%PDF-1.7 last week's report"},
}


# openpyxl leaves its zip open when a write fails; the zip's __del__ then fails to finish it
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_export_that_fills_the_disk_keeps_the_old_files_and_leaves_no_temporary(  # type: ignore[no-untyped-def]
    permed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert permed("delphi", "demo")[0] == 0
    for fmt in ("csv", "xlsx", "html"):
        out = tmp_path / fmt
        out.mkdir()
        for name, content in OLD[fmt].items():
            (out / name).write_bytes(content)
        with monkeypatch.context() as patch:
            disk_fills_up(patch, out, after=64)
            code, _, err = permed("delphi", "export", STUDY, "-o", str(out), "--format", fmt)
        first = out / next(iter(OLD[fmt]))  # the statistics before the ratings
        assert code == 1 and f"{first}: No space left on device" in err.replace("\n", "")
        assert files_in(out) == OLD[fmt]

        assert permed("delphi", "export", STUDY, "-o", str(out), "--format", fmt)[0] == 0
        new = files_in(out)
        assert sorted(new) == sorted(OLD[fmt]) and not set(new.items()) & set(OLD[fmt].items())
    csv_text = (tmp_path / "csv" / f"{STUDY}-statistics.csv").read_bytes()
    assert csv_text.startswith(b"pillar,round,item,")
    book = load_workbook(tmp_path / "xlsx" / f"{STUDY}.xlsx")
    assert book.sheetnames == ["Statistics", "Ratings", "Panel agreement", "Actions", "Methods"]
    html = (tmp_path / "html" / f"{STUDY}-report.html").read_bytes()
    assert html.lstrip().lower().startswith(b"<!doctype html>")


def test_a_pdf_that_chromium_prints_half_of_keeps_the_old_pdf(  # type: ignore[no-untyped-def]
    permed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert permed("delphi", "demo")[0] == 0
    out = tmp_path / "exports"
    out.mkdir()
    (pdf,) = OLD["pdf"]
    (out / pdf).write_bytes(OLD["pdf"][pdf])
    fake_chromium(monkeypatch, tmp_path, prints=b"%PDF-1.7 the first pa", exit_code=1)
    code, _, err = permed("delphi", "export", STUDY, "-o", str(out), "--format", "pdf")
    assert code == 1 and "Chromium could not print" in err
    assert files_in(out) == OLD["pdf"]

    whole = b"%PDF-1.7 this week's report\n%%EOF\n"
    fake_chromium(monkeypatch, tmp_path, prints=whole, exit_code=0)
    assert permed("delphi", "export", STUDY, "-o", str(out), "--format", "pdf")[0] == 0
    assert files_in(out) == {pdf: whole}


def test_a_later_file_that_fails_keeps_every_old_file_of_the_run(  # type: ignore[no-untyped-def]
    permed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files of one export belong together: the CSVs, workbook and HTML were replaced one
    # by one, so a PDF that failed last left this week's tables beside last week's report.
    assert permed("delphi", "demo")[0] == 0
    out = tmp_path / "exports"
    out.mkdir()
    old = {name: content for fmt in OLD for name, content in OLD[fmt].items()}
    for name, content in old.items():
        (out / name).write_bytes(content)
    fake_chromium(monkeypatch, tmp_path, prints=b"%PDF-1.7 the first pa", exit_code=1)
    every = [arg for fmt in ("csv", "xlsx", "html", "pdf") for arg in ("--format", fmt)]
    code, _, err = permed("delphi", "export", STUDY, "-o", str(out), *every)
    assert code == 1 and "Chromium could not print" in err
    assert f"{out / f'{STUDY}-report.pdf'}" in err.replace("\n", "")  # not the hidden temporary
    assert files_in(out) == old

    fake_chromium(monkeypatch, tmp_path, prints=b"%PDF-1.7 whole\n%%EOF\n", exit_code=0)
    assert permed("delphi", "export", STUDY, "-o", str(out), *every)[0] == 0
    new = files_in(out)
    assert sorted(new) == sorted(old) and not set(new.items()) & set(old.items())


STUDY_YAML = """
slug: links-study
title: Links study
consensus: {kind: share, agree_share: 0.7}
surveys:
  - pillar: P1
    title: Pillar one
    items:
      - {code: A, statement: "Agreeable."}
"""


def test_invitations_that_fill_the_disk_keep_the_old_mail_merge_file(  # type: ignore[no-untyped-def]
    permed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = tmp_path / "study.yaml"
    study.write_text(STUDY_YAML, encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text(
        "name,email,country\n" + "".join(f"E{i},e{i}@example.org,DE\n" for i in range(3)),
        encoding="utf-8",
    )
    assert permed("delphi", "create-study", str(study))[0] == 0
    assert permed("delphi", "import-panel", "links-study", str(panel))[0] == 0
    assert permed("delphi", "open-round", "links-study", "--pillar", "P1")[0] == 0
    out = tmp_path / "mail"
    out.mkdir()
    links = out / "links.csv"
    invite = [
        "delphi", "invitations", "links-study", "--pillar", "P1",
        "--base-url", "https://atlas.example.org", "-o", str(links),
    ]  # fmt: skip
    assert permed(*invite)[0] == 0
    sent = files_in(out)
    with monkeypatch.context() as patch:
        disk_fills_up(patch, out, after=64)
        code, _, err = permed(*invite, "--reissue")
    assert code == 1 and f"{links}: No space left on device" in err.replace("\n", "")
    assert files_in(out) == sent
    assert permed(*invite, "--reissue")[0] == 0
    again = files_in(out)
    assert sorted(again) == ["links.csv"] and again != sent
    assert again["links.csv"].splitlines()[0] == sent["links.csv"].splitlines()[0]
