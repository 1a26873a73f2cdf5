"""Screen-pop end to end: the window in this process, ``desktop-helpdesk call`` in another;
missed calls, caller history at intake, and dialling out with a timed call."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtNetwork import QLocalServer

import desktop_helpdesk
from desktop_helpdesk.cli.call import main as call_main
from desktop_helpdesk.config import database_target
from desktop_helpdesk.domain.phone_calls import new_call
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.storage.records import InteractionRecord, PhoneCallRecord
from desktop_helpdesk.ui import screen_pop
from desktop_helpdesk.ui.call_handoff import send_message, server_name
from desktop_helpdesk.ui.dialogs.phone_intake import PhoneIntakeDialog
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

REPO_ROOT = Path(desktop_helpdesk.__file__).resolve().parent.parent
CALLER = NewContact(name="Mona Lisa", email="mona@louvre.example", phone="902-955-6611",
                    client_name="Louvre Learning")


def _env(tmp_path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # A window started by the command keeps its settings and log in the test's folder.
    env["HOME"] = str(tmp_path / "home")
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")
    env["XDG_STATE_HOME"] = str(tmp_path / "home" / "state")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "home" / "config")
    return env


def _call_process(tmp_path, db_path, *args) -> subprocess.Popen:
    """``desktop-helpdesk call ...`` in its own process, as the phone system runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_helpdesk", "call", *args, "--db", str(db_path)],
        env=_env(tmp_path), cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


@pytest.fixture
def opened_urls():
    return []


@pytest.fixture
def pop(window, db_path, opened_urls):
    """The window receiving calls for its database, with a fake OS that records tel: links."""
    def fake_open(url):
        opened_urls.append(url.toString())
        return True

    installed = screen_pop.install(window, database_target(str(db_path)).display, open_url=fake_open)
    assert installed.receiver.listening
    yield installed
    installed.shutdown()


def _call_popping_intake(qtbot, pop, tmp_path, db_path, *args):
    """Start ``desktop-helpdesk call ARGS`` in another process; returns it and the intake it popped
    (started inside the wait, so the hand-over cannot come before the wait listens)."""
    with qtbot.waitSignal(pop.intake_opened, timeout=20_000) as opened:
        process = _call_process(tmp_path, db_path, *args)
    return process, opened.args[0]


def test_call_from_another_process_pops_the_intake_with_the_matched_contact(qtbot, window, pop, ui, db_path,
                                                                             tmp_path):
    case = log_case(ui, "Certificates print blank", caller=CALLER)
    other = log_case(ui, "SCORM upload fails", caller=NewContact(
        name="Leo Nardo", email="leo@louvre.example", phone="902 955 7000", client_name="Louvre Learning"))
    process, dialog = _call_popping_intake(qtbot, pop, tmp_path, db_path, "--from", "+1 (902) 955-6611",
                                           "--name", "LISA MONA", "--call-id", "pbx-42")
    # From hand-over to the matched caller on screen: the real clock bounds the wait.
    qtbot.waitUntil(lambda: dialog.chosen_contact is not None, timeout=300)
    code, out, err = _finish(process)
    assert (code, err) == (0, "")
    assert out.strip() == "Handed the call from LISA MONA (+1 (902) 955-6611) to the desk window"
    assert dialog.isVisible() and dialog.windowTitle() == "Call from LISA MONA (+1 (902) 955-6611)"
    assert "Mona Lisa at Louvre Learning" in dialog.contact_label.text()
    assert dialog.live_call_field.isChecked()
    assert dialog.channel_field.currentData() == "phone"
    assert dialog.call_time.text() == "00:00"
    # Caller history beside the form: the client's open cases, the caller's own first.
    panel = dialog.caller_history
    qtbot.waitUntil(lambda: panel.cases_list.count() == 2)
    assert [c.number for c in panel.shown_cases()] == [case.number, other.number]
    first = panel.cases_list.item(0)
    assert first.text() == (f"{case.number}   Certificates print blank\n"
                            "New · Dana Desk · next due Wed 25 Nov 11:00")
    assert first.font().bold() and not panel.cases_list.item(1).font().bold()
    assert panel.selected_case().id == case.id
    dialog.reject()


