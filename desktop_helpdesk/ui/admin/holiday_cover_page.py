"""Administration page "Holiday cover": who covers clients abroad over their public holidays."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import arrangement_model
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row
from desktop_helpdesk.ui.widgets.place_fields import PlaceFields


class HolidayCoverPage(pages.TablePage):
    """Arrangements in a table, a form to record one, and a withdraw button.

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="holidayCoverPage", model_factory=arrangement_model,
                         table_name="arrangementsTable", stretch_column=4)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.withdraw_button = forms.push_button("Withdraw selected", self, "withdrawArrangementButton")
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self.withdraw_selected)

        box = forms.group("Record holiday cover", self, "newArrangementForm")
        self.place = PlaceFields(box, "arrangement", with_time_zone=False)
        today = ui.clock.now().astimezone(ui.desk_zone).date()
        self.from_field = forms.date_field(box, "arrangementFromField", today)
        self.to_field = forms.date_field(box, "arrangementToField", today + timedelta(days=1))
        self.covered_by_field = forms.line_edit(box, "coveredByField", "Person or partner who covers")
        self.reach_field = forms.line_edit(box, "howToReachField", "Phone, email, Skype…")
        self.notes_field = forms.line_edit(box, "arrangementNotesField", "Anything else the desk should know")
        self.add_button = forms.push_button("Add arrangement", box, "addArrangementButton", accent=True)
        forms.submit_form(box, [
            ("C&ountry", self.place.country), ("Re&gion", self.place.region),
            ("&From", self.from_field), ("&To", self.to_field),
            ("&Covered by", self.covered_by_field), ("&How to reach", self.reach_field), ("&Notes", self.notes_field),
        ], self.add_button, self.add_arrangement)

        forms.side_by_side(self, [(self.table, 1), button_row(self.withdraw_button)], [box, forms.hint(
            "The policy makes alternative arrangements on public holidays in Canada and abroad. From the first to "
            "the last date (desk dates) the desk shows who covers, and cases of clients in that country (or "
            "region) say so in their header.", self)])

    set_arrangements = pages.TablePage.set_rows
    selected_arrangement = pages.TablePage.selected_row

    def _show_selected(self, arrangement) -> None:
        self.withdraw_button.setEnabled(arrangement is not None)

    def add_arrangement(self) -> None:
        ui = self._ui
        values = {
            "country": self.place.country_code(), "region": self.place.region_code(),
            "starts_on": self.from_field.date().toPython(), "ends_on": self.to_field.date().toPython(),
            "covered_by": self.covered_by_field.text(), "how_to_reach": self.reach_field.text(),
            "notes": self.notes_field.text(),
        }

        def clear_form(_added) -> None:
            for field in (self.covered_by_field, self.reach_field, self.notes_field):
                field.clear()

        self._command(
            lambda a: f"Recorded: {a.summary()}.",
            lambda: ui.services.abroad.add_arrangement(ui.member_id, **values),
            {"country": self.place.country, "region": self.place.region, "starts_on": self.from_field,
             "ends_on": self.to_field, "covered_by": self.covered_by_field},
            then=clear_form,
        )

    def withdraw_selected(self) -> None:
        ui = self._ui
        self._command_on_selected(lambda arrangement, _withdrawn: f"Withdrawn: {arrangement.summary()}.",
                                  lambda arrangement: ui.services.abroad.withdraw_arrangement(ui.member_id,
                                                                                              arrangement.id))
