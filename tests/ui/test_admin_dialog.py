"""The Administration dialog driven through the window on a real SQLite file: team, closures,
settings, clients, refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QToolBar

from desktop_helpdesk.domain.cases import AssignmentStrategy
from desktop_helpdesk.services.case_queries import CaseQueries
from desktop_helpdesk.services.contacts import NewClient, NewContact
from desktop_helpdesk.services.drafts import DraftService
from desktop_helpdesk.services.dto import (
    ClientSummary,
    ContactMatch,
    MemberSummary,
    ReassignmentResult,
)
from desktop_helpdesk.services.settings import Closure
from desktop_helpdesk.storage.records import (
    AuditRecord,
    CaseRecord,
    ClosureRecord,
    ContactRecord,
    CrmOutboxRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.ui import admin, team_jobs
from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog
from desktop_helpdesk.ui.admin.models import (
    client_model,
    closure_model,
    contact_model,
    member_model,
)
from desktop_helpdesk.ui.admin.team_page import describe_moves
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.models.roles import SORT_ROLE
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)
# Thursday after the fixture clock's Wednesday; not a Nova Scotia holiday.
THURSDAY = date(2026, 11, 26)
CALLER = NewContact(name="Carol Client", email="carol@acme.example", phone="902 555 0142",
                    client_name="Acme Learning")


def open_dialog(qtbot, window, page=None) -> AdminDialog:
    """Trigger the window's Administration action and wait for the lists."""
    action = admin.install(window)
    assert action is not None
    action.trigger()
    dialog = window.findChild(AdminDialog, "adminDialog")
    assert dialog is not None and dialog.isVisible()
    # Loaded when Save is offered: the snapshot that enables it fills every page at once.
    qtbot.waitUntil(dialog.settings_page.save_button.isEnabled, timeout=5000)
    if page:
        dialog.tabs.setCurrentWidget(getattr(dialog, f"{page}_page"))
    return dialog


def wait_reload(qtbot, dialog, press):
    """Run ``press`` (a command) and wait for the lists it reloads."""
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        press()


def wait_refused(qtbot, dialog, press):
    """Run ``press`` (a command) and wait for its refusal (commands run on the worker pool)."""
    with qtbot.waitSignal(dialog.commands.settled, timeout=5000, check_params_cb=lambda done: not done):
        press()


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, field, text):
    field.clear()
    qtbot.keyClicks(field, text)


def table_texts(table, column=0):
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def add_agent(ui, username, name):
    return ui.services.team.add_member(ui.member_id, username, name, role="agent")


def context_for(member: MemberSummary, ui: UiContext) -> UiContext:
    return UiContext(ui.services, CaseQueries(ui.services.context), DraftService(ui.clock), ui.clock,
                     member.id, member.display_name)


# -- models -------------------------------------------------------------------------------
def test_admin_models_pass_qtmodeltester(qtmodeltester):
    members = member_model()
    members.set_rows([
        MemberSummary(1, "dana", "Dana Desk", "dana@x.example", "admin", "available", False, True, 0, 0),
        MemberSummary(2, "al", "Al Agent", "", "agent", "away", True, False, 3, 4),
    ])
    closures = closure_model()
    closures.set_rows([Closure(THURSDAY, "Office move")])
    clients = client_model()
    clients.set_rows([ClientSummary(5, "Acme", "Avery", "avery@x.example", "902", 2)])
    contacts = contact_model()
    contacts.set_rows([ContactMatch(9, "Carol", "c@x.example", "902", 5, "Acme", "client")])
    for model in (members, closures, clients, contacts):
        qtmodeltester.check(model, force_py=True)
    assert members.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # deactivated: grey
    assert closures.index(0, 1).data() == "Thursday"
    assert closures.index(0, 0).data(SORT_ROLE) == "2026-11-26"
    assert members.row_of(2) == 1 and members.row_of(99) is None


def test_describe_moves_counts_where_cases_went():
    moved = [ReassignmentResult(1, "2026-00001", 7, "Bob", "r"), ReassignmentResult(2, "2026-00002", 7, "Bob", "r"),
             ReassignmentResult(3, "2026-00003", None, "", "nobody free")]
    assert describe_moves("Alice", moved) == "3 open cases of Alice handed on: 2 to Bob, 1 unassigned."
    assert describe_moves("Alice", []) == "Alice had no open cases to hand on."