def test_unknown_number_opens_the_new_contact_form_with_the_number(qtbot, window, pop, db_path, tmp_path):
    process, dialog = _call_popping_intake(qtbot, pop, tmp_path, db_path, "--from", "(506) 555-0100 x12",
                                           "--name", "Pat Newcomer")
    qtbot.waitUntil(lambda: dialog.new_contact_box.isVisible(), timeout=300)
    assert _finish(process)[0] == 0
    assert dialog.new_phone.text() == "(506) 555-0100 x12"
    assert dialog.new_name.text() == "Pat Newcomer"
    assert "Unknown number" in dialog.contact_label.text()
    assert dialog.chosen_contact is None
    dialog.reject()


def test_two_calls_at_once_queue_as_separate_intakes_and_url_forms_work(qtbot, window, pop, ui, db_path,
                                                                       tmp_path):
    log_case(ui, "Certificates print blank", caller=CALLER)
    first = _call_process(tmp_path, db_path, "tel:+1-902-955-6611")
    second = _call_process(tmp_path, db_path,
                           "desktop-helpdesk://call?from=%2B15065550100&name=Pat%20Newcomer&line=Sales")
    qtbot.waitUntil(lambda: len(pop.intakes()) == 2, timeout=20_000)
    qtbot.waitUntil(lambda: all(d.chosen_contact or d.new_contact_box.isVisible() for d in pop.intakes()))
    assert _finish(first)[0] == 0 and _finish(second)[0] == 0
    by_number = {d.call.number: d for d in pop.intakes()}
    assert set(by_number) == {"+1-902-955-6611", "+15065550100"}
    assert by_number["+1-902-955-6611"].chosen_contact.name == "Mona Lisa"
    assert by_number["+15065550100"].new_name.text() == "Pat Newcomer"
    assert by_number["+15065550100"].call.line == "Sales"
    # Each call keeps its own draft: typing in one leaves the other untouched.
    mona, pat = by_number["+1-902-955-6611"], by_number["+15065550100"]
    qtbot.keyClicks(mona.subject_field, "Blank certificates again")
    mona.save_draft()
    assert pat.subject_field.text() == ""
    assert ui.drafts.load(ui.member_id, screen_pop.intake_draft_key(mona.call)).fields["subject"] == (
        "Blank certificates again")
    # The same call handed over twice (same call id) raises its intake, no third one.
    assert pop.take_call(mona.call) is mona
    assert len(pop.intakes()) == 2
    # The window tells what it holds (the inbox's status op, used by the phone's test button).
    status = pop.status()
    assert {i["number"] for i in status["intakes"]} == {"+1-902-955-6611", "+15065550100"}
    pat.reject()
    mona.reject()


def test_no_window_running_the_command_starts_one_with_the_call(qtbot, ui, db, db_path, tmp_path):
    log_case(ui, "Certificates print blank", caller=CALLER)
    name = server_name(database_target(str(db_path)).display)
    assert send_message(name, {"op": "ping"}, timeout_ms=300) is None
    process = _call_process(tmp_path, db_path, "--from", "+1 (902) 955-6611", "--user", "dana", "--json")
    code, out, err = _finish(process)
    assert (code, err) == (0, ""), err
    started = json.loads(out)
    assert started["started_window"] and started["call"]["number"] == "+1 (902) 955-6611"
    pid = started["pid"]
    try:
        status = {}

        def shows_caller():
            nonlocal status
            status = send_message(name, {"op": "status"}, timeout_ms=2000) or {}
            return bool(status.get("intakes")) and status["intakes"][0]["contact"] == "Mona Lisa"

        qtbot.waitUntil(shows_caller, timeout=30_000)
        assert status["pid"] == pid and status["member"] == "Dana Desk"
        assert status["intakes"][0]["live_call"] is True
        # A second call now goes to that window, not to a new one.
        again = _call_process(tmp_path, db_path, "--from", "902 555 0000", "--json")
        code, out, _err = _finish(again)
        assert code == 0 and json.loads(out)["started_window"] is False
    finally:
        os.kill(pid, 15)
        QLocalServer.removeServer(name)


