"""Outbox delivery shared by CRM events and client email: claimed rows, per-case order,
back-off with jitter, parking after 48 hours, and the operator's Retry now / Skip."""

from __future__ import annotations

import logging
import os
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from peewee import SQL, fn

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.dialect import claim_rows_skip_locked
from desktop_helpdesk.storage.records import CaseRecord, LeaseRecord

log = logging.getLogger(__name__)

# A failing event is retried for this long after its first failure, then parked for an operator.
RETRY_WINDOW = timedelta(hours=48)
FIRST_RETRY_SECONDS = 30.0
LONGEST_RETRY_SECONDS = 3600.0
# A receiver asking for more than this (a misconfigured Retry-After) is retried after this.
LONGEST_RETRY_AFTER_SECONDS = 6 * 3600.0
_ERROR_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Delivered:
    """The receiver has the event (2xx, SMTP accepted, file in place)."""


@dataclass(frozen=True)
class Failed:
    """A try that did not deliver.

    Attributes:
        error: what went wrong, for the Deliveries screen (the response text for a refusal).
        retry_after: seconds the receiver asked us to wait (``Retry-After``), or None.
        permanent: the receiver refused this event for good: park it now.
        whole_batch: the channel itself is down (server unreachable, endpoint disabled): the
            rest of the round's events get the same failure instead of each timing out.
    """

    error: str
    retry_after: float | None = None
    permanent: bool = False
    whole_batch: bool = False


DELIVERED = Delivered()


class OutboxChannel(Protocol):
    """Where one outbox goes (drop folder, webhook, SMTP server). A context manager around a
    round (e.g. one SMTP connection); ``send`` tries one row."""

    record: type

    def __enter__(self) -> OutboxChannel: ...

    def __exit__(self, *exc_info) -> None: ...

    def send(self, row) -> Delivered | Failed: ...

    def after_sent(self, row, at: datetime) -> None:
        """Extra writes in the transaction that marks ``row`` sent (e.g. an audit row)."""


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery round did, and what is left."""

    sent: int
    failed: int
    pending: int
    last_error: str = ""
    parked: int = 0

    def job_report(self, failed_word: str = "failed") -> JobReport:
        """The round as a ``JobReport``: ``"3 sent · 1 failed · 12 waiting · 2 parked"``.

        Args:
            failed_word: how the job names rows that failed this round (mail: "not sent").

        Returns:
            The status-bar line with the counters behind it and the last error as the problem.
        """
        parts = [f"{self.sent} sent"] if self.sent else []
        if self.failed:
            parts.append(f"{self.failed} {failed_word}")
        parts.append(f"{self.pending} waiting")
        if self.parked:
            parts.append(f"{self.parked} parked")
        return JobReport(
            " · ".join(parts),
            {"sent": self.sent, "failed": self.failed, "pending": self.pending, "parked": self.parked},
            problem=self.last_error,
        )


def unsent(record):
    """Rows still in the queue (neither delivered nor skipped); the partial indexes' predicate."""
    return record.sent_at.is_null() & record.skipped_at.is_null()


def retry_delay(attempts: int, rng: random.Random) -> float:
    """Seconds before the next try after ``attempts`` failed tries: 30 s doubling up to 1 h,
    with "equal jitter" (a random half) so a team's backlog does not retry in lock-step.

    Args:
        attempts: failed tries so far (1 after the first failure).
        rng: the random source (seeded in tests).

    Returns:
        Seconds, between half and all of the exponential step. E.g. attempts=1 -> 15..30 s,
        attempts=4 -> 120..240 s, attempts>=9 -> 1800..3600 s.
    """
    step = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return step / 2 + rng.uniform(0, step / 2)


