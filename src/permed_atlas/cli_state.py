"""What one ``permed`` invocation shares between its commands: the settings, read once.

The root callback in :mod:`permed_atlas.cli` puts a :class:`CliState` in the root
context; a command takes ``ctx: typer.Context`` and calls :func:`settings_from`.
The settings are read from the environment on first use, not in the callback:
``permed transfer assess --help`` should not pay for pydantic-settings.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import typer

from permed_atlas.capabilities import CAPABILITIES

if TYPE_CHECKING:
    from rich.console import Console

    from permed_atlas.settings import Settings


class CliState:
    """The root context's ``obj``: the invocation's settings, built when first asked for.

    :param settings: given settings (for tests and embedding); read from the environment
        when None.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        if settings is not None:
            self.settings = settings

    @cached_property
    def settings(self) -> Settings:
        from permed_atlas.settings import Settings

        return Settings()


def settings_from(ctx: typer.Context) -> Settings:
    """The settings of the running ``permed`` command (one read of the environment per run).

    :param ctx: the command's context; a sub-app run on its own gets its own state.
    """
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj.settings


def group_app(name: str) -> typer.Typer:
    """The Typer sub-app of the command group ``permed <name> ...``.

    Its help is the summary ``capabilities.py`` declares for the group, so the text
    ``permed --help`` shows without importing the group is written once.

    :param name: the group's name as typed, declared under a capability's ``groups``.
    :raises KeyError: when no capability declares the group.
    """
    summaries = {group: summary for c in CAPABILITIES for group, summary in c.groups.items()}
    return typer.Typer(name=name, help=summaries[name], no_args_is_help=True)


def cli_console(*, stderr: bool = False) -> Console:
    """A Rich console for a command's messages.

    In a terminal it word-wraps at the terminal's width. Written to a file or a pipe, each
    message stays one line (soft wrap): Rich would otherwise fold at 80 columns and split a
    path or a record that someone greps or reads in a log.

    :param stderr: write to standard error instead of standard output.
    """
    from rich.console import Console  # not at import: `permed --help` needs no console

    console = Console(stderr=stderr)
    console.soft_wrap = not console.is_terminal
    return console


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun in the number it takes: "1 node", "2 nodes", "1,200 entries".

    :param n: the count, written with thousands separators.
    :param singular: the noun for one.
    :param plural: the noun for any other count; default ``singular`` + "s".
    """
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