def test_command_errors_are_one_line_with_exit_codes(db, db_path):
    def run(*argv):
        out, err = io.StringIO(), io.StringIO()
        code = call_main(list(argv), out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    code, _out, err = run("--from", "anonymous", "--db", str(db_path))
    assert code == 2 and err.strip() == "desktop-helpdesk call: error: --from: 'anonymous' is not a phone number (it needs digits)"
    code, _out, err = run("mailto:x@y.example", "--db", str(db_path))
    assert code == 2 and err.count("\n") == 1 and "is not a tel:, callto:" in err
    code, _out, err = run("--db", str(db_path))
    assert code == 2 and "--from: the caller's number is required" in err
    code, _out, err = run("--from", "9029556611", "--db", str(db_path), "--no-start")
    assert code == 1 and err.strip() == (
        "desktop-helpdesk call: error: no desk window is running for this user and database (--no-start)")

    class DeadWindow:
        pid = 4242

        def wait(self, timeout=None):
            return 3

        def poll(self):
            return 3

    out, err_io = io.StringIO(), io.StringIO()
    code = call_main(["--from", "9029556611", "--db", str(db_path)], out=out, err=err_io,
                     start_window=lambda args, call: DeadWindow())
    assert code == 1
    assert err_io.getvalue().startswith("desktop-helpdesk call: error: the desk window could not start (exit 3)")


def test_dismissed_call_leaves_a_missed_call_note_that_becomes_a_case(qtbot, window, pop, ui, clock,
                                                                     opened_urls):
    log_case(ui, "Certificates print blank", caller=CALLER)
    dialog = pop.take_call(new_call("+1 902 955 6611", rang_at=clock.now(), line="Support"))
    qtbot.waitUntil(lambda: dialog.chosen_contact is not None)
    with qtbot.waitSignal(pop.missed_calls_changed, timeout=5000):
        dialog.reject()
    notes = pop.missed_calls()
    assert [n.who for n in notes] == ["Mona Lisa (+1 902 955 6611)"]
    assert pop.calls_button.text() == "Calls · 1 missed"
    # Reachable from the window: the Calls menu lists it with "Log a case…".
    pop.calls_menu.aboutToShow.emit()  # what opening the menu does
    titles = [a.text() for a in pop.calls_menu.actions()]
    assert any(t.startswith("Missed call from Mona Lisa (+1 902 955 6611)") for t in titles)

    callback = next(a for a in pop.calls_menu.actions() if a.menu() is not None).menu()
    assert [a.text() for a in callback.actions()] == [
        "Log a case…", "Call back +1 902 955 6611", "Dismiss (needs nothing)"]
    assert pop.call_back(notes[0])
    assert opened_urls == ["tel:+19029556611"]
    intake = pop.open_missed_call(notes[0])
    qtbot.waitUntil(lambda: intake.chosen_contact is not None)
    qtbot.keyClicks(intake.subject_field, "Called back about certificates")
    with qtbot.waitSignal(pop.missed_calls_changed, timeout=5000):
        assert intake.log_case()
    assert pop.missed_calls() == []
    note = PhoneCallRecord.get_by_id(notes[0].id)
    assert (note.state, note.case_id) == ("taken", intake.outcome.logged_case.id)
    intake.accept()


def test_ctrl_d_adds_the_call_to_the_callers_open_case_instead_of_a_duplicate(qtbot, window, pop, ui, clock):
    case = log_case(ui, "Certificates print blank", caller=CALLER)
    dialog = pop.take_call(new_call("9029556611", rang_at=clock.now()))
    qtbot.waitUntil(lambda: dialog.caller_history.cases_list.count() == 1)
    clock.advance(timedelta(minutes=3, seconds=12))
    qtbot.keyClicks(dialog.subject_field, "Still blank after the font fix")
    with qtbot.waitSignal(dialog.case_logged, timeout=5000) as logged:
        qtbot.keyClick(dialog.subject_field, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert logged.args == [case.id]
    assert dialog.case_number_label.text() == case.number
    assert "Call added" in dialog.result_heading.text()
    interaction = InteractionRecord.select().where(InteractionRecord.case == case.id).order_by(
        InteractionRecord.id.desc()).first()
    assert (interaction.channel, interaction.direction, interaction.duration_seconds) == ("phone", "inbound", 192)
    assert interaction.summary == "Still blank after the font fix"
    # Only one case: nothing duplicated; and a handled call leaves no missed-call note.
    assert ui.services.calls.missed_calls() == []
    dialog.accept()
    qtbot.waitUntil(lambda: not pop.intakes())
    assert PhoneCallRecord.select().count() == 0


def test_ctrl_n_intake_shows_caller_history_too(qtbot, window, ui):
    case = log_case(ui, "Certificates print blank", caller=CALLER)
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.caller_field, "955 6611")
    qtbot.waitUntil(lambda: dialog.matches.count() == 1)
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.caller_history.cases_list.count() == 1)
    assert dialog.caller_history.shown_cases()[0].number == case.number
    assert dialog.caller_history.add_button.text().startswith(f"Add this call to {case.number}")
    dialog.reject()


