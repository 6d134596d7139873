"""``permed user add`` and ``permed user list`` against a real data directory."""

from __future__ import annotations

from typer.testing import CliRunner

from permed_atlas.accounts import authenticate, list_users
from permed_atlas.cli import app
from permed_atlas.db import make_engine, session_factory
from permed_atlas.settings import Settings


def _run(tmp_path, monkeypatch, args, stdin=""):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "data"))
    return CliRunner().invoke(app, args, input=stdin)


def test_user_add_with_password_stdin_creates_an_admin(tmp_path, monkeypatch) -> None:
    result = _run(
        tmp_path,
        monkeypatch,
        ["user", "add", "Boss@Example.org", "--role", "admin", "--password-stdin"],
        "a-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "boss@example.org (admin)" in result.output
    engine = make_engine(Settings(data_dir=tmp_path / "data").platform_database_url)
    with session_factory(engine)() as session:
        assert [(u.email, u.role) for u in list_users(session)] == [("boss@example.org", "admin")]
        assert authenticate(
            session, email="boss@example.org", password="a-strong-password", client="cli"
        )
    listed = _run(tmp_path, monkeypatch, ["user", "list"])
    assert listed.exit_code == 0 and "boss@example.org" in listed.output


def test_user_add_prompts_for_the_password_twice(tmp_path, monkeypatch) -> None:
    result = _run(
        tmp_path,
        monkeypatch,
        ["user", "add", "ed@example.org", "--role", "editor"],
        "pass-word-123\npass-word-123\n",
    )
    assert result.exit_code == 0, result.output
    assert "ed@example.org (editor)" in result.output


def test_user_add_dry_run_creates_nothing(tmp_path, monkeypatch) -> None:
    result = _run(
        tmp_path,
        monkeypatch,
        ["user", "add", "x@example.org", "--password-stdin", "--dry-run"],
        "pw-pw-pw-pw\n",
    )
    assert result.exit_code == 0 and "would create x@example.org" in result.output
    listed = _run(tmp_path, monkeypatch, ["user", "list"])
    assert "x@example.org" not in listed.output


def test_user_add_refuses_an_unknown_role(tmp_path, monkeypatch) -> None:
    result = _run(
        tmp_path,
        monkeypatch,
        ["user", "add", "x@example.org", "--role", "root", "--password-stdin"],
        "pw-pw-pw-pw\n",
    )
    assert result.exit_code != 0
    assert "role must be one of admin, editor, member" in str(result.exception)


def test_user_add_refuses_a_password_the_login_would_refuse(tmp_path, monkeypatch) -> None:
    result = _run(
        tmp_path,
        monkeypatch,
        ["user", "add", "boss@example.org", "--role", "admin", "--password-stdin"],
        "z" * 1025 + "\n",
    )
    assert result.exit_code != 0
    assert "at most 1024 characters" in str(result.exception)
    listed = _run(tmp_path, monkeypatch, ["user", "list"])
    assert "boss@example.org" not in listed.output


def test_user_list_shows_a_deactivated_account(tmp_path, monkeypatch) -> None:
    for email, role in (("boss@example.org", "admin"), ("ed@example.org", "editor")):
        args = ["user", "add", email, "--role", role, "--password-stdin"]
        added = _run(tmp_path, monkeypatch, args, "pw-pw-pw-pw\n")
        assert added.exit_code == 0, added.output
    assert _run(tmp_path, monkeypatch, ["user", "deactivate", "ed@example.org"]).exit_code == 0
    monkeypatch.setenv("COLUMNS", "200")
    listed = _run(tmp_path, monkeypatch, ["user", "list"]).output
    rows = {line.split()[3]: line.split()[-2] for line in listed.splitlines() if "@" in line}
    assert rows == {"boss@example.org": "yes", "ed@example.org": "no"}
