"""The saved-filter form: name, personal or shared, and the criteria (client, priority, …)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import CaseStatus, IntakeChannel
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.services.case_queries import UNASSIGNED, FilterCriteria, SlaState
from desktop_helpdesk.ui.form_fields import combo_box, dialog_buttons, form_row, line_field, named

ANY = "Any"
_SLA_LABELS = {SlaState.OVERDUE: "Overdue", SlaState.DUE_SOON: "Due soon", SlaState.ON_TRACK: "On track"}


def _combo(parent: QWidget, name: str, items: list[tuple[str, object]]) -> QComboBox:
    return combo_box(parent, name, [(ANY, None), *items])


class _OptionalDate(QWidget):
    """A checkbox that turns a date bound on, and the date."""

    def __init__(self, parent: QWidget, name: str, day: date) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox(self)
        self.enabled.setObjectName(f"{name}Enabled")
        self.field = QDateEdit(self)
        self.field.setObjectName(name)
        self.field.setCalendarPopup(True)
        self.field.setDisplayFormat("d MMM yyyy")
        self.field.setDate(QDate(day.year, day.month, day.day))
        self.field.setEnabled(False)
        self.enabled.toggled.connect(self.field.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.field, 1)

    def value(self) -> date | None:
        return self.field.date().toPython() if self.enabled.isChecked() else None

    def set_value(self, day: date | None) -> None:
        self.enabled.setChecked(day is not None)
        if day is not None:
            self.field.setDate(QDate(day.year, day.month, day.day))


class FilterDialog(QDialog):
    """Name and criteria of a saved filter; ``values()`` gives (name, criteria, shared).

    Args:
        parent: the window.
        clients, members, categories: (label, id) choices.
        today: the desk date the date bounds start at.
    """

    def __init__(self, parent: QWidget, *, clients: list[tuple[str, int]], members: list[tuple[str, int]],
                 categories: list[tuple[str, int]], today: date) -> None:
        super().__init__(parent)
        named(self, "filterDialog")
        self.setWindowTitle("Save a filter")
        form = QFormLayout()
        self.name = form_row(form, "&Name", line_field(self, "filterNameField", "e.g. Overdue High for Acme"))
        self.shared = form_row(form, "", QCheckBox("Share with the team", self))
        self.shared.setObjectName("filterSharedField")
        self.client = form_row(form, "&Client", _combo(self, "filterClientField", clients))
        self.priority = form_row(form, "&Priority", _combo(self, "filterPriorityField",
                                                           [(p.label, p.value) for p in Priority]))
        self.assignee = form_row(form, "&Assignee", _combo(self, "filterAssigneeField",
                                                           [("Unassigned", UNASSIGNED), *members]))
        self.channel = form_row(form, "C&hannel", _combo(self, "filterChannelField",
                                                         [(c.label, c.value) for c in IntakeChannel]))
        self.category = form_row(form, "Ca&tegory", _combo(self, "filterCategoryField", categories))
        self.status = form_row(form, "&Status", _combo(self, "filterStatusField", [
            ("Any open", "open"), *((s.label, s.value) for s in CaseStatus)]))
        self.sla = form_row(form, "S&LA", _combo(self, "filterSlaField", [
            (label, state.value) for state, label in _SLA_LABELS.items()]))
        self.received_from = form_row(form, "Received &from", _OptionalDate(self, "filterFromField", today))
        self.received_to = form_row(form, "Received &to", _OptionalDate(self, "filterToField", today))
        self.buttons = dialog_buttons(
            self, QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The filter shows beside the queues; every field left at Any matches all.", self))
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def criteria(self) -> FilterCriteria:
        status = self.status.currentData()
        statuses = tuple(s.value for s in CaseStatus if s.is_open) if status == "open" else (
            (status,) if status else ())
        return FilterCriteria(
            client_id=self.client.currentData(),
            priority=self.priority.currentData() or "",
            assignee_id=self.assignee.currentData(),
            channel=self.channel.currentData() or "",
            category_id=self.category.currentData(),
            statuses=statuses,
            sla_state=self.sla.currentData() or "",
            received_from=self.received_from.value(),
            received_to=self.received_to.value(),
        )

    def values(self) -> tuple[str, FilterCriteria, bool]:
        return self.name.text().strip(), self.criteria(), self.shared.isChecked()
