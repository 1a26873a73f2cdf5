"""``desktop-helpdesk call``: the phone system hands a ringing call to the desk window.

The window already running for this OS user and database gets it over its local socket (see
``ui.call_handoff``); with no window running, one is started with the call. Exit 0 once the
call is handed over; one line on stderr and exit 1 otherwise (2 for bad arguments).
"""

from __future__ import annotations

import subprocess
import sys
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.config import load_config
from desktop_helpdesk.domain.clock import Clock, SystemClock
from desktop_helpdesk.domain.phone_calls import (
    CallFormatError,
    IncomingCall,
    call_from_url,
    new_call,
)

PROG = "desktop-helpdesk call"
# A fresh window opens the database (maybe migrating it) and may wait for sign-in: the call is
# already on its command line, so this only bounds how long the phone system's command runs.
START_TIMEOUT_S = 20.0


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog=PROG,
        description="Hand a ringing call to the desk window (started if none is running): it comes "
        "to the front with the intake open, the caller matched by phone number.",
        epilog="Examples: desktop-helpdesk call --from \"+1 (902) 955-6611\" --name \"Mona Lisa\"; "
        "desktop-helpdesk call tel:+19029556611; "
        "desktop-helpdesk call \"desktop-helpdesk://call?from=%2B19029556611&line=Support\"",
    )
    parser.add_argument("url", nargs="?", metavar="URL",
                        help="tel:, callto:, sip: or desktop-helpdesk://call?from=… link (instead of --from)")
    parser.add_argument("--from", dest="number", metavar="NUMBER",
                        help="the caller's number, any format (an extension is ignored for matching)")
    parser.add_argument("--name", default="", help="caller-ID name")
    parser.add_argument("--line", default="", help="the line or queue it rang on")
    parser.add_argument("--call-id", default="", help="the phone system's id of the call")
    parser.add_argument("--user", metavar="NAME",
                        help="sign in as this member if a window has to be started")
    parser.add_argument("--no-start", action="store_true",
                        help="fail instead of starting a window when none is running")
    common.add_database_options(
        parser, db_help="the database of the window to hand the call to (default: the app's own)")
    return parser


def main(
    argv: list[str],
    *,
    clock: Clock | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    start_window=None,
) -> int:
    """Run ``desktop-helpdesk call``; returns the exit code.

    ``start_window(args) -> Popen`` replaces starting a new window process (tests inject one).
    """
    out = out or sys.stdout
    clock = clock or SystemClock()
    return common.run_cli(build_parser(), argv,
                          lambda args: _hand_over(args, clock, out, start_window or _start_window), err)


def _read_call(args, clock: Clock) -> IncomingCall:
    # The ring is stamped here, the moment the phone system ran the command: the window's call
    # timer counts from it, not from when the window got round to showing the intake.
    rang_at = clock.now()
    try:
        if args.url and args.number:
            raise common.UsageError("give the number either as --from or as a URL, not both")
        if args.url:
            call = call_from_url(args.url, rang_at=rang_at)
            extra = {"name": args.name, "line": args.line, "call_id": args.call_id}
            if any(extra.values()):
                message = call.to_message() | {k: v or call.to_message()[k] for k, v in extra.items()}
                call = IncomingCall.from_message(message)
            return call
        if not args.number:
            raise common.UsageError("--from: the caller's number is required (or give a tel: URL)")
        return new_call(args.number, rang_at=rang_at, name=args.name, line=args.line, call_id=args.call_id)
    except CallFormatError as error:
        field, _, text = str(error).partition(": ")
        name = {"from": "--from", "name": "--name", "line": "--line", "call-id": "--call-id"}.get(field, field)
        raise common.UsageError(f"{name}: {text}") from None


def _hand_over(args, clock: Clock, out: TextIO, start_window) -> int:
    call = _read_call(args, clock)
    # Imported here: only this command needs QtNetwork (no QApplication is created).
    from desktop_helpdesk.ui.call_handoff import HandoffError, send_message, server_name

    config = load_config(args.db)
    name = server_name(config.database.display)
    _let_the_window_come_forward()
    try:
        reply = send_message(name, {"op": "call", "call": call.to_message()})
    except HandoffError as error:
        raise common.CommandFailed(str(error)) from None
    if reply is not None:
        common.emit(out, args.json, f"Handed the call from {call.display} to the desk window",
                    {"handed_over": True, "started_window": False, "call": call.to_message()})
        return common.EXIT_OK
    if args.no_start:
        raise common.CommandFailed("no desk window is running for this user and database (--no-start)")
    process = start_window(args, call)
    try:
        process.wait(timeout=0.05)
    except subprocess.TimeoutExpired:
        pass
    waited = 0.0
    while process.poll() is None and waited < START_TIMEOUT_S:
        try:
            if send_message(name, {"op": "ping"}, timeout_ms=500) is not None:
                break
        except HandoffError:
            pass
        try:
            process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            waited += 0.2
    code = process.poll()
    if code is not None:
        raise common.CommandFailed(
            f"the desk window could not start (exit {code}); see {config.log_file}"
        )
    common.emit(out, args.json, f"Started the desk window with the call from {call.display}",
                {"handed_over": True, "started_window": True, "pid": process.pid, "call": call.to_message()})
    return common.EXIT_OK


def _let_the_window_come_forward() -> None:
    """On Windows only the process the user is interacting with (here: the softphone that ran
    this command) may bring a window to the front; it passes that right on, so the desk window's
    raise() is not turned into a flashing taskbar button."""
    if sys.platform != "win32":
        return
    import ctypes

    any_process = -1  # ASFW_ANY
    try:
        ctypes.windll.user32.AllowSetForegroundWindow(any_process)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass


def _start_window(args, call: IncomingCall) -> subprocess.Popen:
    """A new window process with the call on its command line (so the call is never lost, even
    if the window waits for sign-in), detached so it outlives the phone system's command."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle is its own interpreter
        command = [sys.executable]
    else:
        command = [sys.executable, "-m", "desktop_helpdesk"]
    command += ["--call", call.to_url()]
    if args.db:
        command += ["--db", args.db]
    if args.user:
        command += ["--user", args.user]
    options: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if sys.platform == "win32":
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
    try:
        return subprocess.Popen(command, **options)
    except OSError as error:
        raise common.CommandFailed(f"cannot start the desk window: {error}") from None
