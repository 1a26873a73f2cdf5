"""CRM sync: pushes queued outbox events to the CRM's drop folder as one JSON file each."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.leases import CRM_DELIVERY
from desktop_helpdesk.services.outbox import (
    mark_sent,
    pending_count,
    pending_rows,
    record_failure,
)
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CrmOutboxRecord

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did."""

    sent: int
    failed: int
    pending: int
    last_error: str = ""


def outbox_file_name(row: CrmOutboxRecord, case_number: str) -> str:
    """``<outbox id, zero-padded>-<case number>-<event>.json``: sorts in creation order."""
    return f"{row.id:010d}-{case_number}-{row.event}.json"


def deliver_outbox(folder: str | Path, clock: Clock, *, limit: int = 100,
                   should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Write pending outbox events (oldest first) into ``folder``, one JSON file per event,
    atomically (temporary file then rename, so the CRM never reads half a file), and mark
    each sent. A failure counts an attempt and keeps the event for the next run; events that
    failed ``MAX_ATTEMPTS`` times wait for an operator.

    Args:
        folder: the CRM drop folder (created if missing).
        clock: gives the sent instant.
        limit: at most this many events per run.
        should_stop: checked before each event; True ends the run after the current one.

    Returns:
        Counts of sent, failed and still pending events.
    """
    target = Path(folder)
    rows = pending_rows(CrmOutboxRecord, limit)
    sent = failed = 0
    last_error = ""
    for row in rows:
        if should_stop():
            break
        try:
            target.mkdir(parents=True, exist_ok=True)
            body = json.loads(row.payload)
            body["outbox_id"] = row.id
            _write_atomically(target / outbox_file_name(row, row.case.number), body)
        except (OSError, ValueError) as exc:
            # Keep going: one bad event (or a full disk for a moment) must not hold back the rest.
            failed += 1
            last_error = f"{type(exc).__name__}: {exc}"
            log.warning("CRM delivery of outbox event %s failed: %s", row.id, last_error)
            record_failure(row, last_error)
            continue
        # Marked sent only after the file is in place: a crash in between re-sends the event
        # (same file name, replaced) rather than losing it.
        with database.atomic():
            mark_sent(row, clock.now())
        sent += 1
    pending = pending_count(CrmOutboxRecord)
    return DeliveryReport(sent, failed, pending, last_error)


def deliver_configured(context: ServiceContext, *, limit: int = 100) -> DeliveryReport | None:
    """Deliver pending events to the team's configured CRM drop folder (for a periodic timer).

    Args:
        context: the services context (its settings name the folder, its clock the instant).
        limit: at most this many events per run.

    Returns:
        The run's report, or None when no drop folder is configured.
    """
    folder = context.settings().crm_drop_folder
    if not folder:
        return None
    return deliver_outbox(folder, context.clock, limit=limit)


# Events per round: a normal minute holds a handful; after a long outage the backlog drains in
# rounds this size so one round never holds a pool thread (the case list shares it) for long.
CRM_BATCH = 500
CRM_INTERVAL_SECONDS = 60.0
CRM_NOT_CONFIGURED = "CRM sync is off: no CRM drop folder is set (Administration → Settings)."


def describe_delivery(sent: int, failed: int, pending: int) -> str:
    """``"3 sent · 1 failed · 12 waiting"`` (zero counts of sent and failed left out)."""
    parts = [f"{sent} sent"] if sent else []
    if failed:
        parts.append(f"{failed} failed")
    parts.append(f"{pending} waiting")
    return " · ".join(parts)


class CrmDeliveryJob:
    """The team job delivering CRM outbox events (lease ``crm-delivery``, every 60 s).

    Args:
        context: the services context (settings name the target; its clock stamps events).
        environ: where secrets are read (default the process environment).
        batch: at most this many events per round.
    """

    lease_name = CRM_DELIVERY
    interval_seconds = CRM_INTERVAL_SECONDS

    def __init__(self, context: ServiceContext, *, environ: Mapping[str, str] | None = None,
                 batch: int = CRM_BATCH) -> None:
        self._context = context
        self._environ = environ
        self._batch = batch

    def run_round(self, should_stop: Callable[[], bool]) -> JobReport:
        """Deliver up to one batch of due events; see ``deliver_outbox``."""
        folder = self._context.settings().crm_drop_folder
        if not folder:
            return JobReport(CRM_NOT_CONFIGURED, configured=False)
        report = deliver_outbox(folder, self._context.clock, limit=self._batch, should_stop=should_stop)
        return JobReport(
            describe_delivery(report.sent, report.failed, report.pending),
            {"sent": report.sent, "failed": report.failed, "pending": report.pending},
            problem=report.last_error,
        )


def _write_atomically(path: Path, body: dict) -> None:
    # The temporary file lives in the drop folder itself so the rename is atomic (same file
    # system) and its leading dot keeps the CRM's importer from picking it up half-written.
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(body, stream, indent=2, sort_keys=True)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