# -- entry point --------------------------------------------------------------------------
def test_administration_action_sits_in_the_toolbar_for_admins(qtbot, window):
    action = admin.install(window)
    toolbar = window.findChild(QToolBar, "mainToolBar")
    texts = [a.text() for a in toolbar.actions()]
    assert "Administration…" in texts
    # Beside the desk's own actions, before the spacer and the "Signed in as" label.
    assert texts.index("Administration…") == texts.index("Refresh") + 1
    assert action.shortcut().toString() == "Ctrl+Shift+A"


# -- team -----------------------------------------------------------------------------------
def test_add_member_shows_in_table_and_database(qtbot, window, ui):
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    assert table_texts(page.table) == ["Dana Desk"]
    type_into(qtbot, page.new_username_field, "jsmith")
    type_into(qtbot, page.new_name_field, "Jordan Smith")
    type_into(qtbot, page.new_email_field, "jordan@desk.example")
    page.new_role_field.setCurrentIndex(page.new_role_field.findData("supervisor"))
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.add_button))

    assert "Jordan Smith" in table_texts(page.table)
    assert dialog.message_text() == "Jordan Smith joined the team as supervisor."
    assert not dialog.message_is_error()
    record = TeamMemberRecord.get(TeamMemberRecord.username == "jsmith")
    assert (record.display_name, record.email, record.role) == ("Jordan Smith", "jordan@desk.example", "supervisor")
    assert page.new_username_field.text() == ""


def test_bad_member_input_names_the_field_and_writes_nothing(qtbot, window):
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    type_into(qtbot, page.new_username_field, "bad name!")
    type_into(qtbot, page.new_name_field, "Bad Name")
    # Enter adds; it never closes the dialog.
    wait_refused(qtbot, dialog, lambda: qtbot.keyClick(page.new_name_field, Qt.Key.Key_Return))

    assert dialog.isVisible()
    assert dialog.message_is_error()
    assert dialog.message_text().startswith("Username: ")
    assert "Traceback" not in dialog.message_text()
    assert page.new_username_field.hasFocus()
    assert TeamMemberRecord.select().count() == 1


def test_edit_member_and_mark_away_redistributing_open_cases(qtbot, window, ui):
    ui.services.team.update_member(ui.member_id, ui.member_id, can_take_cases=False)
    alice = add_agent(ui, "alice", "Alice Agent")
    bob = add_agent(ui, "bob", "Bob Agent")
    logged = [ui.services.cases.log_case(ui.member_id, subject=f"Printer {n}", channel="email", new_contact=CALLER)
              for n in range(2)]
    # Round robin gives Alice the first case and Bob the second.
    assert [case.assignee_id for case in logged] == [alice.id, bob.id]
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    assert page.select_member(alice.id)
    assert page.name_field.text() == "Alice Agent"

    type_into(qtbot, page.email_field, "alice@desk.example")
    page.takes_cases_field.setChecked(False)
    type_into(qtbot, page.reason_field, "Training week")
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.save_button))
    record = TeamMemberRecord.get_by_id(alice.id)
    assert (record.email, record.can_take_cases) == ("alice@desk.example", False)
    assert page.selected_member().id == alice.id  # the selection survives the reload

    page.availability_field.setCurrentIndex(page.availability_field.findData("away"))
    page.redistribute_field.setChecked(True)
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.availability_button))
    assert TeamMemberRecord.get_by_id(alice.id).availability == "away"
    assert CaseRecord.get_by_id(logged[0].id).assignee_id == bob.id
    assert dialog.message_text() == (
        "Alice Agent is now away. 1 open case of Alice Agent handed on: 1 to Bob Agent."
    )
    row = page.model.row_of(alice.id)
    assert page.model.index(row, 3).data() == "Away"
    assert page.model.index(page.model.row_of(bob.id), 6).data() == "2"


def test_supervisor_cannot_make_an_admin_and_sees_why(qtbot, make_window, ui):
    sue = ui.services.team.add_member(ui.member_id, "sue", "Sue Supervisor", role="supervisor")
    window = make_window(context_for(sue, ui))
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    type_into(qtbot, page.new_username_field, "eve")
    type_into(qtbot, page.new_name_field, "Eve")
    page.new_role_field.setCurrentIndex(page.new_role_field.findData("admin"))
    wait_refused(qtbot, dialog, lambda: click(qtbot, page.add_button))
    assert dialog.message_text() == "Not allowed: Only an admin can create another admin"
    assert not TeamMemberRecord.select().where(TeamMemberRecord.username == "eve").exists()