def test_phone_link_dials_and_end_call_logs_the_duration(qtbot, window, pop, ui, clock, opened_urls):
    case = log_case(ui, "Certificates print blank", caller=NewContact(
        name="Mona Lisa", email="mona@louvre.example", phone="+1 (902) 955-6611 x204",
        client_name="Louvre Learning"))
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.detail.case_id == case.id)
    contact = window.detail.header.info["contact"]
    assert '<a href="tel:+19029556611;ext=204">' in contact.text()
    with qtbot.waitSignal(pop.outbound_started, timeout=5000) as started:
        contact.linkActivated.emit("tel:+19029556611;ext=204")
    assert opened_urls == ["tel:+19029556611;ext=204"]
    call = started.args[0]
    row = pop.call_bar.row(call.id)
    assert row.isVisible() and "On the phone with Mona Lisa" in row.title.text()
    clock.advance(timedelta(minutes=2, seconds=5))
    window.ticker.ticked.emit(clock.now())
    assert row.timer_label.text() == "02:05"
    row.end()  # an empty summary is refused in place
    assert row.error_label.text() == "Say in a line what was said"
    qtbot.keyClicks(row.summary_field, "Walked Mona through the font pack")
    with qtbot.waitSignal(pop.outbound_ended, timeout=5000):
        qtbot.keyClick(row.summary_field, Qt.Key.Key_Return)
    interaction = InteractionRecord.select().where(InteractionRecord.case == case.id,
                                                   InteractionRecord.direction == "outbound").get()
    assert (interaction.channel, interaction.duration_seconds) == ("phone", 125)
    assert interaction.summary == "Walked Mona through the font pack"
    assert pop.call_bar.call_ids() == []
    assert PhoneCallRecord.get_by_id(call.id).state == "logged"


