"""The Delphi tables, store and demo on PostgreSQL (skipped when no server can be started)."""

from __future__ import annotations

import os

import pytest

from permed_atlas.db import MIGRATIONS_DIR, make_engine, session_factory

pytestmark = pytest.mark.postgres


def test_demo_study_on_postgres() -> None:
    url = os.environ.get("PERMED_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PERMED_TEST_POSTGRES_URL not set: no PostgreSQL server here")
    from alembic import command
    from alembic.config import Config

    from permed_atlas.delphi import list_actions, load_demo_study
    from permed_atlas.delphi.report import build_study_report

    engine = make_engine(url)
    # Only this capability's branch: the test checks the Delphi migration on its own.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    command.upgrade(config, "delphi@head")
    with session_factory(engine)() as session:
        # everything in one transaction that is rolled back: the server stays clean
        study = load_demo_study(session)
        report = build_study_report(session, study.id)
        assert sum(len(s.final_items) for s in report.surveys) == 23
        assert len(list_actions(session, study.id)) == 11
        assert study.published  # delphi_0002 adds published_at
        assert study.languages == ("en",)  # delphi_0003 adds the languages
        from permed_atlas.delphi.store import list_items, list_rounds, list_surveys

        reasoned = [i for sv in list_surveys(session, study.id)
                    for r in list_rounds(session, sv.id)
                    for i in list_items(session, r.id) if i.outcome_reason]  # fmt: skip
        # delphi_0004: every recorded reason has its key and values beside the English
        assert reasoned and all(i.outcome_reason_json for i in reasoned)
        # pseudonymous experts: several without e-mail never clash in the unique constraint
        from permed_atlas.delphi.panel import ExpertDraft
        from permed_atlas.delphi.store import get_panel, import_panel

        drafts = [
            ExpertDraft(
                line=i,
                ref=f"PS{i}",
                name=f"PS{i}",
                email="",
                region="EU",
                country="",
                expertise="",
                organisation="",
            )
            for i in (1, 2)
        ]
        stored = import_panel(session, drafts, panel_id=get_panel(session, study.id).id)
        assert [e.email for e in stored] == ["", ""]
        session.rollback()
    # delphi_0004 down and up again on PostgreSQL (plain DROP/ADD COLUMN)
    command.downgrade(config, "delphi_0003_study_languages")
    command.upgrade(config, "delphi@head")
    engine.dispose()