def test_agent_gets_no_action_and_a_clear_refusal(qtbot, make_window, ui):
    agent = add_agent(ui, "al", "Al Agent")
    window = make_window(context_for(agent, ui))
    assert admin.install(window) is None
    toolbar = window.findChild(QToolBar, "mainToolBar")
    assert "Administration…" not in [a.text() for a in toolbar.actions()]

    # Even with the dialog in hand, the services refuse the agent.
    dialog = AdminDialog(window.ui_context, window.pool, window)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.open_page(dialog.team_page)
    assert dialog.read_only_note.isVisible()
    type_into(qtbot, dialog.team_page.new_username_field, "mallory")
    type_into(qtbot, dialog.team_page.new_name_field, "Mallory")
    wait_refused(qtbot, dialog, lambda: click(qtbot, dialog.team_page.add_button))
    assert dialog.message_is_error()
    assert dialog.message_text() == "Not allowed: Only a supervisor or admin can add team members"
    dialog.tabs.setCurrentWidget(dialog.settings_page)
    dialog.settings_page.strategy_field.setCurrentIndex(1)
    wait_refused(qtbot, dialog, lambda: click(qtbot, dialog.settings_page.save_button))
    assert dialog.message_text() == "Not allowed: Only a supervisor or admin can change team settings"
    assert TeamMemberRecord.select().count() == 2
    assert ui.services.settings.get().assignment_strategy is AssignmentStrategy.ROUND_ROBIN
    dialog.done(0)


# -- closures -------------------------------------------------------------------------------
def test_closure_added_in_dialog_moves_due_instants_of_new_cases(qtbot, window, ui, clock):
    context = ui.services.context
    before = context.calendar
    assert before.is_business_day(THURSDAY)
    dialog = open_dialog(qtbot, window, "closures")
    page = dialog.closures_page
    page.set_day(THURSDAY)
    type_into(qtbot, page.reason_field, "Office move")
    wait_reload(qtbot, dialog, lambda: qtbot.keyClick(page.reason_field, Qt.Key.Key_Return))

    assert table_texts(page.table) == ["2026-11-26"]
    assert table_texts(page.table, 2) == ["Office move"]
    assert dialog.message_text() == "The office is closed on Thursday 26 November 2026 (Office move)."
    assert ClosureRecord.get().reason == "Office move"
    # The services' calendar cache was rebuilt with the closure.
    after = context.calendar
    assert after is not before and THURSDAY in after.closures and not after.is_business_day(THURSDAY)

    # An email at 16:00 Wednesday: 2 business hours to acknowledge = 30 min Wednesday + 90 min
    # on the next business day, which is now Friday.
    clock.set(halifax(2026, 11, 25, 16, 0))
    case = ui.services.cases.log_case(ui.member_id, subject="VPN down", channel="email", new_contact=CALLER)
    detail = ui.services.cases.get_case(case.id)
    assert detail.row.acknowledge_due_at == halifax(2026, 11, 27, 9, 30)

    # Removing it makes Thursday a working day again for the next case.
    assert page.table.model().rowCount() == 1
    page.table.selectRow(0)
    assert page.remove_button.isEnabled()
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.remove_button))
    assert page.table.model().rowCount() == 0
    assert not ClosureRecord.select().exists()
    assert context.calendar.is_business_day(THURSDAY)
    case = ui.services.cases.log_case(ui.member_id, subject="VPN again", channel="email", new_contact=CALLER)
    assert ui.services.cases.get_case(case.id).row.acknowledge_due_at == halifax(2026, 11, 26, 9, 30)


def test_duplicate_closure_is_refused_with_the_date_named(qtbot, window, ui):
    ui.services.settings.add_closure(ui.member_id, THURSDAY, "Office move")
    dialog = open_dialog(qtbot, window, "closures")
    page = dialog.closures_page
    page.set_day(THURSDAY)
    type_into(qtbot, page.reason_field, "Again")
    wait_refused(qtbot, dialog, lambda: click(qtbot, page.add_button))
    assert dialog.message_text() == "Date: 2026-11-26 is already a closure day"
    assert page.date_field.hasFocus()
    assert ClosureRecord.select().count() == 1


