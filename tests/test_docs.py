"""Docs are part of the product: every setting and every command is documented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from permed_atlas.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`PERMED_{name.upper()}`" in text, (
            f"docs/settings.md does not document PERMED_{name.upper()}"
        )


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    # A default printed as this checkout's absolute path would make the reference differ
    # in every clone (and tell readers about the build machine).
    assert str(ROOT) not in current, "a CLI default shows an absolute path; use None + help text"
    assert current == module.render_cli_reference(), (
        "docs/cli-reference.md is out of date: run python scripts/gen_cli_docs.py"
    )


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == [
        "bash scripts/quickstart.sh",
        "bash scripts/test.sh",
    ]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_points_only_inside_the_repository() -> None:
    """A user of the repository has no ../shared/: the architecture is documented in docs/."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme
    links = set(re.findall(r"\]\(([^)#]+)\)", readme))
    for page in ["architecture", "landscape", "delphi", "roadmap"]:
        target = f"docs/{page}.md"
        assert target in links, f"README does not link {target}"
        assert (ROOT / target).is_file()


def test_architecture_doc_names_the_boundary_test_and_the_modules_it_describes() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for named in ["tests/test_boundaries.py", "capabilities.py", "web/deps.py", "cli_state.py"]:
        assert named in text
    package = ROOT / "src" / "permed_atlas"
    for module in ["capabilities.py", "cli_state.py", "settings.py", "web/deps.py", "web/app.py"]:
        assert (package / module).is_file(), module
