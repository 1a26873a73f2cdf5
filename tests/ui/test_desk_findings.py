"""Surprises found using the desk for real, each driven through the real window."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services.drafts import INTAKE_KEY
from tests.ui.conftest import OFFSCREEN_NOISE, leave_a_new_caller_draft, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _loaded(qtbot, window):
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    settle(qtbot)


def test_opening_a_notified_case_in_the_list_shows_it_at_once_and_never_jumps_later(
    qtbot, window, ui, clock
):
    working, notified = log_case(ui, "Being typed in"), log_case(ui, "Notified")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    window.select_case(working.id)
    settle(qtbot)
    window.open_case(notified.id)
    settle(qtbot)
    assert window.detail.case_id == notified.id

    # The agent goes back to their case; the next reloads leave them there.
    window.select_case(working.id)
    settle(qtbot)
    clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    settle(qtbot)
    assert window.detail.case_id == working.id


def test_a_restored_call_draft_keeps_priority_channel_and_new_client(qtbot, window, ui):
    leave_a_new_caller_draft(qtbot, window)
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["priority"] == "high"

    again = window.open_phone_intake()
    settle(qtbot)
    assert again.priority_field.currentData() == "high"
    assert again.channel_field.currentData() == "email"
    assert again.new_contact_box.isVisibleTo(again)
    assert again.new_name.text() == "Nora Newcaller"
    assert again.client_field.currentText() == "Bishop Labs"
    assert again.subject_field.text() == "Whole school cannot sign in"
    again.reject()


def test_audit_rows_read_as_labels_and_desk_time(qtbot, window, ui, clock):
    case = log_case(ui, "Audit words")
    clock.advance(timedelta(minutes=5))
    ui.services.cases.wait_on_client(ui.member_id, case.id, reason="needs a screenshot")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    model = window.detail.audit_model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    cells = {cell for row in rows for cell in row}
    assert model.headerData(0, Qt.Orientation.Horizontal) == "When (Halifax)"
    assert "Waiting on client" in cells and "waiting_on_client" not in cells
    assert "Medium" in cells and "medium" not in cells
    waiting_since = next(row for row in rows if row[3] == "Waiting since")
    assert waiting_since[5] == "Wed 25 Nov 2026 09:05 AST"
    assert not any(str(cell).startswith("2026-11-25T") for cell in cells)
    assert rows[0][0].startswith("Wed 25 Nov 2026 ")
    assert "SLA met" in cells or "SLA paused" in cells


def test_list_counts_read_one_case_not_one_cases(qtbot, window, ui):
    log_case(ui, "Only one")
    _loaded(qtbot, window)
    assert window.list_title.text() == "My cases — 1 case"


def test_a_case_late_by_days_reads_in_business_days_and_hours(qtbot, window, ui, clock):
    from desktop_helpdesk.ui.models.case_table_model import CaseColumn
    from tests.conftest import halifax

    log_case(ui, "Long forgotten")  # Wed 25 Nov 09:00, acknowledge due 11:00
    _loaded(qtbot, window)
    clock.set(halifax(2026, 12, 2, 15, 0))  # five business days later
    window.on_ticked(clock.now())
    text = window.model.data(window.model.index(0, CaseColumn.NEXT_DUE))
    # 11:00-16:30 Wed (5.5 h) + Thu-Tue (4 x 8.5 h) + Wed 08:00-15:00 (7 h) = 46.5 h = 5d 4h.
    assert text == "Overdue · Ack 5d 4h late"


def test_adding_a_note_does_not_conflict_with_another_workstations_subject_edit(qtbot, window, ui, clock):
    case = log_case(ui, "Shared case")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    version = ui.services.cases.get_case(case.id).version
    ui.services.cases.edit_case(ui.member_id, case.id, expected_version=version, subject="Renamed elsewhere")
    clock.advance(timedelta(minutes=1))
    detail = window.detail
    qtbot.keyClicks(detail.summary_edit, "Left a voicemail")
    with qtbot.waitSignal(detail.command_finished) as finished:
        qtbot.mouseClick(detail.add_interaction_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert finished.args == [True]
    assert not detail.reload_button.isVisibleTo(detail)
    texts = [detail.timeline_model.describe(entry) for entry in detail.timeline_model.entries()]
    assert any("Left a voicemail" in text for text in texts)
    assert detail.subject_label.text() == "Renamed elsewhere"


def test_told_by_email_with_email_off_says_so_and_logs_what_happened(qtbot, window, ui, clock):
    from PySide6.QtWidgets import QDialog

    case = log_case(ui, "Told by email")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    detail = window.detail
    qtbot.mouseClick(detail.buttons["resolve"], Qt.MouseButton.LeftButton)
    dialog = window.findChild(QDialog, "resolveDialog")
    qtbot.keyClicks(dialog.summary, "Reset the password")
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("phone"))
    assert not dialog.email_off_note.isVisibleTo(dialog)
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("email"))
    assert dialog.email_off_note.isVisibleTo(dialog)
    assert "Email is off on this desk" in dialog.email_off_note.text()
    assert not dialog.email_client.isVisibleTo(dialog)
    with qtbot.waitSignal(detail.command_finished):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    told = next(e for e in detail.timeline_model.entries() if "Reset the password" in detail.timeline_model.describe(e))
    assert "the desk sent no email" in detail.timeline_model.describe(told)


def test_escalation_reply_time_is_typed_and_shown_in_desk_time_with_its_zone(qtbot, window, ui, clock):
    from PySide6.QtCore import QDate, QDateTime, QTime
    from PySide6.QtWidgets import QDialog

    from tests.conftest import halifax

    case = log_case(ui, "Needs development")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    qtbot.mouseClick(window.detail.buttons["escalate"], Qt.MouseButton.LeftButton)
    dialog = window.findChild(QDialog, "escalateDialog")
    # A day after the desk's now (Wed 25 Nov 09:00 Halifax), in desk time.
    assert dialog.expected_reply.dateTime().toString("ddd dd MMM yyyy HH:mm") == "Thu 26 Nov 2026 09:00"
    assert dialog.zone_label.text() == "AST (Halifax time)"
    qtbot.keyClicks(dialog.target_name, "Development")
    qtbot.keyClicks(dialog.reason, "Player bug")
    dialog.expect_reply.setChecked(True)
    dialog.expected_reply.setDateTime(QDateTime(QDate(2026, 11, 27), QTime(14, 30)))
    with qtbot.waitSignal(window.detail.command_finished):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.detail.detail.open_escalation.expected_reply_at == halifax(2026, 11, 27, 14, 30)


def test_a_right_to_left_name_cannot_garble_the_phone_number_beside_it(qtbot, window, ui):
    from desktop_helpdesk.services.contacts import NewContact

    case = log_case(ui, "RTL caller", caller=NewContact(
        name="سارة الخطيب", email="sara@acme.example", phone="902 555 0177", client_name="مدرسة النور"))
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    info = window.detail.info
    assert info["contact"].text() == (
        # No-break spaces: the number never wraps across lines in a narrow case pane.
        "\u2068سارة الخطيب\u2069 · <a href=\"tel:9025550177\">\u2068902\u00a0555\u00a00177\u2069</a>")
    # The address on its own line below (eliding in a narrow pane, whole in its tooltip).
    assert window.detail.header.email_label.full_text() == "sara@acme.example"
    assert info["client"].text() == "\u2068مدرسة النور\u2069"


def test_spin_box_arrows_are_drawn_like_the_date_fields(qtbot):
    from PySide6.QtWidgets import QDateEdit, QSpinBox, QVBoxLayout, QWidget

    from desktop_helpdesk.ui.resources import stylesheet

    page = QWidget()
    page.setStyleSheet(stylesheet())
    layout = QVBoxLayout(page)
    spin, date = QSpinBox(page), QDateEdit(page)
    for field in (spin, date):
        field.setFixedSize(160, 28)
        layout.addWidget(field)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)

    def arrows(field):
        image = field.grab().toImage()
        return [image.pixelColor(x, y).name() for x in range(140, 158) for y in range(2, 26)]

    # The native up/down buttons; a styled border used to clip them to two grey lines.
    assert arrows(spin) == arrows(date)