# -- settings -------------------------------------------------------------------------------
def test_change_assignment_strategy_and_other_settings(qtbot, window, ui, tmp_path, monkeypatch):
    drop = tmp_path / "crm-drop"
    asked = []

    dialog = open_dialog(qtbot, window, "settings")
    page = dialog.settings_page
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda _parent, _title, start: asked.append(start) or str(drop))
    assert page.strategy_field.currentData() == "round_robin"
    assert page.due_soon_field.currentData() == 75
    page.strategy_field.setCurrentIndex(page.strategy_field.findData("least_workload"))
    page.due_soon_field.setCurrentIndex(page.due_soon_field.findData(80))
    page.pause_field.setChecked(False)
    page.attachment_field.setCurrentIndex(page.attachment_field.findData(50))
    click(qtbot, page.crm_folder_button)
    assert asked == [""] and page.crm_folder_field.text() == str(drop)
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.save_button))

    settings = ui.services.settings.get()
    assert settings.assignment_strategy is AssignmentStrategy.LEAST_WORKLOAD
    assert settings.due_soon_share == 0.8
    assert settings.pause_resolution_while_waiting is False
    assert settings.attachment_max_bytes == 50 * 1024 * 1024
    assert settings.crm_drop_folder == str(drop)
    assert dialog.message_text() == "Team settings saved."
    changed = {row.field for row in AuditRecord.select().where(AuditRecord.entity == "setting")}
    assert changed == {"assignment_strategy", "due_soon_share", "pause_resolution_while_waiting",
                       "attachment_max_bytes", "crm_drop_folder"}
    # Saving again with nothing edited writes nothing.
    count = AuditRecord.select().count()
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.save_button))
    assert dialog.message_text() == "No settings changed."
    assert AuditRecord.select().count() == count


# -- clients --------------------------------------------------------------------------------
def test_add_client_then_a_contact(qtbot, window, ui):
    dialog = open_dialog(qtbot, window, "clients")
    page = dialog.clients_page
    assert not page.contact_box.isEnabled()
    type_into(qtbot, page.client_name_field, "Bluenose College")
    type_into(qtbot, page.manager_field, "Avery MacLean")
    type_into(qtbot, page.manager_email_field, "avery@desk.example")
    type_into(qtbot, page.client_phone_field, "902-555-1000")
    with qtbot.waitSignal(dialog.contacts_loaded, timeout=5000):
        wait_reload(qtbot, dialog, lambda: click(qtbot, page.add_client_button))
    assert table_texts(page.table) == ["Bluenose College"]
    client = page.selected_client()  # the new client is selected, ready for its first contact
    assert (client.name, client.account_manager, client.account_manager_email, client.phone) == (
        "Bluenose College", "Avery MacLean", "avery@desk.example", "902-555-1000")
    assert page.contact_box.isEnabled()

    type_into(qtbot, page.contact_name_field, "Carol Client")
    type_into(qtbot, page.contact_email_field, "not-an-email")
    wait_refused(qtbot, dialog, lambda: click(qtbot, page.add_contact_button))
    assert dialog.message_text().startswith("Email: ")
    assert not ContactRecord.select().exists()

    type_into(qtbot, page.contact_email_field, "carol@bluenose.example")
    with qtbot.waitSignal(dialog.contacts_loaded, timeout=5000):
        click(qtbot, page.add_contact_button)
    assert table_texts(page.contacts_table) == ["Carol Client"]
    assert page.contacts_title.text() == "Contacts at Bluenose College — 1 contact"
    contact = ContactRecord.get()
    assert (contact.client_id, contact.email) == (client.id, "carol@bluenose.example")


def test_client_filter_narrows_the_list(qtbot, window, ui):
    for name in ("Acme Learning", "Bluenose College", "Cabot Credit Union"):
        ui.services.contacts.create_client(ui.member_id, NewClient(name))
    dialog = open_dialog(qtbot, window, "clients")
    page = dialog.clients_page
    qtbot.keyClicks(page.filter_field, "blue")
    assert table_texts(page.table) == ["Bluenose College"]
    page.filter_field.clear()
    assert len(table_texts(page.table)) == 3


def test_dialog_changes_refresh_the_window(qtbot, window, ui, clock):
    dialog = open_dialog(qtbot, window, "closures")
    page = dialog.closures_page
    page.set_day(clock.now().date() + timedelta(days=1))
    type_into(qtbot, page.reason_field, "Staff day")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        click(qtbot, page.add_button)
    assert THURSDAY in window.ui_context.sla_reader().calendar.closures


def test_team_page_works_from_the_keyboard(qtbot, window, ui):
    add_agent(ui, "alice", "Alice Agent")
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert page.selected_member().display_name == "Alice Agent"  # sorted by name
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.name_field.hasFocus() and page.name_field.selectedText() == "Alice Agent"
    qtbot.keyClicks(page.name_field, "Alice Anders")
    wait_reload(qtbot, dialog, lambda: qtbot.keyClick(page.name_field, Qt.Key.Key_Return))
    assert dialog.isVisible()
    assert TeamMemberRecord.get(TeamMemberRecord.username == "alice").display_name == "Alice Anders"
    assert dialog.message_text() == "Saved Alice Anders."


