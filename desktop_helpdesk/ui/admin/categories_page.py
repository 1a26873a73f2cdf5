"""Administration page "Categories": the short list of case categories (add, rename, retire)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import category_model
from desktop_helpdesk.ui.context import UiContext

_EXPLANATION = ("Keep the list short: agents choose a category at intake or later, and the SLA report and the "
                "supervisor tables group by it. A retired category is no longer offered; cases that carry it "
                "keep it.")


class CategoriesPage(pages.TablePage):
    """Categories in a table; a form to add one; rename and retire/offer-again the selected one.

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="categoriesPage", model_factory=category_model,
                         table_name="categoriesTable")

        add_box = forms.group("Add a category", self, "newCategoryForm")
        self.name_field = forms.line_edit(add_box, "categoryNameField", "e.g. SCORM, LMS access, Authoring tool")
        self.add_button = forms.push_button("Add category", add_box, "addCategoryButton", accent=True)
        forms.submit_form(add_box, [("&Name", self.name_field)], self.add_button, self.add_category)

        edit_box = forms.group("Selected category", self, "categoryForm")
        self.rename_field = forms.line_edit(edit_box, "categoryRenameField", "New name")
        self.rename_button = forms.push_button("Rename", edit_box, "renameCategoryButton")
        form = forms.submit_form(edit_box, [("Na&me", self.rename_field)], self.rename_button, self.rename_selected)
        self.retire_button = forms.push_button("Retire", edit_box, "retireCategoryButton")
        self.retire_button.clicked.connect(self.toggle_selected)
        form.addRow("", self.retire_button)
        edit_box.setEnabled(False)
        self.edit_box = edit_box

        forms.side_by_side(self, [(self.table, 1)], [add_box, edit_box, forms.hint(_EXPLANATION, self)])

    set_categories = pages.TablePage.set_rows
    selected_category = pages.TablePage.selected_row
    select_category = pages.TablePage.select_row

    def _show_selected(self, category) -> None:
        self.edit_box.setEnabled(category is not None)
        self.rename_field.setText(category.name if category else "")
        self.retire_button.setText("Offer again" if category is not None and not category.active else "Retire")

    def add_category(self) -> None:
        ui, name = self._ui, self.name_field.text()
        self._command(
            lambda c: f"Category \u201c{c.name}\u201d added.",
            lambda: ui.services.categories.add_category(ui.member_id, name),
            {"category": self.name_field},
            then=lambda _added: self.name_field.clear(),
        )

    def rename_selected(self) -> None:
        ui, name = self._ui, self.rename_field.text()
        self._command_on_selected(
            lambda _old, renamed: f"Category renamed \u201c{renamed.name}\u201d.",
            lambda category: ui.services.categories.rename_category(ui.member_id, category.id, name),
            {"category": self.rename_field},
        )

    def toggle_selected(self) -> None:
        ui = self._ui
        self._command_on_selected(
            lambda _old, c: f"\u201c{c.name}\u201d is {'offered again' if c.active else 'retired (cases keep it)'}.",
            lambda category: ui.services.categories.set_category_active(ui.member_id, category.id,
                                                                         not category.active),
        )
