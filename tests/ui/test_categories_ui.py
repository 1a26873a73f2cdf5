"""Categories through the real window: the admin page, intake, the case details and the list column."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from desktop_helpdesk.services.case_list_columns import ExportColumn
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord
from desktop_helpdesk.ui.admin.models import category_model
from desktop_helpdesk.ui.models.case_table_model import CaseColumn
from tests.ui import test_admin_dialog as admin_steps
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_category_model_passes_qtmodeltester(qtmodeltester, ui):
    model = category_model()
    ui.services.categories.add_category(ui.member_id, "SCORM")
    model.set_rows(ui.services.categories.list_categories(include_inactive=True))
    qtmodeltester.check(model)


def test_admin_adds_renames_and_retires_categories(qtbot, window, ui):
    dialog = admin_steps.open_dialog(qtbot, window, "categories")
    page = dialog.categories_page
    assert not page.edit_box.isEnabled()
    admin_steps.type_into(qtbot, page.name_field, "SCORM")
    admin_steps.wait_reload(qtbot, dialog, lambda: qtbot.keyClick(page.name_field, Qt.Key.Key_Return))
    admin_steps.type_into(qtbot, page.name_field, "LMS access")
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.add_button))
    assert admin_steps.table_texts(page.table) == ["LMS access", "SCORM"]

    admin_steps.type_into(qtbot, page.name_field, "scorm")
    admin_steps.wait_refused(qtbot, dialog, lambda: admin_steps.click(qtbot, page.add_button))
    assert dialog.message_is_error() and dialog.message_text().startswith("Category: ")

    assert page.select_category(ui.services.categories.list_categories()[1].id)
    assert page.rename_field.text() == "SCORM"
    admin_steps.type_into(qtbot, page.rename_field, "SCORM packages")
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.rename_button))
    assert admin_steps.table_texts(page.table) == ["LMS access", "SCORM packages"]
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.retire_button))
    assert page.retire_button.text() == "Offer again"
    assert [c.name for c in ui.services.categories.list_categories()] == ["LMS access"]
    actions = [r.action for r in AuditRecord.select().where(AuditRecord.entity == "category")]
    assert actions == ["category_added", "category_added", "category_renamed", "category_retired"]


def test_category_chosen_at_intake_shows_in_header_and_list(qtbot, window, ui):
    scorm = ui.services.categories.add_category(ui.member_id, "SCORM")
    dialog = window.open_phone_intake()
    qtbot.waitUntil(lambda: dialog.category_field.count() == 2)
    assert [dialog.category_field.itemText(i) for i in range(dialog.category_field.count())] == [
        "No category", "SCORM"]
    qtbot.keyClicks(dialog.caller_field, "Newbie")
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)
    qtbot.keyClicks(dialog.new_email, "newbie@acme.example")
    dialog.client_field.setEditText("Acme Learning")
    qtbot.keyClicks(dialog.subject_field, "Course will not launch")
    dialog.category_field.setFocus()
    qtbot.keyClick(dialog.category_field, Qt.Key.Key_Down)
    assert dialog.category_field.currentData() == scorm.id
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        qtbot.keyClick(dialog.subject_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case = CaseRecord.get()
    assert case.category_id == scorm.id
    qtbot.waitUntil(lambda: window.detail.case_id == case.id)
    qtbot.waitUntil(lambda: window.detail.header.category_chip.text() == "SCORM")
    row = window.model.row_of(case.id)
    assert window.model.index(row, CaseColumn.CATEGORY).data() == "SCORM"
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(CaseColumn.CATEGORY)
    assert ExportColumn.CATEGORY not in window.export_columns()
    menu = window.column_menu()
    toggle = menu.findChild(QAction, "showColumnCategory")
    assert toggle.text() == "Category" and not toggle.isChecked()
    toggle.trigger()
    assert not header.isSectionHidden(CaseColumn.CATEGORY)
    assert window.export_columns()[-1] == ExportColumn.CATEGORY


def test_category_changed_on_the_details_tab(qtbot, window, ui):
    lms = ui.services.categories.add_category(ui.member_id, "LMS access")
    case = log_case(ui, "Cannot sign in")
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert window.select_case(case.id)
    settle(qtbot, window)
    detail = window.detail
    detail.category_field.setCurrentIndex(detail.category_field.findData(lms.id))
    admin_steps.click(qtbot, detail.save_button)
    settle(qtbot, window)
    assert CaseRecord.get_by_id(case.id).category_id == lms.id
    assert detail.header.category_chip.text() == "LMS access"
    trail = [e for e in ui.services.cases.audit_trail(case.id) if e.field == "category"]
    assert [(e.before, e.after) for e in trail] == [("", f"LMS access (#{lms.id})")]