def test_drop_folder_chosen_in_settings_gets_the_waiting_events_at_once(qtbot, window, ui, tmp_path, monkeypatch):
    runner = team_jobs.install(window, environ={})
    qtbot.waitUntil(lambda: runner.last_run_at is not None, timeout=5000)  # first run: no folder yet
    ui.services.cases.log_case(ui.member_id, subject="Printer offline", channel="email", new_contact=CALLER)
    drop = tmp_path / "crm"
    dialog = open_dialog(qtbot, window, "settings")
    page = dialog.settings_page
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(drop))
    click(qtbot, page.crm_folder_button)
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        click(qtbot, page.save_button)
    assert blocker.args[0]["crm-delivery"].report.counters["sent"] >= 1
    assert len(list(drop.glob("*.json"))) == CrmOutboxRecord.select().count()


def test_closures_page_lists_public_holidays_with_observed_weekend_days(qtbot, window, clock):
    clock.set(halifax(2028, 3, 1, 10, 0))
    dialog = open_dialog(qtbot, window, "closures")
    page = dialog.closures_page
    rows = {table_texts(page.holiday_table)[i]: table_texts(page.holiday_table, 2)[i]
            for i in range(page.holiday_table.model().rowCount())}
    assert rows["2028-07-01"] == "Canada Day"
    assert rows["2028-07-03"] == "Canada Day (observed)"
    assert rows["2029-07-02"] == "Canada Day (observed)"  # next year's too
    assert "2027-12-27" not in rows
    dialog.done(0)


def test_admins_reset_passwords_and_unlock_from_the_team_page(qtbot, window, ui, clock):
    from desktop_helpdesk.services.accounts import AccountService, SignInRefused

    bob = add_agent(ui, "bob", "Bob Agent")
    accounts = AccountService(ui.services.context)
    ui.services.settings.update(ui.member_id, sign_in_lock_attempts=1)
    dialog = open_dialog(qtbot, window, "team")
    page = dialog.team_page
    assert page.select_member(bob.id)
    assert page.reset_password_button.isVisible() and not page.unlock_button.isEnabled()
    assert page.account_state.text() == "No password yet."

    type_into(qtbot, page.temporary_password_field, "short")
    wait_refused(qtbot, dialog, lambda: click(qtbot, page.reset_password_button))
    assert dialog.message_text() == "Temporary password: must be at least 8 characters"
    type_into(qtbot, page.temporary_password_field, "bob-temporary")
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.reset_password_button))
    assert accounts.sign_in("bob", "bob-temporary").must_set_password

    with pytest.raises(SignInRefused, match="locked until"):
        accounts.sign_in("bob", "wrong password")
    wait_reload(qtbot, dialog, dialog.reload)
    assert page.select_member(bob.id)
    assert page.unlock_button.isEnabled() and "Locked after wrong passwords" in page.account_state.text()
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.unlock_button))
    assert accounts.sign_in("bob", "bob-temporary").member.id == bob.id


def test_supervisors_do_not_see_password_controls(qtbot, make_window, ui):
    sue = ui.services.team.add_member(ui.member_id, "sue", "Sue Supervisor", role="supervisor")
    bob = add_agent(ui, "bob", "Bob Agent")
    window = make_window(context_for(sue, ui))
    dialog = open_dialog(qtbot, window, "team")
    assert dialog.team_page.select_member(bob.id)
    assert not dialog.team_page.reset_password_button.isVisible()
    assert not dialog.team_page.unlock_button.isVisible()


def test_sign_in_lock_and_backup_settings(qtbot, window, ui, tmp_path, monkeypatch):
    dialog = open_dialog(qtbot, window, "settings")
    page = dialog.settings_page
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(tmp_path / "nightly"))
    assert (page.lock_attempts_field.currentData(), page.lock_minutes_field.currentData()) == (5, 15)
    assert page.backup_hours_field.currentText() == "Daily"
    page.lock_attempts_field.setCurrentIndex(page.lock_attempts_field.findData(3))
    page.lock_minutes_field.setCurrentIndex(page.lock_minutes_field.findData(60))
    page.backup_hours_field.setCurrentIndex(page.backup_hours_field.findData(0))
    click(qtbot, page.backup_folder_button)
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.save_button))

    settings = ui.services.settings.get()
    assert (settings.sign_in_lock_attempts, settings.sign_in_lock_minutes) == (3, 60)
    assert (settings.backup_interval_hours, settings.backup_folder) == (0, str(tmp_path / "nightly"))
