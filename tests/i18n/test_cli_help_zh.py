"""`permed --lang zh … --help` (or PERMED_LANG=zh) prints the help in Chinese: the commands'
texts, their options', Typer's panel titles and Click's --help; English runs are unchanged."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from permed_atlas.cli import app

# a fixed, colourless terminal so the texts are not folded or styled
TERMINAL = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}


def _help(*argv: str, **env: str) -> str:
    result = CliRunner().invoke(app, list(argv), env={**TERMINAL, **env})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_command_help_follows_root_lang_and_the_next_run_is_english_again() -> None:
    chinese = _help("--lang", "zh", "delphi", "open-round", "--help")
    assert "打开问卷的最新（草稿）轮次以收集回答。" in chinese
    assert "问卷的支柱代码，例如 P1。" in chinese  # an option's help
    for label in ("参数", "选项", "[必填]", "[默认：21]", "显示此帮助信息并退出。"):
        assert label in chinese
    assert "Open the latest" not in chinese and "Show this message" not in chinese
    # the command the user types stays as it is, inside the translated example line
    # The example stands on its own line, so it can be copied into a shell whole.
    assert "示例：" in chinese
    assert "\n permed delphi open-round demo-eu-china-pm --pillar P1" in chinese

    english = _help("delphi", "open-round", "--help")
    assert "Open the latest (draft) round of a survey for responses." in english
    assert "Options" in english and "[default: 21]" in english and "Show this message" in english
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english)


def test_the_root_help_follows_permed_lang_or_a_leading_lang() -> None:
    for argv, env in ((("--help",), {"PERMED_LANG": "zh-CN"}), (("--lang", "zh", "--help"), {})):
        chinese = _help(*argv, **env)
        assert "创建数据目录并迁移平台数据库。" in chinese  # the `init` summary
        assert "命令行消息（错误和帮助）的语言" in chinese  # the root's own --lang
        assert "显示此帮助信息并退出。" in chinese and "命令" in chinese
    english = _help("--help")
    assert "Create the data directory and migrate the platform database." in english


@pytest.mark.parametrize("command", [("transfer", "assess"), ("ingest", "openalex"), ("sync",)])
def test_every_option_of_a_command_has_its_chinese_help(command: tuple[str, ...]) -> None:
    from permed_atlas.cli import load_command
    from permed_atlas.cli_help import help_texts
    from permed_atlas.i18n import gettext, use_language

    target = load_command(command[0])
    for name in command[1:]:
        target = target.commands[name]
    with use_language("zh"):
        untranslated = [text for text, _where in help_texts(target) if gettext(text) == text]
    assert untranslated == []


def test_the_catalog_extraction_takes_the_cli_help() -> None:
    # what keeps a new command's help from shipping untranslated: the completeness test
    # compares the catalog with this extraction
    from pathlib import Path

    from permed_atlas.i18n.extraction import extract

    template = extract(Path(__file__).resolve().parents[2])
    open_round = (
        "Open the latest (draft) round of a survey for responses.\n\n"
        "Example:\n\npermed delphi open-round demo-eu-china-pm --pillar P1"
    )
    assert template.get(open_round)
    assert template.get("The survey's pillar code, e.g. P1.")
