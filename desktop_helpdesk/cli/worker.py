"""The headless team worker: ``desktop-helpdesk worker --db PATH_OR_URL [--once]``."""

from __future__ import annotations

import argparse
import logging
import select
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.clock import SystemClock
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.jobs import JobOutcome, JobScheduler, team_jobs
from desktop_helpdesk.services.leases import HolderIdentity, LeaseService

log = logging.getLogger(__name__)

# The longest the loop sleeps between looks at the scheduler (it wakes at once on SIGTERM).
MAX_IDLE_SECONDS = 5.0


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog="desktop-helpdesk worker",
        description="Run the team's background jobs (CRM delivery, client email) without a window. "
                    "Each job runs in one process of the team at a time (a lease in the database); "
                    "open windows take over within 90 s if the worker stops.",
        epilog="SIGTERM (or Ctrl+C) finishes the current item, releases the leases and exits 0.",
    )
    parser.add_argument("--once", action="store_true",
                        help="run every job one round and exit 0 (for tests and cron)")
    parser.add_argument("--label", default="headless worker",
                        help="how the status bar names this worker (default: headless worker)")
    common.add_database_options(parser)
    return parser


def describe_outcome(outcome: JobOutcome) -> str:
    """One line per job round: ``"crm-delivery: 3 sent · 0 waiting"``."""
    if outcome.error:
        return f"{outcome.lease_name}: failed: {outcome.error}"
    if not outcome.held:
        who = outcome.holder.description if outcome.holder else "another process"
        return f"{outcome.lease_name}: run by {who}"
    assert outcome.report is not None
    return f"{outcome.lease_name}: {outcome.report.text}"


def outcome_record(outcome: JobOutcome) -> dict:
    """The ``--json`` form of one job round."""
    report = outcome.report
    return {
        "job": outcome.lease_name,
        "held": outcome.held,
        "holder": outcome.holder.description if outcome.holder else None,
        "text": report.text if report else "",
        "counters": dict(report.counters) if report else {},
        "configured": report.configured if report else None,
        "problem": (report.problem if report else "") or outcome.error,
    }


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        stop = StopRequest()
        # Before anything slow: a SIGTERM while opening the database still ends cleanly.
        previous = _install_stop_handlers(stop)
        try:
            return run(args, stop)
        finally:
            _restore_handlers(previous)
            stop.close()

    def run(args: argparse.Namespace, stop: StopRequest) -> int:
        with common.opened_database(args.db):
            clock = SystemClock()
            context = ServiceContext(clock)
            leases = LeaseService(HolderIdentity.of_this_process(args.label), clock)
            scheduler = JobScheduler(team_jobs(context, holder=leases.identity.token), leases)
            try:
                if args.once:
                    for outcome in scheduler.run_every_job_once(stop.is_set):
                        common.emit(out, args.json, describe_outcome(outcome), outcome_record(outcome))
                    return common.EXIT_OK
                log.info("worker started as %s", leases.identity.token)
                first_pass = True
                while not stop.is_set():
                    for outcome in scheduler.run_due(stop.is_set):
                        if outcome.error or (outcome.report and (outcome.report.counters.get("sent")
                                                                 or outcome.report.problem)):
                            common.emit(out, args.json, describe_outcome(outcome), outcome_record(outcome))
                            out.flush()
                    if first_pass:
                        # One line once running, so supervisors and tests see it came up.
                        held = ", ".join(leases.held_names) or "nothing yet (held elsewhere)"
                        common.emit(out, args.json, f"worker running; holds {held}",
                                    {"running": True, "holds": leases.held_names})
                        out.flush()
                        first_pass = False
                    stop.wait(min(MAX_IDLE_SECONDS, max(0.05, scheduler.seconds_until_due())))
                log.info("worker stopping: releasing leases")
                return common.EXIT_OK
            finally:
                # Handing the leases on lets a window take over at once instead of after 90 s.
                scheduler.release_all()

    return common.run_cli(build_parser(), argv, body, err)


class StopRequest:
    """A stop flag a signal handler may set, and an idle wait that a signal ends at once.

    The handler only assigns a boolean: taking a lock there (``threading.Event.set``) can
    deadlock when the signal lands while the main thread holds that lock inside
    ``Event.wait`` (seen: a worker that never stopped). The wait is a ``select`` on a socket
    that ``signal.set_wakeup_fd`` writes to from C, so it returns as soon as a signal arrives.
    """

    def __init__(self) -> None:
        self.requested = False
        self._wakeup_read, self.wakeup_write = socket.socketpair()
        self._wakeup_read.setblocking(False)
        self.wakeup_write.setblocking(False)

    def is_set(self) -> bool:
        return self.requested

    def request(self) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, less when a signal arrives."""
        if self.requested:
            return
        readable, _, _ = select.select([self._wakeup_read], [], [], seconds)
        if readable:
            try:
                self._wakeup_read.recv(512)
            except BlockingIOError:
                pass

    def close(self) -> None:
        self._wakeup_read.close()
        self.wakeup_write.close()


def _install_stop_handlers(stop: StopRequest) -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def on_signal(_number, _frame) -> None:
        # Only a flag: the current item (an HTTP post, an SMTP send) runs to its end.
        stop.request()

    previous = {"wakeup_fd": signal.set_wakeup_fd(stop.wakeup_write.fileno(), warn_on_full_buffer=False)}
    for number in (signal.SIGTERM, signal.SIGINT):
        previous[number] = signal.signal(number, on_signal)
    return previous


def _restore_handlers(previous: dict) -> None:
    for number, handler in previous.items():
        if number == "wakeup_fd":
            signal.set_wakeup_fd(handler)
        else:
            signal.signal(number, handler)
