"""Administration page "Closures": company closure days with reasons (business time skips them)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_helpdesk.domain.sla import nova_scotia_holiday_names
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import closure_model, public_holiday_model
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row


class ClosuresPage(pages.TablePage):
    """Closure days in a table, a date picker and reason to add one, and a remove button.

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="closuresPage", model_factory=closure_model,
                         table_name="closuresTable", stretch_column=2)
        self.remove_button = forms.push_button("Remove selected day", self, "removeClosureButton")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)

        add_box = forms.group("Close the office for a day", self, "newClosureForm")
        tomorrow = ui.clock.now().astimezone(ui.desk_zone).date() + timedelta(days=1)
        self.date_field = forms.date_field(add_box, "closureDateField", tomorrow)
        self.reason_field = forms.line_edit(add_box, "closureReasonField", "e.g. Office move, staff training day")
        self.add_button = forms.push_button("Add closure", add_box, "addClosureButton", accent=True)
        forms.submit_form(add_box, [("&Date", self.date_field), ("&Reason", self.reason_field)],
                          self.add_button, self.add_closure)

        holidays_box = forms.group("Public holidays (Nova Scotia)", self, "publicHolidaysBox")
        self.holiday_model = public_holiday_model(self)
        this_year = ui.clock.now().astimezone(ui.desk_zone).year
        self.holiday_model.set_rows([
            item for year in (this_year, this_year + 1)
            for item in nova_scotia_holiday_names(year).items()
        ])
        self.holiday_table, _proxy = forms.sortable_table(self.holiday_model, holidays_box,
                                                          "publicHolidaysTable", stretch_column=2)
        holidays_layout = QVBoxLayout(holidays_box)
        holidays_layout.addWidget(self.holiday_table)
        holidays_layout.addWidget(forms.hint(
            "A holiday on a Saturday or Sunday is observed on the next weekday; business time "
            "skips both days.", holidays_box))
        forms.side_by_side(self, [(self.table, 1), button_row(self.remove_button)], [
            add_box,
            forms.hint("Business time skips closure days for every SLA computed from now on. Due times "
                       "already promised to clients stay as they are. Nova Scotia public holidays are "
                       "already counted (listed below); add only the company's own closures.", self),
            (holidays_box, 1),
        ])

    set_closures = pages.TablePage.set_rows
    selected_closure = pages.TablePage.selected_row

    def chosen_day(self) -> date:
        return self.date_field.date().toPython()

    def set_day(self, day: date) -> None:
        self.date_field.setDate(QDate(day.year, day.month, day.day))

    def _show_selected(self, closure) -> None:
        self.remove_button.setEnabled(closure is not None)

    def add_closure(self) -> None:
        ui, day, reason = self._ui, self.chosen_day(), self.reason_field.text()
        self._command(
            lambda c: f"The office is closed on {c.day:%A %d %B %Y} ({c.reason}).",
            lambda: ui.services.settings.add_closure(ui.member_id, day, reason),
            {"day": self.date_field, "reason": self.reason_field},
            then=lambda _added: self.reason_field.clear(),
        )

    def remove_selected(self) -> None:
        ui = self._ui
        self._command_on_selected(lambda closure, _none: f"{closure.day:%A %d %B %Y} is a working day again.",
                                  lambda closure: ui.services.settings.remove_closure(ui.member_id, closure.day))
