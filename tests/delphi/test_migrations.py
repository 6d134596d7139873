"""The Delphi migrations keep every stored row: upgrade and downgrade on a database in use."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from permed_atlas.db import MIGRATIONS_DIR, make_engine

TABLES = (
    "delphi_study",
    "delphi_panel",
    "delphi_expert",
    "delphi_item",
    "delphi_response",
    "delphi_invitation",
)


def _counts(engine) -> list[int]:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        return [connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in TABLES]


def test_published_at_migration_keeps_responses(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'platform.sqlite'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    command.upgrade(config, "delphi_0001_create_delphi_tables")
    with engine.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO delphi_study (slug, title, description, rule_json, created_at) "
            "VALUES ('s', 't', '', '{}', '2026-01-01')"
        )
        c.exec_driver_sql("INSERT INTO delphi_panel (study_id, name) VALUES (1, 'P')")
        c.exec_driver_sql(
            "INSERT INTO delphi_expert (panel_id, ref, name, email, region, country, expertise, "
            "organisation) VALUES (1, 'a', 'a', 'a@x.org', 'EU', 'DE', '', '')"
        )
        c.exec_driver_sql(
            "INSERT INTO delphi_survey (study_id, panel_id, pillar, title) VALUES (1, 1, 'P1', 'x')"
        )
        c.exec_driver_sql(
            "INSERT INTO delphi_round (survey_id, number, status) VALUES (1, 1, 'open')"
        )
        c.exec_driver_sql(
            "INSERT INTO delphi_item (round_id, code, statement, rationale, subtopic, position, "
            "origin, outcome, outcome_reason) VALUES (1, 'A', 's', '', '', 1, 'new', 'pending', '')"
        )
        c.exec_driver_sql(
            "INSERT INTO delphi_response (item_id, expert_id, value, comment, updated_at) "
            "VALUES (1, 1, 4, '', '2026-01-01')"
        )
        c.exec_driver_sql(
            "INSERT INTO delphi_invitation (round_id, expert_id, token_hash, expires_at, "
            "created_at, revision) VALUES (1, 1, 'h', '2027-01-01', '2026-01-01', 0)"
        )
    assert _counts(engine) == [1] * 6
    command.upgrade(config, "heads")
    assert _counts(engine) == [1] * 6
    with engine.begin() as c:
        assert c.exec_driver_sql("SELECT published_at FROM delphi_study").scalar() is None
        # delphi_0003: a study stored before languages existed stays English
        assert c.exec_driver_sql("SELECT languages, title_zh FROM delphi_study").one() == ("en", "")
        assert c.exec_driver_sql("SELECT language FROM delphi_expert").scalar() == "en"
        assert c.exec_driver_sql("SELECT statement_zh FROM delphi_item").scalar() == ""
        # delphi_0004: a reason stored before keys were has none (shown as its English)
        assert c.exec_driver_sql("SELECT outcome_reason_json FROM delphi_item").scalar() is None
    command.downgrade(config, "delphi_0001_create_delphi_tables")
    assert _counts(engine) == [1] * 6
    engine.dispose()
