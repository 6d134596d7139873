"""The ``permed`` help in the language of ``--lang`` / ``PERMED_LANG``.

Commands keep their English help as written in each capability's ``cli.py``; that text is
the catalog's msgid (``scripts/i18n.py`` extracts it with :func:`help_texts`). When the run's
language is not English, the root group hands out a copy of the command whose help texts are
translated (:func:`translated_command`), so nothing is changed in place and an English run pays
nothing. Typer's own labels (panel titles, ``[default: …]``) are swapped for the length of the
run by :func:`typer_labels`.

Click's usage errors ("No such option", "Missing argument") come from Click's own strings
and stay English.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from permed_atlas.i18n import DEFAULT_LANGUAGE, current_language, gettext, gettext_noop

# Typer's labels around the help texts, as ``typer.rich_utils`` spells them (it reads these
# module attributes each time it renders).
_TYPER_LABELS = {
    "ARGUMENTS_PANEL_TITLE": gettext_noop("Arguments"),
    "OPTIONS_PANEL_TITLE": gettext_noop("Options"),
    "COMMANDS_PANEL_TITLE": gettext_noop("Commands"),
    "DEFAULT_STRING": gettext_noop("[default: {}]"),
    "ENVVAR_STRING": gettext_noop("[env var: {}]"),
    "REQUIRED_LONG_STRING": gettext_noop("[required]"),
    "DEPRECATED_STRING": gettext_noop("(deprecated) "),
}
HELP_OPTION_TEXT = gettext_noop("Show this message and exit.")
"""Click's text of ``--help``, which every command gets."""


def help_texts(command: Any) -> Iterator[tuple[str, str]]:
    """``(text, where)`` for every help text of ``command`` and its subcommands.

    :param command: a Click command or group (as Typer builds it).
    """
    name = command.name or ""
    for text in (command.help, command.short_help):
        if text:
            yield text, name
    for param in command.params:
        if getattr(param, "help", None):
            yield param.help, f"{name} {param.name}"
    for sub in getattr(command, "commands", {}).values():
        for text, where in help_texts(sub):
            yield text, f"{name} {where}"


def translated_command(command: Any, ctx: Any) -> Any:
    """``command`` with its help (and its subcommands') in the current language.

    :param command: the command as its capability built it; returned as it is in English.
    :param ctx: the parent context, whose help option names the copy's ``--help`` uses.
    """
    if current_language() == DEFAULT_LANGUAGE:
        return command
    clone = copy.copy(command)
    clone.help = gettext(command.help) if command.help else command.help
    clone.short_help = gettext(command.short_help) if command.short_help else None
    clone.params = [translated_param(param) for param in command.params]
    if hasattr(command, "commands"):
        clone.commands = {
            name: translated_command(sub, ctx) for name, sub in command.commands.items()
        }
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        # Click builds --help once per command and keeps it (its processing order relies on
        # that one object): the copy gets its own, translated.
        clone._help_option = translated_param(help_option)
    return clone


def translated_param(param: Any) -> Any:
    """``param`` with its help in the current language (a copy; itself when it has none)."""
    if not getattr(param, "help", None):
        return param
    clone = copy.copy(param)
    clone.help = gettext(param.help)
    return clone


@contextmanager
def typer_labels() -> Iterator[None]:
    """Typer's help labels in the current language until the block ends."""
    import typer.rich_utils as rich_utils

    before = {name: getattr(rich_utils, name) for name in _TYPER_LABELS}
    try:
        for name, label in _TYPER_LABELS.items():
            setattr(rich_utils, name, gettext(label))
        yield
    finally:
        for name, label in before.items():
            setattr(rich_utils, name, label)


def all_help_texts() -> Iterator[tuple[str, str]]:
    """``(text, where)`` for the whole ``permed`` help: the root's and its ``--lang``, every
    command, option and argument (this imports every capability), and each command's summary
    in the root help."""
    import typer.main

    from permed_atlas.cli import _DECLARED, app

    yield from help_texts(typer.main.get_command(app))
    for name, (_capability, summary) in _DECLARED.items():
        yield summary, f"permed {name}"