def test_own_tel_link_handed_back_is_not_taken_for_a_caller(qtbot, window, pop, ui, clock):
    case = log_case(ui, "Certificates print blank", caller=CALLER)
    window.open_case(case.id)
    qtbot.waitUntil(lambda: window.detail.case_id == case.id)
    with qtbot.waitSignal(pop.outbound_started, timeout=5000):
        window.detail.header.dial_requested.emit("902-955-6611")
    # tel: registered to the desk itself: the dialled number comes straight back as a "call".
    assert pop.take_call(new_call("+19029556611", rang_at=clock.now())) is None
    assert pop.intakes() == []
    assert "softphone" in window.statusBar().currentMessage()
    clock.advance(timedelta(minutes=1))
    echo_later = pop.take_call(new_call("+19029556611", rang_at=clock.now()))
    assert echo_later is not None  # a real call back later is a caller again
    echo_later.reject()


def test_calls_running_at_the_last_close_come_back_with_their_timers(qtbot, window, ui, clock, db_path):
    case = log_case(ui, "Certificates print blank", caller=CALLER)
    running = ui.services.calls.start_outbound_call(ui.member_id, case.id, "902-955-6611")
    clock.advance(timedelta(seconds=75))
    pop = screen_pop.install(window, database_target(str(db_path)).display, open_url=lambda url: True)
    try:
        qtbot.waitUntil(lambda: pop.call_bar.row(running.id) is not None)
        assert pop.call_bar.row(running.id).timer_label.text() == "01:15"
    finally:
        pop.shutdown()


def test_linux_desktop_file_registers_the_url_schemes():
    from configparser import ConfigParser

    entry = ConfigParser(interpolation=None)
    entry.read(REPO_ROOT / "packaging" / "linux" / "desktop-helpdesk-call.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"] == "desktop-helpdesk call %u"
    schemes = {m for m in section["MimeType"].split(";") if m}
    assert schemes == {"x-scheme-handler/desktop-helpdesk", "x-scheme-handler/callto", "x-scheme-handler/tel"}


def test_intake_closed_while_its_lookups_run_ignores_their_answers(qtbot, window, pop, ui, clock):
    log_case(ui, "Certificates print blank", caller=CALLER)
    dialog = pop.take_call(new_call("9029556611", rang_at=clock.now()))
    qtbot.waitUntil(lambda: dialog.chosen_contact is not None)
    # Both pool threads are held, so the history look-up queued next cannot answer before
    # the dialog is gone.
    release = threading.Event()
    for _ in range(2):
        window.pool.submit(release.wait, 10, on_finished=lambda _result: None)
    dialog.caller_history.show_contact(dialog.chosen_contact.contact_id)
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not window.pool.busy, timeout=5000)
    # The missed call was still noted (the look-up result had nowhere to go, and no error).
    qtbot.waitUntil(lambda: len(pop.missed_calls()) == 1, timeout=5000)


def _spare_intakes(window) -> list[PhoneIntakeDialog]:
    return [dialog for dialog in window.findChildren(PhoneIntakeDialog, "callIntakeDialog")
            if dialog.built and not dialog.isVisible()]


def test_a_handed_over_call_opens_an_intake_built_while_the_phone_was_quiet(qtbot, window, pop, ui, clock):
    log_case(ui, "Certificates print blank", caller=CALLER)
    qtbot.waitUntil(lambda: len(_spare_intakes(window)) == 1, timeout=5000)
    spare, = _spare_intakes(window)
    dialog = pop.take_call(new_call("9029556611", rang_at=clock.now()))
    # The ringing call built nothing: the form built in a quiet moment is the one shown.
    assert dialog is spare and dialog.isVisible() and pop.intakes() == [dialog]
    assert dialog.windowTitle().startswith("Call from")
    qtbot.waitUntil(lambda: dialog.chosen_contact is not None)
    assert dialog.chosen_contact.name == "Mona Lisa"
    # Meanwhile the next call's intake is built (a new one: this one goes with its call).
    qtbot.waitUntil(lambda: len(_spare_intakes(window)) == 1, timeout=5000)
    assert _spare_intakes(window)[0] is not dialog
    dialog.reject()
