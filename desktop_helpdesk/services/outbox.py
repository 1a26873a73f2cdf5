"""Outbox bookkeeping shared by CRM sync and client email: which rows are due, how a try ends."""

from __future__ import annotations

from datetime import datetime

from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CaseRecord

# After this many failed tries an event waits for an operator instead of being retried forever.
MAX_ATTEMPTS = 20
_ERROR_TEXT_LIMIT = 2000


def pending_rows(record, limit: int) -> list:
    """The oldest unsent rows of an outbox table that may still be tried, with the case number.

    Args:
        record: ``CrmOutboxRecord`` or ``MailOutboxRecord`` (both have sent_at/attempts/last_error).
        limit: at most this many rows.

    Returns:
        The rows, oldest first; ``row.case.number`` is loaded with them.
    """
    return list(
        record.select(record, CaseRecord.number)
        .join(CaseRecord, on=(record.case == CaseRecord.id))
        .where(record.sent_at.is_null(), record.attempts < MAX_ATTEMPTS)
        .order_by(record.id)
        .limit(limit)
    )


def record_failure(row, error: str) -> None:
    """Count a failed try on ``row`` and keep the error; the row stays pending."""
    record = type(row)
    with database.atomic():
        record.update(attempts=record.attempts + 1, last_error=error[:_ERROR_TEXT_LIMIT]).where(
            record.id == row.id
        ).execute()


def mark_sent(row, at: datetime) -> None:
    """Mark ``row`` delivered at ``at`` (call only once the receiver has it)."""
    record = type(row)
    record.update(sent_at=at, attempts=record.attempts + 1, last_error="").where(
        record.id == row.id
    ).execute()


def pending_count(record) -> int:
    """How many rows of the outbox are not delivered yet."""
    return record.select().where(record.sent_at.is_null()).count()
