"""Docs are part of the product: every setting and every command is documented."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

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


def _permed_command_lines() -> list[tuple[str, str]]:
    """``(page, line)`` for each ``permed ...`` the README and docs/ tell a reader to type."""
    import re

    pattern = re.compile(r"`(permed [^`]+)`|^\s*(permed [^\n#]+)", re.MULTILINE)
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [
        (page.name, (match.group(1) or match.group(2)).strip())
        for page in pages
        if page.name != "cli-reference.md"  # generated from the CLI itself
        for match in pattern.finditer(page.read_text(encoding="utf-8"))
    ]


def _resolve(line: str) -> tuple[list[str], Any, list[str]]:
    """The command path a doc line names, its click command, and the words after it."""
    import shlex

    import typer.main

    from permed_atlas.cli import app

    text = line.replace("\\|", "|").replace("…", "").replace("...", "")
    try:
        words = shlex.split(text)[1:]
    except ValueError:  # a line continued with a backslash: its first words still count
        words = text.split()[1:]
    command: Any = typer.main.get_command(app)
    path = ["permed"]
    # Typer vendors its own click, so a group is recognised by what it can do.
    while words and hasattr(command, "list_commands") and not words[0].startswith("-"):
        sub = command.get_command(type(command).context_class(command), words[0])
        if sub is None:
            break
        command, path, words = sub, [*path, words[0]], words[1:]
    return path, command, words


def test_every_permed_command_in_the_docs_exists_with_the_options_given() -> None:
    """A reader copies `permed ...` from the README or a doc page: it must be a real command."""
    lines = _permed_command_lines()
    assert len(lines) > 100, "the docs' command lines were not found"
    wrong = [problem for page, line in lines for problem in _wrong_in(page, line)]
    assert not wrong, "\n".join(wrong)


def _wrong_in(where: str, line: str) -> list[str]:
    """What is wrong with a `permed ...` line: an unknown command or option."""
    path, command, words = _resolve(line)
    if hasattr(command, "list_commands") and words and not words[0].startswith("-"):
        alternatives = words[0].split("|")  # `permed node serve|check` names several
        unknown = [
            w
            for w in alternatives
            if command.get_command(type(command).context_class(command), w) is None
        ]
        return [f"{where}: `{line}`: no command {' '.join(path)} {unknown[0]}"] if unknown else []
    known = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    return [
        f"{where}: `{line}`: {' '.join(path)} has no option {option}"
        for option in (word.strip("[]").split("=", 1)[0] for word in words)
        if option.startswith("--") and option not in known | {"--help"}
    ]


def test_every_example_in_the_cli_help_is_a_real_command_that_fits_a_terminal() -> None:
    """`permed X --help` ends with an example a user copies into a shell as it stands."""
    import typer.main

    from permed_atlas.cli import app

    commands = _commands(typer.main.get_command(app), ["permed"])
    examples = {}
    for path, command in commands:
        help_text = command.help or ""
        if "Example" not in help_text:
            continue
        block = help_text.split("Example:", 1)[-1].split("Examples:", 1)[-1]
        lines = [line for line in block.strip("\n").split("\n")]
        examples[" ".join(path)] = lines
    assert len(examples) > 50, "the help examples were not found"
    wrong = []
    for name, lines in examples.items():
        # Rich prints help one column in: 78 characters fit an 80-column terminal.
        wrong += [f"{name}: {line!r} is wider than 78" for line in lines if len(line) > 78]
        joined = "\n".join(lines).replace("\\\n", " ")  # lines continued with a backslash
        # A leading VAR=value sets the environment for that one command, as a shell reads it.
        commands_in = [
            re.sub(r"^(\w+=\S+\s+)+", "", line.strip())
            for line in joined.split("\n")
            if line.strip()
        ]
        if not commands_in or not all(text.startswith("permed ") for text in commands_in):
            wrong.append(f"{name}: the example is not one permed command a line: {lines}")
        for text in commands_in:
            wrong += _wrong_in(name, text.split("#", 1)[0].strip())
        if any(line.strip().startswith("``") or "``" in line for line in lines):
            wrong.append(f"{name}: backquotes would be copied with the command: {lines}")
    assert not wrong, "\n".join(wrong)


def _commands(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    if hasattr(command, "list_commands"):
        context = type(command).context_class(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                found += _commands(sub, [*path, name])
    return found
