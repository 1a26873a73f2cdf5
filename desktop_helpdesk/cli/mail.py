"""``desktop-helpdesk mail import|set-inbox|poll|status``: email intake without the window."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.clock import Clock, SystemClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.errors import ServiceError

PROG = "desktop-helpdesk mail"


def build_parser() -> common.Parser:
    """The ``mail`` command's parser and its subcommands."""
    parser = common.Parser(prog=PROG, description="Email intake: import .eml files, poll the support mailbox.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    importer = commands.add_parser("import", help="import .eml files as if they had arrived by email")
    importer.add_argument("files", nargs="+", type=common.file_argument, metavar="FILE")
    common.add_database_options(importer)

    inbox = commands.add_parser("set-inbox", help="set the IMAP support mailbox (team setting)")
    inbox.add_argument("--host", required=True)
    inbox.add_argument("--port", type=int, required=True)
    inbox.add_argument("--security", choices=("ssl", "starttls", "none"), required=True)
    inbox.add_argument("--user", required=True)
    inbox.add_argument("--folder", default="INBOX")
    inbox.add_argument("--processed-folder", default="Processed")
    inbox.add_argument("--auth", choices=("password", "oauth2"), default="password",
                       help="password (HELPDESK_IMAP_PASSWORD) or oauth2 (Microsoft 365 / Gmail)")
    inbox.add_argument("--oauth-client-id", default="")
    inbox.add_argument("--oauth-authority", default="",
                       help="e.g. https://login.microsoftonline.com/<tenant>")
    inbox.add_argument("--as", dest="actor", default="", metavar="USERNAME",
                       help="the admin or supervisor making the change (default: the first admin)")
    common.add_database_options(inbox)

    poll = commands.add_parser("poll", help="fetch new mail from the support mailbox")
    poll.add_argument("--once", action="store_true", required=True, help="poll once and exit")
    common.add_database_options(poll)

    status = commands.add_parser("status", help="last good fetch, last error, quarantined, waiting")
    common.add_database_options(status)

    sign_in = commands.add_parser("sign-in", help="OAuth2 device-code sign-in for the mailbox")
    common.add_db_argument(sign_in)
    return parser


def main(argv: list[str], *, clock: Clock | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run ``desktop-helpdesk mail ...``; returns the exit code (``clock``: tests' ManualClock)."""
    out = out or sys.stdout
    handlers = {"import": _import, "set-inbox": _set_inbox, "poll": _poll, "status": _status,
                "sign-in": _sign_in}
    clock = clock or SystemClock()
    return common.run_cli(build_parser(), argv,
                          lambda args: handlers[args.command](args, out, lambda: Services.create(clock)),
                          err, subcommand="command")


def _import(args, out: TextIO, make_services: Callable[[], Services]) -> int:
    missing = [path for path in args.files if not path.is_file()]
    if missing:
        raise common.UsageError(f"{missing[0]}: no such file")
    with common.opened_database(args.db):
        intake = make_services().mail_intake
        for path in args.files:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise common.CommandFailed(f"{path}: cannot be read ({exc.strerror or exc})") from exc
            result = intake.process(raw, _eml_source(path))
            record = {"file": str(path), "outcome": result.outcome.value,
                      "case": result.case_number, "reason": result.reason}
            case = f" {result.case_number}" if result.case_number else ""
            common.emit(out, args.json, f"{path}: {result.outcome.value}{case} ({result.reason})", record)
    return common.EXIT_OK


def _eml_source(path: Path):
    from desktop_helpdesk.services.mail_intake import MailSource

    return MailSource("eml", path.name)


def _set_inbox(args, out: TextIO, make_services: Callable[[], Services]) -> int:
    from desktop_helpdesk.storage.records import TeamMemberRecord

    with common.opened_database(args.db):
        services = make_services()
        query = TeamMemberRecord.select().where(TeamMemberRecord.active == True)  # noqa: E712
        if args.actor:
            actor = query.where(TeamMemberRecord.username == args.actor).first()
            if actor is None:
                raise common.UsageError(f"--as: no active team member {args.actor!r}")
        else:
            actor = query.where(TeamMemberRecord.role == "admin").order_by(TeamMemberRecord.id).first()
            if actor is None:
                raise common.CommandFailed("no active admin in this database; pass --as USERNAME")
        try:
            settings = services.settings.update(
                actor.id, reason="desktop-helpdesk mail set-inbox",
                imap_host=args.host, imap_port=args.port, imap_security=args.security,
                imap_username=args.user, imap_folder=args.folder,
                imap_processed_folder=args.processed_folder, imap_auth=args.auth,
                imap_oauth_client_id=args.oauth_client_id, imap_oauth_authority=args.oauth_authority,
            )
        except ServiceError as exc:
            raise common.CommandFailed(str(exc)) from exc
        text = (f"inbox set: {settings.imap.username} on {settings.imap.host}:{settings.imap.port} "
                f"({settings.imap.security}), folder {settings.imap_folder} -> "
                f"{settings.imap_processed_folder}")
        common.emit(out, args.json, text, {"host": settings.imap.host, "port": settings.imap.port,
                                           "security": settings.imap.security, "user": settings.imap.username,
                                           "folder": settings.imap_folder,
                                           "processed_folder": settings.imap_processed_folder,
                                           "auth": settings.imap_auth})
    return common.EXIT_OK


def _poll(args, out: TextIO, make_services: Callable[[], Services]) -> int:
    from desktop_helpdesk.services.mail_imap import poll_mailbox

    def show(item) -> None:
        # One line per message as soon as it is stored and moved, so progress is visible.
        case = f" {item.case_number}" if item.case_number else ""
        common.emit(out, args.json, f"UID {item.uid}: {item.outcome}{case} ({item.reason})",
                    {"uid": item.uid, "outcome": item.outcome, "case": item.case_number, "reason": item.reason})
        out.flush()

    with common.opened_database(args.db):
        services = make_services()
        report = poll_mailbox(services.mail_intake, services.context, environ=os.environ, on_result=show)
        common.emit(out, args.json, report.status_line, {"status": report.status_line, "ok": report.ok,
                                                         "fetched": len(report.results),
                                                         "waiting": report.waiting})
    return common.EXIT_OK if report.ok else common.EXIT_FAILED


def _status(args, out: TextIO, make_services: Callable[[], Services]) -> int:
    from desktop_helpdesk.services.mail_imap import intake_status

    with common.opened_database(args.db):
        services = make_services()
        status = intake_status(services.context)
        common.emit(out, args.json, status.describe(), status.as_dict())
    return common.EXIT_OK


def _sign_in(args, out: TextIO, make_services: Callable[[], Services]) -> int:
    from desktop_helpdesk.services.mail_oauth import OAuthError, device_code_sign_in

    with common.opened_database(args.db):
        settings = make_services().context.settings()
        try:
            device_code_sign_in(settings, lambda message: print(message, file=out, flush=True))
        except OAuthError as exc:
            raise common.CommandFailed(str(exc)) from exc
        print(f"signed in: the token for {settings.imap.username} is kept in this computer's keyring",
              file=out)
    return common.EXIT_OK
