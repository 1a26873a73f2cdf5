"""Administration page "Deliveries": CRM events and client emails not delivered yet, with
Retry now and Skip (with a reason), both audited."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desktop_helpdesk.services.deliveries import DeliveryAlerts, DeliveryItem, DeliveryState
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import Column, RowTableModel
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row

PARKED_FOREGROUND = QColor("#b91c1c")


def delivery_model(zone, parent: QObject | None = None) -> RowTableModel[DeliveryItem]:
    """Undelivered events: state, channel, case, what, attempts, next try, last error."""

    def local(instant) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else ""

    # Sorted by urgency, not alphabet: parked, then failing, then waiting.
    urgency = {DeliveryState.PARKED: 0, DeliveryState.FAILED: 1, DeliveryState.PENDING: 2}
    names = {0: "parked", 1: "failing", 2: "waiting"}
    return RowTableModel(
        [
            Column("State", lambda d: urgency[d.state], names.get,
                   foreground=lambda rank: PARKED_FOREGROUND if rank == 0 else None),
            Column("Channel", lambda d: d.channel.label),
            Column("Case", lambda d: d.case_number),
            Column("What", lambda d: d.what),
            Column("Tries", lambda d: d.attempts),
            Column("Next try", lambda d: d.next_attempt_at or "", local),
            Column("Queued", lambda d: d.created_at, local),
            Column("Last error", lambda d: d.last_error),
        ],
        key=lambda d: (d.channel.value, d.outbox_id),
        parent=parent,
    )


def _describe(item: DeliveryItem) -> str:
    """"CRM event #12 (case 2026-00042)"."""
    return f"{item.channel.label} #{item.outbox_id} (case {item.case_number})"


class DeliveriesPage(pages.TablePage):
    """Pending, failed and parked deliveries in a table; Retry now and Skip for the selected one.

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="deliveriesPage",
                         model_factory=lambda owner: delivery_model(ui.desk_zone, owner),
                         table_name="deliveriesTable", stretch_column=7)
        self.summary = forms.hint("", self)
        self.summary.setObjectName("deliveriesSummary")
        self.retry_button = forms.push_button("Retry now", self, "retryDeliveryButton", accent=True)
        self.retry_button.clicked.connect(self.retry_selected)

        skip_box = forms.group("Skip the selected delivery", self, "skipDeliveryForm")
        self.reason_field = forms.line_edit(skip_box, "skipReasonField", "e.g. The CRM already has this case")
        self.skip_button = forms.push_button("Skip (never send)", skip_box, "skipDeliveryButton")
        forms.submit_form(skip_box, [("&Reason", self.reason_field)], self.skip_button, self.skip_selected)
        self._show_selected(None)

        forms.side_by_side(self, [self.summary, (self.table, 1), button_row(self.retry_button)], [
            skip_box,
            forms.hint("Events and emails are retried automatically with growing pauses for 48 hours, then "
                       "parked here for a person to decide. A case's later events wait behind a failed or "
                       "parked one, so the CRM sees them in order. Retry now tries again at the next round "
                       "(within a minute); Skip takes the delivery out of the queue for good. Both are kept "
                       "in the audit log.", self),
        ], widths=(3, 1))

    def set_deliveries(self, deliveries: list[DeliveryItem], alerts: DeliveryAlerts | None = None) -> None:
        parked = sum(1 for d in deliveries if d.state is DeliveryState.PARKED)
        failed = sum(1 for d in deliveries if d.state is DeliveryState.FAILED)
        text = (f"{len(deliveries)} not delivered: {parked} parked, {failed} failing, "
                f"{len(deliveries) - parked - failed} waiting." if deliveries else "Everything has been delivered.")
        if alerts is not None and alerts.webhook_disabled:
            text += (f" The CRM disabled the webhook ({alerts.webhook_disabled}); CRM events wait until it is "
                     "set again (Settings, or desktop-helpdesk crm set-webhook).")
        self.summary.setText(text)
        self.set_rows(deliveries)

    selected_delivery = pages.TablePage.selected_row

    def retry_selected(self) -> None:
        ui = self._ui
        self._command_on_selected(
            lambda item, _none: f"{_describe(item)} will be tried at the next round.",
            lambda item: ui.services.deliveries.retry_now(ui.member_id, item.channel, item.outbox_id),
        )

    def skip_selected(self) -> None:
        ui, reason = self._ui, self.reason_field.text()
        self._command_on_selected(
            lambda item, _none: f"{_describe(item)} is skipped; it will not be sent.",
            lambda item: ui.services.deliveries.skip(ui.member_id, item.channel, item.outbox_id, reason),
            {"reason": self.reason_field},
            then=lambda _none: self.reason_field.clear(),
        )

    def _show_selected(self, item: DeliveryItem | None) -> None:
        for widget in (self.retry_button, self.skip_button, self.reason_field):
            widget.setEnabled(item is not None)
