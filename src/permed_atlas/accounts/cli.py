"""``permed user add``, ``list``, ``deactivate`` and ``activate``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from permed_atlas.accounts.models import User
from permed_atlas.accounts.store import (
    activate_user,
    create_user,
    deactivate_user,
    get_user_by_email,
    list_users,
)
from permed_atlas.cli_state import cli_console, group_app, settings_from
from permed_atlas.db import migrated_engine, migrated_session, session_factory, session_scope
from permed_atlas.errors import InvalidInputError
from permed_atlas.i18n import Message

user_app = group_app("user")
console = cli_console()

AccountEmail = Annotated[str, typer.Argument(help="The login email of the account.")]
DryRunChange = Annotated[bool, typer.Option("--dry-run", help="Check, but change nothing.")]


@user_app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The login email.")],
    role: Annotated[str, typer.Option(help="admin, editor or member.")] = "member",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check, but create nothing.")] = False,
) -> None:
    """Create an account; prompts for the password unless --password-stdin.

    Example:

    permed user add admin@example.org --role admin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InvalidInputError(Message("the password is empty"), field="password")
    engine = migrated_engine(settings_from(ctx))
    if dry_run:
        with session_factory(engine)() as session:
            user = create_user(session, email=email, password=password, role=role)
            session.rollback()
        console.print(f"would create {user.email} ({user.role})")
        return
    with session_scope(engine) as session:
        user = create_user(session, email=email, password=password, role=role)
    console.print(f"created user {user.id}: {user.email} ({user.role})")


@user_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the accounts.

    Example:

    permed user list
    """
    with migrated_session(settings_from(ctx)) as session:
        users = list_users(session)
    table = Table("id", "email", "role", "active")
    for user in users:
        table.add_row(str(user.id), user.email, user.role, "yes" if user.is_active else "no")
    console.print(table)


def _switch(ctx: typer.Context, email: str, *, active: bool, dry_run: bool) -> User:
    """(De)activate the account of ``email``, or (a dry run) do it and roll it back."""
    change = activate_user if active else deactivate_user
    engine = migrated_engine(settings_from(ctx))
    if dry_run:
        with session_factory(engine)() as session:
            user = change(session, get_user_by_email(session, email).id, actor_id=None)
            session.rollback()
        return user
    with session_scope(engine) as session:
        return change(session, get_user_by_email(session, email).id, actor_id=None)


@user_app.command("deactivate")
def deactivate(ctx: typer.Context, email: AccountEmail, dry_run: DryRunChange = False) -> None:
    """Stop an account at once: no more logins, and its current logins end.

    Refused for the last active admin.

    Example:

    permed user deactivate ed@example.org
    """
    user = _switch(ctx, email, active=False, dry_run=dry_run)
    verb = "would deactivate" if dry_run else "deactivated"
    console.print(f"{verb} {user.email} ({user.role}); its logins end")


@user_app.command("activate")
def activate(ctx: typer.Context, email: AccountEmail, dry_run: DryRunChange = False) -> None:
    """Let a deactivated account log in again.

    Example:

    permed user activate ed@example.org
    """
    user = _switch(ctx, email, active=True, dry_run=dry_run)
    verb = "would activate" if dry_run else "activated"
    console.print(f"{verb} {user.email} ({user.role})")


groups = {"user": user_app}
