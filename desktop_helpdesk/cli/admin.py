"""``desktop-helpdesk admin``: scripted account set-up (create a member with a password, reset
a password, unlock), for first installs and automation."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.domain.clock import Clock, SystemClock
from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.services.team import TeamService

PASSWORD_ENV = "HELPDESK_ADMIN_PASSWORD"


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog="desktop-helpdesk admin",
        description="Set up accounts without the window. Whoever can write the database "
                    "already holds every right, so these commands act as the system.",
        epilog=f"The password is read from {PASSWORD_ENV} when set, else asked twice on the "
               "terminal (never from the command line, where other users could see it).",
    )
    commands = parser.add_subparsers(dest="action", required=True, parser_class=common.Parser)
    create = commands.add_parser("create", help="create a member with a password (the first "
                                 "admin on a new database)")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", choices=[r.value for r in MemberRole], default="agent")
    create.add_argument("--email", default="")
    create.add_argument("--new", action="store_true",
                        help="the SQLite file may be created as a new database (first set-up)")
    reset = commands.add_parser("reset-password", help="give a member a new password")
    reset.add_argument("--username", required=True)
    unlock = commands.add_parser("unlock", help="lift a lock-out after failed sign-ins")
    unlock.add_argument("--username", required=True)
    for sub in (create, reset, unlock):
        common.add_database_options(sub)
    return parser


def main(argv: Sequence[str], *, clock: Clock | None = None, out: TextIO | None = None,
         err: TextIO | None = None, read_password: Callable[[str], str] | None = None,
         environ: dict | None = None) -> int:
    """Run one ``admin`` action and return the exit code.

    Args:
        argv: the arguments after ``admin``.
        clock: injected clock (tests).
        out: where the result goes (stdout).
        err: where errors go (stderr).
        read_password: asks for a password without echo (``getpass``; tests pass a fake).
        environ: the environment (``os.environ``).
    """
    out = out or sys.stdout
    environ = os.environ if environ is None else environ
    read_password = read_password or getpass.getpass

    def body(args: argparse.Namespace) -> int:
        with common.opened_database(args.db, must_exist=not getattr(args, "new", False)):
            context = ServiceContext(clock or SystemClock())
            try:
                return _run(args, AccountService(context), TeamService(context), out,
                            lambda: _password(environ, read_password))
            except ServiceError as exc:
                raise common.CommandFailed(str(exc)) from exc

    return common.run_cli(build_parser(), argv, body, err, subcommand="action")


def _run(args, accounts: AccountService, team: TeamService, out: TextIO,
         password: Callable[[], str]) -> int:
    if args.action == "create":
        member = accounts.create_account(None, args.username, args.name, role=args.role,
                                         password=password(), email=args.email)
        common.emit(out, args.json, f"Created {member.role} {member.username} ({member.display_name})",
                    {"id": member.id, "username": member.username, "role": member.role})
        return common.EXIT_OK
    member = team.find_member(args.username)
    if member is None:
        raise common.CommandFailed(f"--username: no team member {args.username!r}")
    if args.action == "reset-password":
        accounts.reset_password(None, member.id, password())
        common.emit(out, args.json, f"Password of {member.username} reset; they choose their own at the next sign-in",
                    {"id": member.id, "username": member.username})
    else:
        accounts.unlock(None, member.id)
        common.emit(out, args.json, f"Unlocked {member.username}", {"id": member.id, "username": member.username})
    return common.EXIT_OK


def _password(environ, read_password: Callable[[str], str]) -> str:
    from_env = environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if read_password is getpass.getpass and not (sys.stdin and sys.stdin.isatty()):
        raise common.UsageError(f"no password: set {PASSWORD_ENV} (there is no terminal to ask on)")
    first = read_password("Password: ")
    if read_password("Password again: ") != first:
        raise common.UsageError("the two passwords differ")
    return first
