"""The ``permed`` command, assembled from each capability's ``cli.py``.

The root group lists the commands declared in :data:`~permed_atlas.capabilities.CAPABILITIES`
and imports a capability's ``cli.py`` only when one of its commands runs (or its
own help is asked for): importing them all pulls in altair, FastAPI, SQLAlchemy
and DuckDB and took seconds before ``permed --help`` could print anything.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from permed_atlas.capabilities import CAPABILITIES
from permed_atlas.cli_state import CliState, cli_console
from permed_atlas.errors import PermedError


def _declared() -> dict[str, tuple[str, str]]:
    """Every top-level command, ``name -> (capability, summary)``, in help order."""
    # Single commands first, then groups: the order Typer gives an eagerly built app.
    return {
        name: (capability.name, summary)
        for kind in ("commands", "groups")
        for capability in CAPABILITIES
        for name, summary in getattr(capability, kind).items()
    }


_DECLARED = _declared()


@cache
def _capability_group(capability: str) -> TyperGroup:
    """The click group of everything ``permed_atlas.<capability>.cli`` adds to ``permed``."""
    module = importlib.import_module(f"permed_atlas.{capability}.cli")
    assembled = typer.Typer()
    sub_app = getattr(module, "app", None)
    if sub_app is not None:
        assembled.add_typer(sub_app)
    for command in getattr(module, "commands", ()):
        assembled.command(name=command.__name__.replace("_", "-"))(command)
    for group_name, group in getattr(module, "groups", {}).items():
        assembled.add_typer(group, name=group_name)
    return typer.main.get_group(assembled)


def load_command(name: str) -> Any:
    """The real click command behind a top-level ``permed`` command (imports its capability).

    :raises KeyError: when no capability declares ``name``, or its ``cli.py`` does not
        provide the command it declares.
    """
    capability, _summary = _DECLARED[name]
    command = _capability_group(capability).commands.get(name)
    if command is None:
        raise KeyError(
            f"capabilities.py declares `permed {name}` for {capability!r}, but "
            f"permed_atlas/{capability}/cli.py does not provide it"
        )
    return command


class _LazyCommands(Mapping[str, Any]):
    """The root group's commands: names known up front, each loaded on first access."""

    def __getitem__(self, name: str) -> Any:
        if name not in _DECLARED:
            raise KeyError(name)
        return load_command(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_DECLARED)

    def __len__(self) -> int:
        return len(_DECLARED)


class LazyGroup(TyperGroup):
    """The root group: its help lists the declared summaries; running a command loads it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()  # type: ignore[assignment]
        self._summaries_only = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(_DECLARED)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in _DECLARED:
            return None
        if self._summaries_only:
            _capability, summary = _DECLARED[cmd_name]
            return TyperCommand(name=cmd_name, help=_in_run_language(summary))
        command = load_command(cmd_name)
        language = _run_language(ctx)
        if language is None:
            return command
        from permed_atlas.cli_help import translated_command
        from permed_atlas.i18n import use_language

        # resolved before the root callback sets the run's language: use it here already
        with use_language(language):
            return translated_command(command, ctx)

    def invoke(self, ctx: Any) -> Any:
        try:
            try:
                return super().invoke(ctx)
            except BrokenPipeError:
                # `permed ... | head`: the reader has all it wanted. Click's standalone
                # mode ends the run quietly, as `cat` would, rather than an error line.
                raise
            except OSError as exc:
                # the file system refused something no command foresaw (a file where the
                # data directory's sub-folder goes, no permission, a full disk): still one
                # line naming the path, not a traceback
                raise _file_system_error(exc) from exc
        except PermedError as exc:
            # main() prints the error after the run's context, and the language --lang set
            # with it, is closed: the line is made here, while that language is current
            from permed_atlas.i18n import gettext

            label = gettext("error")
            exc.cli_line = f"{label}: {exc.translated()}"  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # The root help only shows each command's summary: no capability is imported for it.
        self._summaries_only = True
        own_help, own_params = self.help, self.params
        own_help_option = self.get_help_option(ctx)
        try:
            language = _run_language(ctx)
            if language is None:
                super().format_help(ctx, formatter)
                return
            from permed_atlas.cli_help import translated_param, typer_labels
            from permed_atlas.i18n import gettext, use_language

            with use_language(language), typer_labels():
                self.help = gettext(own_help) if own_help else own_help
                self.params = [translated_param(param) for param in own_params]
                # Click keeps --help as one object per command (see cli_help): swap it too
                self._help_option = translated_param(own_help_option)
                super().format_help(ctx, formatter)
        finally:
            self.help, self.params = own_help, own_params
            self._help_option = own_help_option
            self._summaries_only = False


def _file_system_error(exc: OSError) -> PermedError:
    from permed_atlas.i18n import Message

    reason = exc.strerror or str(exc)
    # a rename names the file the user named second (it was written beside it first)
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    if path is None:
        return PermedError(Message("cannot read or write a file: %(reason)s", reason=reason))
    return PermedError(Message("%(path)s: %(reason)s", path=str(path), reason=reason))


def _run_language(ctx: Any) -> str | None:
    """The run's language when it is not English: ``--lang`` (given before ``--help``),
    else ``PERMED_LANG``; None for English or a value the root callback will refuse."""
    import os

    from permed_atlas.i18n import DEFAULT_LANGUAGE, supported_language

    language = supported_language(ctx.params.get("lang") or os.environ.get("PERMED_LANG"))
    return None if language in (None, DEFAULT_LANGUAGE) else language


def _in_run_language(text: str) -> str:
    # the root help's summaries, built while format_help holds the run's language
    from permed_atlas.i18n import gettext

    return gettext(text)


app = typer.Typer(
    name="permed",
    cls=LazyGroup,
    help="PerMed Atlas: the landscape, partners, Delphi, roadmap, transfers and biobanks of "
    "personalised medicine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        envvar="PERMED_LANG",
        help="Language of the CLI's messages (errors and help): en or zh. A command's own "
        "--lang, after its name, sets its report's language.",
        # eager: `permed --lang zh --help` reads it before printing the help
        is_eager=True,
    ),
]


@app.callback()
def root(ctx: typer.Context, lang: LanguageOption = None) -> None:
    # Each run reads the environment once, when a command first asks for the settings.
    # (The callback also makes Typer build a group: no command is registered up front.)
    ctx.obj = CliState()
    if lang:
        from permed_atlas.cli_help import typer_labels
        from permed_atlas.i18n import language_option, use_language

        # the run's messages in that language; reset when the run's context closes
        ctx.with_resource(use_language(language_option(lang)))
        ctx.with_resource(typer_labels())


def main() -> None:
    """Entry point: run the CLI and turn our errors into one line and a non-zero exit.

    Click's standalone mode handles usage errors and exit codes; only our own
    domain errors are caught here, so no traceback reaches the user for them.
    """
    try:
        app()
    except PermedError as exc:
        line = getattr(exc, "cli_line", f"error: {exc}")  # in the --lang / PERMED_LANG language
        label, _, message = line.partition(": ")
        # A reason quoted from a library (YAML's "in <unicode string>, line 7") may span
        # lines; the error stays one line for a log or a pipe.
        message = re.sub(r"\s*\n\s*", " ", message.strip())
        # One line in a log or a pipe, as every command's messages (cli_console).
        cli_console(stderr=True).print(f"[bold red]{label}:[/] {message}", highlight=False)
        sys.exit(1)
