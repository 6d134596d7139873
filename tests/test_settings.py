from __future__ import annotations

from pathlib import Path

import pytest

from permed_atlas.errors import SettingsError
from permed_atlas.settings import Settings


def test_defaults_use_one_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERMED_DATA_DIR", raising=False)
    monkeypatch.delenv("PERMED_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.data_dir == Path("permed-data")
    assert settings.platform_database_url.endswith("permed-data/platform.sqlite")
    assert settings.corpus_path == Path("permed-data/corpus.duckdb")


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERMED_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("PERMED_DATABASE_URL", "postgresql+psycopg://u@localhost/x")
    settings = Settings()
    assert settings.data_dir == tmp_path / "d"
    assert settings.platform_database_url == "postgresql+psycopg://u@localhost/x"


def test_production_refuses_missing_secret() -> None:
    with pytest.raises(SettingsError, match="PERMED_SECRET_KEY"):
        Settings(environment="production")


def test_short_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        Settings(secret_key="short")


def test_generated_secret_is_kept_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    key = settings.resolved_secret_key()
    assert len(key) >= 32
    assert settings.resolved_secret_key() == key
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "d").iterdir() if "secret" in p.name] == ["secret_key"]


def test_processes_starting_together_share_one_generated_secret(tmp_path: Path) -> None:
    # Web workers and a CLI run started at once: each kept its own key and wrote it over the
    # others', so a cookie signed by one worker was refused by the next.
    import threading

    start = threading.Barrier(8)
    keys: list[str] = []

    def start_up() -> None:
        settings = Settings(data_dir=tmp_path / "d")
        start.wait()
        keys.append(settings.resolved_secret_key())

    threads = [threading.Thread(target=start_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert (tmp_path / "d" / "secret_key").read_text(encoding="utf-8") == keys[0]


@pytest.mark.parametrize("damaged", ["", "   \n", "cut-short"])
def test_a_damaged_secret_file_is_refused_naming_it(tmp_path: Path, damaged: str) -> None:
    # An empty key (a crash while it was written) would sign every cookie with nothing.
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "secret_key").write_text(damaged, encoding="utf-8")
    with pytest.raises(SettingsError, match="secret_key holds no usable secret key"):
        Settings(data_dir=tmp_path / "d").resolved_secret_key()


# --- the data directory's layout is spelt in settings.py only -----------------------------


def _hand_built_data_paths(source: str) -> list[str]:
    """``data_dir / "name"`` expressions: a folder name that belongs in Settings."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = node.left
            named = (isinstance(left, ast.Attribute) and left.attr == "data_dir") or (
                isinstance(left, ast.Name) and left.id == "data_dir"
            )
            if named and isinstance(node.right, ast.Constant):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_only_settings_names_the_folders_of_the_data_directory() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "permed_atlas"
    offenders = {
        str(path.relative_to(package)): found
        for path in package.rglob("*.py")
        if path.name != "settings.py"
        and (found := _hand_built_data_paths(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "use (or add) a Settings property for each data-directory folder"


def test_the_layout_check_catches_a_hand_built_folder() -> None:
    assert _hand_built_data_paths('x = settings.data_dir / "transfer_rules"\n')
    assert _hand_built_data_paths('x = data_dir / "federation" / "nodes.yaml"\n')
    assert not _hand_built_data_paths("x = settings.transfer_rules_dir / name\n")


def test_every_folder_of_the_layout_is_inside_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="test")
    folders = {
        name: getattr(settings, name)
        for name, value in vars(Settings).items()
        if isinstance(value, property) and name.endswith("_dir")
    }
    assert len(folders) >= 8
    assert all(isinstance(p, Path) and p.parent == tmp_path for p in folders.values())
    assert len(set(folders.values())) == len(folders), "two settings name the same folder"
    assert Settings.layout_of(tmp_path).transfer_rules_dir == settings.transfer_rules_dir


def test_the_corpus_memory_cap_is_a_size_or_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().corpus_memory_limit == "800MiB"
    assert Settings(corpus_memory_limit=" 2GiB ").corpus_memory_limit == "2GiB"
    assert Settings(corpus_memory_limit="none").corpus_memory_limit is None
    monkeypatch.setenv("PERMED_CORPUS_MEMORY_LIMIT", "a lot")
    with pytest.raises(SettingsError, match="PERMED_CORPUS_MEMORY_LIMIT: 'a lot' is not a memory"):
        Settings()


def test_a_corpus_writer_opens_under_the_default_cap(tmp_path: Path) -> None:
    from permed_atlas.landscape.store.corpus import open_corpus

    def cap(**options: str | None) -> str:
        with open_corpus(tmp_path / "c.duckdb", **options) as corpus:  # type: ignore[arg-type]
            return str(corpus.execute("SELECT current_setting('memory_limit')").fetchone()[0])  # type: ignore[index]

    assert cap() == "800.0 MiB"
    assert cap(memory_limit="1GiB") == "1.0 GiB"
    assert cap(memory_limit=None) != "800.0 MiB"  # DuckDB's default, 80% of RAM


def test_heavy_work_may_take_at_most_half_of_the_worker_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = Settings()
    assert 1 <= defaults.heavy_queries <= 8 and 1 <= defaults.pdf_renders <= 4
    assert defaults.hub_queries == 8 and defaults.busy_wait_seconds == 5.0
    assert Settings(web_threads=8, heavy_queries=2, pdf_renders=1, hub_queries=1).web_threads == 8
    half = r"\(13\) may take at most half of PERMED_WEB_THREADS \(20\)"
    with pytest.raises(SettingsError, match=half):
        Settings(web_threads=20, heavy_queries=3, pdf_renders=2, hub_queries=8)
    monkeypatch.setenv("PERMED_HUB_QUERIES", "0")
    with pytest.raises(SettingsError, match="PERMED_HUB_QUERIES: '0': must be at least 1"):
        Settings()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PERMED_PORT", "abc", "PERMED_PORT: 'abc': not a whole number"),
        ("PERMED_PORT", "70000", "PERMED_PORT: '70000': must be at most 65535"),
        (
            "PERMED_DELPHI_MIN_GROUP_SIZE",
            "-1",
            "PERMED_DELPHI_MIN_GROUP_SIZE: '-1': must be at least 1",
        ),
        (
            "PERMED_FETCH_TIMEOUT_SECONDS",
            "-3",
            "PERMED_FETCH_TIMEOUT_SECONDS: '-3': must be greater than 0",
        ),
        (
            "PERMED_FETCH_BACKOFF_SECONDS",
            "soon",
            "PERMED_FETCH_BACKOFF_SECONDS: 'soon': not a number",
        ),
        (
            "PERMED_INCLUDE_HK_MO_IN_CHINA",
            "maybe",
            "PERMED_INCLUDE_HK_MO_IN_CHINA: 'maybe': not true or false",
        ),
        (
            "PERMED_TRUSTED_PROXIES",
            "10.0.0.1",
            "PERMED_TRUSTED_PROXIES: '10.0.0.1' is not a JSON list",
        ),
    ],
)
def test_a_bad_environment_value_is_our_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    """Not pydantic's multi-line report naming the field: `permed` prints our error as one line."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        Settings()
    assert str(caught.value).startswith(expected)


def test_a_data_directory_that_is_a_file_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "d").write_text("not a directory", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"PERMED_DATA_DIR: .*d is a file, not a directory"):
        Settings(data_dir=tmp_path / "d").ensure_data_dir()
    with pytest.raises(SettingsError, match=r"PERMED_DATA_DIR: cannot create .*d/sub"):
        Settings(data_dir=tmp_path / "d" / "sub").ensure_data_dir()
    assert (tmp_path / "d").read_text(encoding="utf-8") == "not a directory"
