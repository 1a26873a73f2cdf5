"""Headless CRM set-up and state: ``desktop-helpdesk crm set-webhook|set-folder|status``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.clock import SystemClock
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.crm import WEBHOOK_SECRET_VARIABLE, configure_crm, webhook_disabled
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.services.leases import CRM_DELIVERY, current_holder
from desktop_helpdesk.services.outbox import queue_counts
from desktop_helpdesk.storage.records import CrmOutboxRecord


def build_parser() -> common.Parser:
    parser = common.Parser(prog="desktop-helpdesk crm",
                           description="Set where CRM events go, and see how delivery stands.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=common.Parser)
    webhook = commands.add_parser(
        "set-webhook", help="deliver events as signed HTTPS POSTs (Standard Webhooks)",
        description=f"Deliver CRM events to URL. The signing secret is read by the delivering process "
                    f"from {WEBHOOK_SECRET_VARIABLE}; it is never stored in the database. Setting the "
                    "webhook again clears a 'disabled by the CRM' (410) alert and retries waiting events now.")
    webhook.add_argument("--url", required=True, help='https://... ("" turns the webhook off)')
    folder = commands.add_parser("set-folder", help="deliver events as JSON files into a drop folder",
                                 description="Deliver CRM events as JSON files into DIR (used when no webhook is set).")
    folder.add_argument("folder", metavar="DIR", help='the drop folder ("" turns it off)')
    commands.add_parser("status", help="the target, waiting and parked events, and who delivers")
    for command in commands.choices.values():
        common.add_database_options(command)
        command.add_argument("--reason", default="", help="why (kept in the audit log)")
    return parser


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        with common.opened_database(args.db):
            context = ServiceContext(SystemClock())
            reason = args.reason or f"desktop-helpdesk crm {args.command}"
            try:
                if args.command == "set-webhook":
                    configure_crm(context, webhook_url=args.url, reason=reason)
                elif args.command == "set-folder":
                    configure_crm(context, folder=args.folder, reason=reason)
            except ValidationError as exc:
                raise common.CommandFailed(str(exc)) from None
            return _status(context, out, args.json, changed=args.command != "status")

    return common.run_cli(build_parser(), argv, body, err)


def _status(context: ServiceContext, out: TextIO, as_json: bool, *, changed: bool) -> int:
    settings = context.settings()
    waiting, parked = queue_counts(CrmOutboxRecord)
    holder = current_holder(CRM_DELIVERY)
    disabled = webhook_disabled(context)
    if settings.crm_webhook_url:
        target = f"webhook {settings.crm_webhook_url}"
    elif settings.crm_drop_folder:
        target = f"drop folder {settings.crm_drop_folder}"
    else:
        target = "not set (events wait in the outbox)"
    record = {
        "webhook_url": settings.crm_webhook_url,
        "drop_folder": settings.crm_drop_folder,
        "waiting": waiting,
        "parked": parked,
        "delivered_by": holder.description if holder else None,
        "webhook_disabled": disabled.reason if disabled else None,
    }
    lines = [
        f"CRM target: {target}" + (" (saved)" if changed else ""),
        f"Events waiting: {waiting}; parked for an operator: {parked}",
        f"Delivered by: {holder.description if holder else 'no workstation or worker is running'}",
    ]
    if disabled is not None:
        lines.append(f"ALERT: the CRM disabled the webhook at {disabled.at}: {disabled.reason}")
    if as_json:
        common.emit(out, True, "", record)
    else:
        for line in lines:
            common.emit(out, False, line)
    return common.EXIT_OK
