"""The team's background jobs (Qt-free) and the scheduler that runs them under their leases.

One list, ``team_jobs``, is run both by every open window (on its worker pool) and by the
headless ``desktop-helpdesk worker``; the leases make sure only one process in the team runs
each job. To add a job: write a class with ``lease_name``, ``interval_seconds`` and
``run_round(should_stop) -> JobReport`` and append it in ``team_jobs``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.leases import (
    CRM_DELIVERY,
    MAIL_SEND,
    RENEW_EVERY_SECONDS,
    LeaseHolder,
    LeaseService,
    current_holder,
)

log = logging.getLogger(__name__)

ShouldStop = Callable[[], bool]


@dataclass(frozen=True)
class JobReport:
    """What one round of a job did, for the status bar, the log and ``worker --once``.

    Attributes:
        text: one short line, e.g. ``"3 sent · 0 failed · 12 waiting"``.
        counters: numbers behind the text (``sent``, ``failed``, ``pending``, ``parked``...).
        configured: False when the job has nothing to do because it is not set up (no CRM
            target, no SMTP server); the window then hides its corner.
        problem: the last error of the round ("" when all went well).
    """

    text: str
    counters: Mapping[str, int] = field(default_factory=dict)
    configured: bool = True
    problem: str = ""


class BackgroundJob(Protocol):
    """A team job: one bounded round at a time, run only by the holder of ``lease_name``.

    ``run_round`` must return within a few seconds to a minute (a batch of items, each with a
    network timeout) and call ``should_stop()`` between items: it turns True when the process
    is stopping (SIGTERM, window closing) or the lease was lost, and then the round returns
    after the current item. It also renews the lease, so long rounds keep it.

    Optionally a job may define ``unavailable_here() -> str``: a reason this process cannot
    run it (a secret missing from its environment). The scheduler then leaves (or hands on)
    the lease so a process that can run it takes it, and reports the reason.
    """

    lease_name: str
    interval_seconds: float

    def run_round(self, should_stop: ShouldStop) -> JobReport: ...


def team_jobs(context: ServiceContext, *, holder: str,
              environ: Mapping[str, str] | None = None) -> list[BackgroundJob]:
    """The jobs the team runs, in the order a round visits them.

    Args:
        context: the services context (settings, clock).
        holder: this process's lease token (``LeaseService.identity.token``); outbox rows
            are claimed under it.
        environ: where secrets are read (``HELPDESK_SMTP_PASSWORD``,
            ``HELPDESK_CRM_WEBHOOK_SECRET``, ``HELPDESK_IMAP_PASSWORD``); default the process
            environment.

    Returns:
        New job objects (each process builds its own).
    """
    # Imported here: the delivery modules import the outbox machinery, which imports this
    # module's report type.
    from desktop_helpdesk.services.backups import BackupJob
    from desktop_helpdesk.services.crm import CrmDeliveryJob
    from desktop_helpdesk.services.mail import MailSendJob
    from desktop_helpdesk.services.mail_imap import MailIntakeJob

    return [CrmDeliveryJob(context, holder=holder, environ=environ),
            MailSendJob(context, holder=holder, environ=environ),
            BackupJob(context),
            MailIntakeJob(context, environ=environ)]


@dataclass(frozen=True)
class JobOutcome:
    """One job's turn in a scheduler pass.

    Attributes:
        lease_name: the job.
        held: this process held the lease and ran the round.
        report: the round's report (None when not held or the round raised).
        error: the exception text when the round raised.
        holder: who holds the lease when it is not this process (None: nobody).
    """

    lease_name: str
    held: bool
    report: JobReport | None = None
    error: str = ""
    holder: LeaseHolder | None = None


class JobScheduler:
    """Runs due jobs under their leases; used by the window's runner and the headless worker.

    Not thread-safe: one caller at a time (the window runs one pass at a time in its pool).

    Args:
        jobs: the jobs (``team_jobs``).
        leases: this process's lease service.
        monotonic: seconds from a monotonic clock (injected in tests).
    """

    def __init__(self, jobs: Sequence[BackgroundJob], leases: LeaseService, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.jobs = list(jobs)
        self.leases = leases
        self._monotonic = monotonic
        self._last_run: dict[str, float] = {}
        self._requested: set[str] = set()

    def request(self, lease_name: str | None = None) -> None:
        """Run ``lease_name`` (or every job) at the next pass, interval or not."""
        self._requested.update([lease_name] if lease_name else [job.lease_name for job in self.jobs])

    def seconds_until_due(self) -> float:
        """Seconds until the next job or lease renewal is due (0 when one is due now)."""
        now = self._monotonic()
        waits = [RENEW_EVERY_SECONDS]
        for job in self.jobs:
            if job.lease_name in self._requested or job.lease_name not in self._last_run:
                return 0.0
            waits.append(self._last_run[job.lease_name] + job.interval_seconds - now)
        return max(0.0, min(waits))

    def run_due(self, should_stop: ShouldStop = lambda: False) -> list[JobOutcome]:
        """Renew held leases and run one round of every job whose interval has passed.

        Args:
            should_stop: True once the process is stopping; checked before each job and
                passed on to the rounds.

        Returns:
            An outcome per job that was due (in ``jobs`` order).
        """
        for name in self.leases.held_names:
            self.leases.keep(name)
        outcomes = []
        now = self._monotonic()
        for job in self.jobs:
            if should_stop():
                break
            name = job.lease_name
            last = self._last_run.get(name)
            if name not in self._requested and last is not None and now - last < job.interval_seconds:
                continue
            self._requested.discard(name)
            self._last_run[name] = now
            outcomes.append(self._run_job(job, should_stop))
        return outcomes

    def run_every_job_once(self, should_stop: ShouldStop = lambda: False) -> list[JobOutcome]:
        """One round of every job whose lease this process can take (``worker --once``)."""
        self.request()
        return self.run_due(should_stop)

    def release_all(self) -> None:
        """Hand every lease on (window closing, SIGTERM)."""
        self.leases.release_all()

    def _run_job(self, job: BackgroundJob, should_stop: ShouldStop) -> JobOutcome:
        name = job.lease_name
        try:
            unavailable = getattr(job, "unavailable_here", lambda: "")()
            if unavailable:
                self.leases.release(name)
                return JobOutcome(name, held=False, error=unavailable, holder=current_holder(name))
            if not self.leases.acquire(name):
                return JobOutcome(name, held=False, holder=current_holder(name))
        except Exception as exc:  # noqa: BLE001 - a database hiccup must not end the worker
            log.warning("lease %s: %s: %s", name, type(exc).__name__, exc)
            return JobOutcome(name, held=False, error=f"{type(exc).__name__}: {exc}")

        def stop_or_lost() -> bool:
            return should_stop() or not self.leases.keep(name)

        try:
            report = job.run_round(stop_or_lost)
        except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others
            log.exception("job %s failed", name)
            return JobOutcome(name, held=True, error=f"{type(exc).__name__}: {exc}")
        if report.counters.get("sent") or report.counters.get("failed"):
            log.info("job %s: %s", name, report.text)
        return JobOutcome(name, held=True, report=report)


__all__ = [
    "CRM_DELIVERY",
    "MAIL_SEND",
    "BackgroundJob",
    "JobOutcome",
    "JobReport",
    "JobScheduler",
    "ShouldStop",
    "team_jobs",
]
