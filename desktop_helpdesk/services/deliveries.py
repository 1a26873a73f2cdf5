"""The Deliveries screen's service: undelivered CRM events and client emails, Retry now and Skip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from desktop_helpdesk.domain.policy import LabelledEnum
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import NotFoundError, ValidationError
from desktop_helpdesk.services.outbox import unsent
from desktop_helpdesk.services.permissions import Actions, change_by
from desktop_helpdesk.storage.records import CaseRecord, CrmOutboxRecord, MailOutboxRecord

SKIP_REASON_LIMIT = 500


class Channel(LabelledEnum):
    """Which outbox a delivery is in."""

    CRM = "crm", "CRM event"
    EMAIL = "email", "Client email"

    @property
    def record(self):
        return CrmOutboxRecord if self is Channel.CRM else MailOutboxRecord


class DeliveryState(StrEnum):
    """Where an undelivered row stands."""

    PENDING = "pending"  # not tried yet
    FAILED = "failed"  # tried, retried automatically at next_attempt_at
    PARKED = "parked"  # waits for an operator (refused for good, or failing for 48 hours)


@dataclass(frozen=True)
class DeliveryItem:
    """One undelivered CRM event or client email, as the Deliveries screen lists it."""

    channel: Channel
    outbox_id: int
    event_id: str
    case_id: int
    case_number: str
    what: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime


@dataclass(frozen=True)
class DeliveryAlerts:
    """Deliveries waiting for a person: parked rows, and the 410 reason when the CRM disabled
    the webhook ("" when it did not)."""

    parked: int
    webhook_disabled: str = ""

    @property
    def any(self) -> bool:
        return bool(self.parked or self.webhook_disabled)


class DeliveryService:
    """Lists what waits in the outboxes and lets a supervisor retry or skip it (audited).

    Args:
        context: the services context (clock).
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def undelivered(self, *, limit: int = 1000) -> list[DeliveryItem]:
        """Undelivered rows of both outboxes: parked first, then failed, then pending, oldest first.

        Args:
            limit: at most this many rows per outbox (served by the unsent partial indexes).

        Returns:
            The items.
        """
        items = []
        for channel in Channel:
            record = channel.record
            what = record.event if channel is Channel.CRM else record.kind
            query = (
                record.select(record.id, record.event_id, record.case, CaseRecord.number, what,
                              record.attempts, record.next_attempt_at, record.parked_at, record.last_error,
                              record.created_at,
                              *([record.to_address] if channel is Channel.EMAIL else []))
                .join(CaseRecord, on=(record.case == CaseRecord.id))
                .where(unsent(record))
                .order_by(record.id)
                .limit(limit)
                .tuples()
            )
            for row in query:
                (outbox_id, event_id, case_id, number, kind, attempts, next_at, parked_at, error, created,
                 *address) = row
                state = (DeliveryState.PARKED if parked_at is not None
                         else DeliveryState.FAILED if attempts else DeliveryState.PENDING)
                description = f"{kind} to {address[0]}" if address else kind
                items.append(DeliveryItem(channel, outbox_id, event_id, case_id, number, description, state,
                                          attempts, next_at, error, created))
        order = {DeliveryState.PARKED: 0, DeliveryState.FAILED: 1, DeliveryState.PENDING: 2}
        return sorted(items, key=lambda item: (order[item.state], item.created_at, item.outbox_id))

    def alerts(self) -> DeliveryAlerts:
        """What the status bar warns about: parked deliveries and a webhook the CRM disabled."""
        from desktop_helpdesk.services.crm import webhook_disabled

        disabled = webhook_disabled(self._context)
        return DeliveryAlerts(self.parked_count(), disabled.reason if disabled else "")

    def parked_count(self) -> int:
        """How many deliveries are parked, waiting for an operator (status-bar warning)."""
        return sum(
            channel.record.select().where(unsent(channel.record) & channel.record.parked_at.is_null(False)).count()
            for channel in Channel
        )

    def retry_now(self, actor_id: int, channel: Channel | str, outbox_id: int) -> None:
        """Make a failed or parked delivery due at once, with a fresh 48-hour retry window.

        Args:
            actor_id: the supervisor or admin acting.
            channel: ``crm`` or ``email``.
            outbox_id: the row.

        Raises:
            PermissionDenied: the actor is an agent.
            NotFoundError: no such undelivered row.
        """
        channel = Channel(channel)
        record = channel.record
        with change_by(actor_id, Actions.RETRY_DELIVERIES) as actor:
            row = self._undelivered_row(channel, outbox_id)
            record.update(next_attempt_at=None, parked_at=None, first_failed_at=None).where(
                record.id == row.id
            ).execute()
            self._audit(actor.id, channel, row, "delivery_retried", "")

    def skip(self, actor_id: int, channel: Channel | str, outbox_id: int, reason: str) -> None:
        """Take a delivery out of the queue for good (it is never sent), with the reason.

        Args:
            actor_id: the supervisor or admin acting.
            channel: ``crm`` or ``email``.
            outbox_id: the row.
            reason: why (required; audited and kept on the row).

        Raises:
            ValidationError: naming ``reason`` when it is empty.
            PermissionDenied: the actor is an agent.
            NotFoundError: no such undelivered row.
        """
        channel = Channel(channel)
        record = channel.record
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("reason", "say why this delivery is skipped")
        with change_by(actor_id, Actions.SKIP_DELIVERIES) as actor:
            row = self._undelivered_row(channel, outbox_id)
            record.update(skipped_at=self._context.now(), skip_reason=reason[:SKIP_REASON_LIMIT],
                          next_attempt_at=None, claimed_by="").where(record.id == row.id).execute()
            self._audit(actor.id, channel, row, "delivery_skipped", reason)

    def _undelivered_row(self, channel: Channel, outbox_id: int):
        record = channel.record
        row = record.get_or_none((record.id == outbox_id) & unsent(record))
        if row is None:
            raise NotFoundError(f"{channel.label} #{outbox_id} is not waiting for delivery")
        return row

    def _audit(self, actor_id: int, channel: Channel, row, action: str, reason: str) -> None:
        entity = "crm_outbox" if channel is Channel.CRM else "mail_outbox"
        change_log = ChangeLog(actor_id, self._context.now(), entity=entity, entity_id=row.id, case_id=row.case_id)
        change_log.add(action, field="delivery", after=f"{channel.label} #{row.id} ({row.event_id})", reason=reason)
        change_log.flush()
