"""Administration page "Holiday cover": who covers clients abroad over their public holidays."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop_helpdesk.services.abroad import HolidayArrangement
from desktop_helpdesk.ui.admin.forms import (
    CommandRunner,
    TablePage,
    date_field,
    group,
    hint,
    line_edit,
    push_button,
    side_by_side,
    submit_form,
)
from desktop_helpdesk.ui.admin.models import arrangement_model
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row
from desktop_helpdesk.ui.widgets.place_fields import PlaceFields


class HolidayCoverPage(TablePage):
    """Arrangements in a table, a form to record one, and a withdraw button.

    Takes ``ui``, ``run`` and ``parent`` as ``TablePage`` does.
    """

    def __init__(self, ui: UiContext, run: CommandRunner, parent: QWidget | None = None) -> None:
        super().__init__(ui, run, parent, page_name="holidayCoverPage", model_factory=arrangement_model,
                         table_name="arrangementsTable", stretch_column=4)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.withdraw_button = push_button("Withdraw selected", self, "withdrawArrangementButton")
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self.withdraw_selected)

        box = group("Record holiday cover", self, "newArrangementForm")
        self.place = PlaceFields(box, "arrangement", with_time_zone=False)
        today = ui.clock.now().astimezone(ui.desk_zone).date()
        self.from_field = date_field(box, "arrangementFromField", today)
        self.to_field = date_field(box, "arrangementToField", today + timedelta(days=1))
        self.covered_by_field = line_edit(box, "coveredByField", "Person or partner who covers")
        self.reach_field = line_edit(box, "howToReachField", "Phone, email, Skype…")
        self.notes_field = line_edit(box, "arrangementNotesField", "Anything else the desk should know")
        self.add_button = push_button("Add arrangement", box, "addArrangementButton", accent=True)
        submit_form(box, [
            ("C&ountry", self.place.country),
            ("Re&gion", self.place.region),
            ("&From", self.from_field),
            ("&To", self.to_field),
            ("&Covered by", self.covered_by_field),
            ("&How to reach", self.reach_field),
            ("&Notes", self.notes_field),
        ], self.add_button, self.add_arrangement)

        side_by_side(self, [(self.table, 1), button_row(self.withdraw_button)], [
            box,
            hint("The policy makes alternative arrangements on public holidays in Canada and abroad. "
                 "From the first to the last date (desk dates) the desk shows who covers, and cases "
                 "of clients in that country (or region) say so in their header.", self),
        ])

    def set_arrangements(self, arrangements: list[HolidayArrangement]) -> None:
        self._show_rows(arrangements)

    def selected_arrangement(self) -> HolidayArrangement | None:
        return self.selected_row()

    def _show_selected(self, arrangement: HolidayArrangement | None) -> None:
        self.withdraw_button.setEnabled(arrangement is not None)

    def add_arrangement(self) -> HolidayArrangement | None:
        ui = self._ui
        values = {
            "country": self.place.country_code(), "region": self.place.region_code(),
            "starts_on": self.from_field.date().toPython(), "ends_on": self.to_field.date().toPython(),
            "covered_by": self.covered_by_field.text(), "how_to_reach": self.reach_field.text(),
            "notes": self.notes_field.text(),
        }
        added = self._run(
            lambda a: f"Recorded: {a.summary()}.",
            lambda: ui.services.abroad.add_arrangement(ui.member_id, **values),
            {"country": self.place.country, "region": self.place.region, "starts_on": self.from_field,
             "ends_on": self.to_field, "covered_by": self.covered_by_field},
        )
        if added is not None:
            for field in (self.covered_by_field, self.reach_field, self.notes_field):
                field.clear()
        return added

    def withdraw_selected(self) -> HolidayArrangement | None:
        arrangement = self.selected_arrangement()
        if arrangement is None:
            return None
        ui = self._ui
        return self._run(
            f"Withdrawn: {arrangement.summary()}.",
            lambda: ui.services.abroad.withdraw_arrangement(ui.member_id, arrangement.id),
        )
