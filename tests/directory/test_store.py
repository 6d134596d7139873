"""The store: seed loading, edits with revisions and audit, restore, links, funding match."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from permed_atlas.accounts import create_user, list_audit
from permed_atlas.directory import (
    BUNDLED_DIRECTORY_DIR,
    DirectoryFileError,
    EntryNotFoundError,
    InvalidEntryError,
    get_entry,
    list_entries,
    list_revisions,
    load_seed_directory,
    match_funding,
    related_entries,
    restore_revision,
    search_directory,
    update_entry,
)
from permed_atlas.directory.routes import changes_from_form, form_values
from permed_atlas.directory.tables import DirectoryEntryRow, DirectoryRevisionRow
from permed_atlas.errors import InvalidInputError
from permed_atlas.settings import Settings


def _count(session: Session, table: type) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _editor(session: Session) -> int:
    user = create_user(
        session, email="ed@example.org", password="correct-horse-battery", role="editor"
    )
    session.commit()
    return user.id


def test_seed_load_is_idempotent_and_dry_run_writes_nothing(
    db_session: Session, settings: Settings
) -> None:
    dry = load_seed_directory(db_session, settings=settings, dry_run=True)
    assert dry.dry_run and len(dry.inserted) == dry.total >= 60
    assert _count(db_session, DirectoryEntryRow) == 0
    first = load_seed_directory(db_session, settings=settings)
    db_session.commit()
    assert len(first.inserted) == first.total
    second = load_seed_directory(db_session, settings=settings)
    db_session.commit()
    assert (second.inserted, second.updated, second.kept) == ((), (), ())
    assert second.unchanged == first.total
    assert _count(db_session, DirectoryRevisionRow) == first.total
    assert [a.action for a in list_audit(db_session)] == ["directory.seed.load"]
    assert len(list_entries(db_session, kinds=["law"])) >= 8


def test_edit_creates_revision_and_audit_and_seed_keeps_it(
    seeded: Session, settings: Settings, tmp_path: Path
) -> None:
    editor = _editor(seeded)
    before = get_entry(seeded, "gdpr")
    new_summary = before.summary + " Edited by the tests."
    entry = update_entry(
        seeded,
        "gdpr",
        changes={"summary": new_summary},
        actor_id=editor,
        comment="clarify",
        settings=settings,
    )
    seeded.commit()
    assert entry.summary == new_summary
    revisions = list_revisions(seeded, "gdpr")
    assert [r.number for r in revisions] == [2, 1]
    assert revisions[0].changed == ("summary", "zh_to_review")  # gdpr has a summary_zh
    assert revisions[0].actor_email == "ed@example.org" and revisions[0].comment == "clarify"
    assert revisions[1].snapshot == before
    audit = list_audit(seeded, action="directory.entry.edit")
    assert audit[0].target == "directory:gdpr" and audit[0].actor_id == editor

    # the data files change: an untouched entry follows them, the edited one is kept
    folder = tmp_path / "seed"
    shutil.copytree(BUNDLED_DIRECTORY_DIR, folder)
    laws = yaml.safe_load((folder / "laws.yaml").read_text(encoding="utf-8"))
    for raw in laws["entries"]:
        if raw["id"] in {"gdpr", "pipl"}:
            raw["summary"] = "Changed in the data file. Second sentence."
    (folder / "laws.yaml").write_text(yaml.safe_dump(laws), encoding="utf-8")
    summary = load_seed_directory(seeded, folder=folder, settings=settings)
    seeded.commit()
    assert summary.kept == ("gdpr",) and summary.updated == ("pipl",)
    assert get_entry(seeded, "gdpr").summary == new_summary
    assert get_entry(seeded, "pipl").summary == "Changed in the data file. Second sentence."

    # no change, no revision
    update_entry(
        seeded, "gdpr", changes={"summary": new_summary}, actor_id=editor, settings=settings
    )
    assert len(list_revisions(seeded, "gdpr")) == 2


def test_restore_adds_a_revision(seeded: Session, settings: Settings) -> None:
    editor = _editor(seeded)
    original = get_entry(seeded, "duo")
    update_entry(
        seeded, "duo", changes={"summary": "Wrong. Very wrong."}, actor_id=editor, settings=settings
    )
    seeded.commit()
    restored = restore_revision(seeded, "duo", 1, actor_id=editor)
    seeded.commit()
    assert restored == original == get_entry(seeded, "duo")
    revisions = list_revisions(seeded, "duo")
    assert [(r.number, r.origin) for r in revisions] == [(3, "restore"), (2, "edit"), (1, "seed")]
    assert revisions[0].comment == "restored revision 1"
    assert list_audit(seeded, action="directory.entry.restore")[0].detail == {
        "restored": 1,
        "revision": 3,
    }
    with pytest.raises(InvalidEntryError, match="already the current one"):
        restore_revision(seeded, "duo", 3, actor_id=editor)
    with pytest.raises(EntryNotFoundError, match="no revision 9"):
        restore_revision(seeded, "duo", 9, actor_id=editor)


def test_bad_edits_store_nothing(seeded: Session, settings: Settings) -> None:
    editor = _editor(seeded)
    cases = [
        ({"related": ["no-such"]}, "field 'related': no entry with id 'no-such'"),
        ({"date_checked": "yesterday"}, "'yesterday' is not a date"),
        ({"kind": "funder"}, "the kind of an entry cannot change"),
        ({"bbmri_eric": "member"}, "unknown field 'bbmri_eric' for a law"),
        ({"in_force": "2021-02-30"}, "field 'in_force'"),
    ]
    for changes, message in cases:
        with pytest.raises(InvalidInputError) as caught:
            update_entry(seeded, "pipl", changes=changes, actor_id=editor, settings=settings)
        assert message in str(caught.value)
        assert isinstance(caught.value, InvalidEntryError | DirectoryFileError)
        seeded.rollback()
    assert len(list_revisions(seeded, "pipl")) == 1
    with pytest.raises(InvalidEntryError, match="changed by someone else"):
        update_entry(
            seeded,
            "pipl",
            changes={"name": "PIPL"},
            actor_id=editor,
            base_revision=7,
            settings=settings,
        )
    with pytest.raises(EntryNotFoundError):
        update_entry(seeded, "nope", changes={}, actor_id=editor, settings=settings)


def test_related_entries_both_directions_and_relink_on_edit(
    seeded: Session, settings: Settings
) -> None:
    related = {r.entry.id: r for r in related_entries(seeded, "hgr-regulations")}
    assert related["hgr-implementing-rules"].direction == "both"
    assert related["china-kadoorie-biobank"].direction == "incoming"  # the biobank names it
    assert related["nhc"].direction == "both"
    editor = _editor(seeded)
    update_entry(
        seeded,
        "uk-biobank",
        changes={"related": ["mrc", "gdpr"]},
        actor_id=editor,
        settings=settings,
    )
    seeded.commit()
    gdpr = {r.entry.id: r for r in related_entries(seeded, "gdpr")}
    assert gdpr["uk-biobank"].direction == "incoming"
    funder = {r.entry.id: r for r in related_entries(seeded, "european-commission")}
    assert funder["horizon-europe"].relation == "related"
    assert funder["ep-permed"].relation == "funder"


def test_search_and_funding_through_the_store(seeded: Session, settings: Settings) -> None:
    hits = search_directory(seeded, "genetic resources export", regions=["CN"], settings=settings)
    assert hits[0].entry.id == "hgr-regulations"
    matches = match_funding(
        seeded,
        description="Sino-European personalised medicine",
        regions=["DE", "CN"],
        settings=settings,
    )
    # The best fit has ended: marked closed, after the open programmes.
    first_closed = next(m for m in matches if m.closed)
    assert first_closed.entry.id == "sino-eu-permed" and not matches[0].closed
    with pytest.raises(InvalidEntryError, match="unknown region 'XX'"):
        match_funding(seeded, description="cancer", regions=["XX"], settings=settings)
    with pytest.raises(InvalidEntryError, match="unknown region 'EU'"):
        search_directory(seeded, "cancer", regions=["EU"], settings=settings)


def test_bad_seed_file_stores_nothing(
    db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "seed"
    shutil.copytree(BUNDLED_DIRECTORY_DIR, folder)
    with (folder / "zz_broken.yaml").open("w", encoding="utf-8") as handle:
        yaml.safe_dump(
            {
                "entries": [
                    {
                        "id": "x",
                        "kind": "law",
                        "name": "X",
                        "summary": "S.",
                        "regions": ["CN"],
                        "date_checked": "2026-11-23",
                        "jurisdiction": "CN",
                    }
                ]
            },
            handle,
        )
    with pytest.raises(DirectoryFileError, match="zz_broken.yaml: entry 1 \\(x\\): field 'source'"):
        load_seed_directory(db_session, folder=folder, settings=settings)
    assert _count(db_session, DirectoryEntryRow) == 0


def test_resaving_an_unchanged_form_stores_no_revision(seeded: Session, settings: Settings) -> None:
    editor = _editor(seeded)
    for entry_id in ("ep-permed", "sino-eu-permed", "uk-biobank", "gdpr", "ga4gh", "ukri"):
        entry = get_entry(seeded, entry_id)
        form = form_values(entry)
        update_entry(
            seeded,
            entry_id,
            changes=changes_from_form(entry.kind, FormData(form)),
            actor_id=editor,
            settings=settings,
        )
        assert len(list_revisions(seeded, entry_id)) == 1, entry_id


def test_two_editors_saving_the_same_revision_at_once_the_second_is_told(
    seeded: Session, settings: Settings
) -> None:
    # Both read revision 1 before either saved: the stale check passes for both, and the
    # second save used to fail on the revision table's unique number (a 500).
    editor = _editor(seeded)
    other = Session(seeded.get_bind())
    try:
        start = other.get(DirectoryEntryRow, "gdpr")
        assert start is not None and start.revision == 1  # read before the first save
        update_entry(seeded, "gdpr", changes={"summary": "First."}, actor_id=editor,
                     base_revision=1, settings=settings)  # fmt: skip
        seeded.commit()
        with pytest.raises(InvalidEntryError) as late:
            update_entry(other, "gdpr", changes={"summary": "Second."}, actor_id=editor,
                         base_revision=1, settings=settings)  # fmt: skip
        other.rollback()
    finally:
        other.close()
    assert late.value.field == "base_revision"
    assert "changed by someone else" in str(late.value)
    seeded.expire_all()
    assert get_entry(seeded, "gdpr").summary == "First."
    assert [r.number for r in list_revisions(seeded, "gdpr")] == [2, 1]