def claim_due(record, lease_name: str, holder: str, now: datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due rows for ``holder``, oldest first, in one UPDATE.

    A row is due when it is unsent, not parked, its next try has come, and no earlier row of
    the same case is parked or waiting for a retry (a case's events go out in order; other
    cases keep flowing). The UPDATE only claims while ``holder`` holds ``lease_name`` in the
    database, so a process that lost its lease claims nothing; a claim is void once its
    claimant no longer holds the lease (the next holder re-claims what a dead one left).
    On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so concurrent claimers
    never wait on, or take, each other's rows.

    Args:
        record: ``CrmOutboxRecord`` or ``MailOutboxRecord``.
        lease_name: the lease the delivering job holds.
        holder: this process's lease token.
        now: the instant next tries are compared with.
        limit: at most this many rows.

    Returns:
        The claimed ids, ascending.
    """
    earlier = record.alias("earlier")
    blocking_earlier = (
        earlier.select(SQL("1"))
        .where(
            (earlier.case == record.case)
            & (earlier.id < record.id)
            & unsent(earlier)
            & (earlier.parked_at.is_null(False) | (earlier.next_attempt_at > now))
        )
    )
    due = (
        record.select(record.id)
        .where(
            unsent(record)
            & record.parked_at.is_null()
            & (record.next_attempt_at.is_null() | (record.next_attempt_at <= now))
            & ~fn.EXISTS(blocking_earlier)
        )
        .order_by(record.id)
        .limit(limit)
    )
    due = claim_rows_skip_locked(due)
    holds_lease = fn.EXISTS(
        LeaseRecord.select(SQL("1")).where((LeaseRecord.name == lease_name) & (LeaseRecord.holder == holder))
    )
    # One statement, atomic on its own: no explicit transaction (each would add round trips).
    ids = [row[0] for row in database.execute(
        record.update(claimed_by=holder).where(record.id.in_(due) & holds_lease).returning(record.id)
    )]
    return sorted(ids)


def deliver_round(
    channel: OutboxChannel,
    lease_name: str,
    holder: str,
    clock: Clock,
    *,
    limit: int,
    should_stop: Callable[[], bool] = lambda: False,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Claim due rows and try each once through ``channel``, in id order.

    A delivered row is marked sent only after the receiver has it (a crash in between sends
    it again, with the same event id). A failure counts an attempt and schedules the next
    try (``Retry-After`` or back-off), parks the row when the receiver refused it for good or
    it has failed for 48 hours, and holds back the rest of that case's events this round.
    Claims of rows not tried (stop requested, lease lost) are released at the end.

    Args:
        channel: where the rows go.
        lease_name: the job's lease (claims need it).
        holder: this process's lease token.
        clock: the instant of each mark.
        limit: at most this many rows per round.
        should_stop: checked before each row.
        rng: jitter source.

    Returns:
        The round's counts and what is left pending and parked.
    """
    record = channel.record
    rng = rng or random.Random()
    sent = failed = 0
    last_error = ""
    batch_failure: Failed | None = None
    stopped = False
    with channel:
        # Claimed a chunk at a time: a round that stops early (SIGTERM, lease lost) holds
        # few claims, and each claim query stays small however long the backlog is.
        while not stopped and batch_failure is None and sent + failed < limit:
            ids = claim_due(record, lease_name, holder, clock.now(), min(_CLAIM_CHUNK, limit - sent - failed))
            if not ids:
                break
            tried = 0
            held_back: set[int] = set()
            try:
                for row in _claimed_rows(record, ids):
                    if batch_failure is None and should_stop():
                        stopped = True
                        break
                    if row.case_id in held_back:
                        continue
                    tried += 1
                    outcome = batch_failure or _safe_send(channel, row)
                    if isinstance(outcome, Delivered):
                        mark_sent(channel, row, holder, clock.now())
                        sent += 1
                        continue
                    failed += 1
                    last_error = outcome.error
                    held_back.add(row.case_id)
                    record_failure(row, holder, outcome, clock.now(), rng)
                    if outcome.whole_batch:
                        batch_failure = outcome
            finally:
                _release(record, ids, holder)
            if not tried:
                break
    pending, parked = queue_counts(record)
    return DeliveryReport(sent, failed, pending, last_error, parked)


# Rows claimed (and read) per query; a round claims chunk after chunk up to its limit.
_CLAIM_CHUNK = 25


def _claimed_rows(record, ids: list[int]) -> list:
    return list(
        record.select(record, CaseRecord.id, CaseRecord.number)
        .join(CaseRecord, on=(record.case == CaseRecord.id))
        .where(record.id.in_(ids))
        .order_by(record.id)
    )


def _safe_send(channel: OutboxChannel, row) -> Delivered | Failed:
    try:
        return channel.send(row)
    except Exception as exc:  # noqa: BLE001 - an unexpected error is one failed try, not a dead job
        log.exception("outbox %s row %s: unexpected error", channel.record._meta.table_name, row.id)
        return Failed(f"{type(exc).__name__}: {exc}")


def mark_sent(channel: OutboxChannel, row, holder: str, at: datetime) -> None:
    """Mark ``row`` delivered at ``at`` (only once the receiver has it), with the channel's
    own bookkeeping in the same transaction."""
    record = type(row)
    with write_transaction():
        record.update(
            sent_at=at, attempts=record.attempts + 1, last_error="", claimed_by="", next_attempt_at=None
        ).where(record.id == row.id).execute()
        channel.after_sent(row, at)


def record_failure(row, holder: str, failure: Failed, at: datetime, rng: random.Random) -> bool:
    """Count a failed try on ``row``: schedule the next one, or park the row.

    Returns:
        True when the row is now parked.
    """
    record = type(row)
    first_failed = row.first_failed_at or at
    park = failure.permanent or at - first_failed >= RETRY_WINDOW
    if park:
        next_at = None
    elif failure.retry_after is not None:
        next_at = at + timedelta(seconds=min(max(failure.retry_after, 1.0), LONGEST_RETRY_AFTER_SECONDS))
    else:
        next_at = at + timedelta(seconds=retry_delay(row.attempts + 1, rng))
    record.update(
            attempts=record.attempts + 1,
            last_error=failure.error[:_ERROR_TEXT_LIMIT],
            first_failed_at=first_failed,
            next_attempt_at=next_at,
            parked_at=at if park else None,
            claimed_by="",
        ).where((record.id == row.id) & (record.claimed_by == holder)).execute()
    if park:
        log.warning("outbox %s row %s parked: %s", record._meta.table_name, row.id, failure.error)
    return park


def _release(record, ids: list[int], holder: str) -> None:
    record.update(claimed_by="").where(record.id.in_(ids) & (record.claimed_by == holder)).execute()


def queue_counts(record) -> tuple[int, int]:
    """``(waiting, parked)``: unsent rows still being tried, and those parked for an operator."""
    rows = (
        record.select(record.parked_at.is_null(False).alias("parked"), fn.COUNT(record.id))
        .where(unsent(record))
        .group_by(SQL("1"))
        .tuples()
    )
    counts = {bool(parked): count for parked, count in rows}
    return counts.get(False, 0), counts.get(True, 0)


def pending_count(record) -> int:
    """How many rows of the outbox are not delivered (nor skipped) yet, parked included."""
    return record.select().where(unsent(record)).count()


def prune_sent(record, older_than: datetime, *, batch: int = 5000) -> int:
    """Delete delivered or skipped rows finished before ``older_than``, a batch at a time.

    Args:
        record: the outbox table.
        older_than: rows sent or skipped before this instant go.
        batch: rows per DELETE (keeps each write transaction short).

    Returns:
        How many rows were deleted.
    """
    removed = 0
    while True:
        victims = (
            record.select(record.id)
            .where(
                (record.sent_at.is_null(False) & (record.sent_at < older_than))
                | (record.skipped_at.is_null(False) & (record.skipped_at < older_than))
            )
            .order_by(record.id)
            .limit(batch)
        )
        with write_transaction():
            ids = [row[0] for row in victims.tuples()]
            if ids:
                record.delete().where(record.id.in_(ids)).execute()
        removed += len(ids)
        if len(ids) < batch:
            return removed


class RetentionPruner:
    """Prunes an outbox's delivered rows past the team's retention, at most once an hour.

    Args:
        record: the outbox table.
        retention_days: returns the current setting (``outbox_retention_days``).
        clock: the instant rows are aged against.
        every_seconds: the least time between two prunes (monotonic).
        monotonic: seconds from a monotonic clock (injected in tests).
    """

    def __init__(self, record, retention_days: Callable[[], int], clock: Clock, *,
                 every_seconds: float = 3600.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._record = record
        self._retention_days = retention_days
        self._clock = clock
        self._every = every_seconds
        self._monotonic = monotonic
        self._last: float | None = None

    def maybe_prune(self) -> int:
        """Prune if an hour has passed since the last prune of this process.

        Returns:
            How many rows were deleted (0 when not due).
        """
        now = self._monotonic()
        if self._last is not None and now - self._last < self._every:
            return 0
        self._last = now
        cutoff = self._clock.now() - timedelta(days=self._retention_days())
        removed = prune_sent(self._record, cutoff)
        if removed:
            log.info("pruned %s delivered rows of %s older than %s", removed, self._record._meta.table_name, cutoff)
        return removed


class OutboxJob(ABC):
    """What the outbox team jobs (CRM delivery, client email) share: the settings they read, the
    lease holder their rows are claimed under, and pruning delivered rows after each round.

    A subclass names its ``lease_name``, ``interval_seconds``, ``outbox`` table, default
    ``batch`` and ``timeout`` and the ``secret_variable`` it reads its secret from (never the
    shared database), and implements ``needs_secret`` and ``run_round`` (ending it with
    ``finish_round``).

    Args:
        context: the services context (settings; its clock stamps rows).
        holder: this process's lease token (rows are claimed under it).
        environ: where the job's secret is read (default the process environment).
        batch: at most this many rows per round (default the job's).
        timeout: seconds to wait for the peer on each operation (default the job's).
        rng: jitter source for retries (seeded in tests).
    """

    lease_name: str
    interval_seconds: int
    outbox: type
    batch: int
    timeout: float
    secret_variable: str

    def __init__(self, context: ServiceContext, *, holder: str, environ: Mapping[str, str] | None = None,
                 batch: int | None = None, timeout: float | None = None, rng=None) -> None:
        self._context = context
        self.holder = holder
        self._environ = environ
        self.batch = self.batch if batch is None else batch
        self.timeout = self.timeout if timeout is None else timeout
        self._rng = rng
        self._pruner = RetentionPruner(self.outbox, lambda: context.settings().outbox_retention_days,
                                       context.clock)

    def unavailable_here(self) -> str:
        """Why this process cannot deliver (so it leaves the lease to one that can), or ""."""
        if self.needs_secret(self._context.settings()) and not self.secret():
            return f"{self.secret_variable} is not set on this workstation"
        return ""

    def secret(self) -> str:
        """The job's secret (the webhook key, the SMTP password) from ``secret_variable`` in
        its environment; "" when unset."""
        return (os.environ if self._environ is None else self._environ).get(self.secret_variable, "")

    @abstractmethod
    def needs_secret(self, settings) -> bool:
        """Whether the current settings make this job use its secret."""

    def finish_round(self, report: DeliveryReport, *, failed_word: str = "failed") -> JobReport:
        """Prune (at most hourly) and give the round's status line."""
        self._pruner.maybe_prune()
        return report.job_report(failed_word=failed_word)
