"""Screen-pop and dialling out: calls handed over by the phone system open their own intake,
missed calls wait under Calls, phone links dial through the softphone and time the call."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from desktop_helpdesk.domain.cases import phone_digits, phone_variants
from desktop_helpdesk.domain.phone_calls import (
    IncomingCall,
    call_from_url,
    new_call,
    strip_extension,
    tel_url,
)
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.services.phone_calls import PhoneCallInfo
from desktop_helpdesk.ui.call_handoff import CallReceiver, server_name
from desktop_helpdesk.ui.dialogs.phone_intake import PhoneIntakeDialog
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.widgets.outbound_call_bar import OutboundCallBar, call_duration_text

log = logging.getLogger(__name__)

# Each queued call's intake opens this far below and right of the previous one, so the agent
# sees at a glance that several callers are waiting.
_CASCADE_PX = 36
# The next handed-over call's intake starts building this long after the window (or the last call).
SPARE_INTAKE_MS = 1000
# A "call" for a number this window dialled moments ago is its own tel: link coming back
# (tel: registered to Desktop Helpdesk instead of the softphone), not a caller.
_OWN_DIAL_ECHO = timedelta(seconds=15)


def intake_draft_key(call: IncomingCall) -> str:
    """The draft key of one call's intake (drafts keys are at most 64 characters)."""
    return "call:" + hashlib.sha256(call.key.encode()).hexdigest()[:24]


class ScreenPop(QObject):
    """Takes calls for the window: one intake per ringing call (a queue of drafts), missed-call
    notes for intakes dismissed unlogged, and outbound calls dialled from phone links.

    Signals:
        intake_opened(object): the ``PhoneIntakeDialog`` opened for a handed-over call.
        caller_shown(object): that dialog now shows the matched caller (or the new-contact form).
        missed_calls_changed(int): how many missed-call notes wait.
        outbound_started(object), outbound_ended(int): a ``PhoneCallInfo`` began / its id ended.

    Args:
        window: the main window (its pool, ticker, detail panel, status bar).
        open_url: opens a ``tel:`` URL in the system's phone program (tests pass a fake).
    """

    intake_opened = Signal(object)
    caller_shown = Signal(object)
    missed_calls_changed = Signal(int)
    outbound_started = Signal(object)
    outbound_ended = Signal(int)

    def __init__(self, window, open_url: Callable[[QUrl], bool] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("screenPop")
        self._window = window
        self._ui = window.ui_context
        self._pool = window.pool
        self._open_url = open_url or QDesktopServices.openUrl
        self._intakes: dict[str, PhoneIntakeDialog] = {}
        self._missed: list[PhoneCallInfo] = []
        self._dialled: dict[str, datetime] = {}
        self.receiver: CallReceiver | None = None
        # An intake built ahead, a piece per pause, for the next call handed over: building one
        # under the style sheet takes longer than a frame while the phone rings.
        self._spare: PhoneIntakeDialog | None = None
        self._spare_timer = QTimer(self)
        self._spare_timer.setObjectName("spareCallIntakeTimer")
        self._spare_timer.setSingleShot(True)
        self._spare_timer.timeout.connect(self._prepare_spare_intake)
        self._spare_timer.start(SPARE_INTAKE_MS)

        self.calls_button = QToolButton(window)
        self.calls_button.setObjectName("callsButton")
        self.calls_button.setIcon(icon("phone"))
        self.calls_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.calls_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calls_button.setToolTip("Calls ringing now and missed calls (Ctrl+Shift+M)")
        self.calls_menu = QMenu(self.calls_button)
        self.calls_menu.setObjectName("callsMenu")
        self.calls_menu.aboutToShow.connect(self._fill_calls_menu)
        self.calls_button.setMenu(self.calls_menu)
        self.action_calls = QAction("Calls", window)
        self.action_calls.setObjectName("actionCalls")
        self.action_calls.setShortcut("Ctrl+Shift+M")
        self.action_calls.triggered.connect(self.calls_button.showMenu)
        window.addAction(self.action_calls)
        toolbar = window.findChild(QToolBar, "mainToolBar")
        if toolbar is not None:
            toolbar.insertWidget(toolbar.actions()[1] if len(toolbar.actions()) > 1 else None,
                                 self.calls_button)
        self._update_calls_button()

        self.call_bar = OutboundCallBar(window)
        self._call_toolbar = QToolBar("Calls in progress", window)
        self._call_toolbar.setObjectName("outboundCallToolBar")
        self._call_toolbar.setMovable(False)
        self._call_toolbar.addWidget(self.call_bar)
        self._call_toolbar.hide()
        window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self._call_toolbar)
        self.call_bar.end_requested.connect(self.end_outbound_call)
        self.call_bar.cancel_requested.connect(self.cancel_outbound_call)
        window.ticker.ticked.connect(self.call_bar.on_ticked)
        window.refreshed.connect(self.reload_missed_calls)
        window.detail.header.dial_requested.connect(self.dial)

    # -- receiving calls -------------------------------------------------------------------
    def listen(self, name: str) -> bool:
        """Receive calls handed over on ``name`` (see ``call_handoff.server_name``)."""
        self.receiver = CallReceiver(name, self.status, self)
        self.receiver.call_received.connect(self.take_call)
        return self.receiver.listen()

    def status(self) -> dict:
        """What the window holds, for the inbox's ``status`` op (tests, diagnostics)."""
        intakes = []
        for dialog in self._intakes.values():
            contact = dialog.chosen_contact
            intakes.append({
                "number": dialog.call.number if dialog.call else "",
                "contact": contact.name if contact else "",
                "new_contact": dialog.new_contact_box.isVisible(),
                "new_contact_phone": dialog.new_phone.text(),
                "live_call": dialog.live_call_field.isChecked(),
                "call_time": dialog.call_time.text(),
                "title": dialog.windowTitle(),
            })
        return {"member": self._ui.member_name, "intakes": intakes, "missed": len(self._missed)}

    def take_call(self, call: IncomingCall, missed_call_id: int | None = None) -> PhoneIntakeDialog | None:
        """Bring the window to the front with an intake for ``call`` (its own draft, its own
        timer from the ring); the caller is matched on the worker pool. None when the "call"
        is this window's own outbound tel: link handed back to it."""
        window = self._window
        dialled = self._dialled.get(call.digits)
        if dialled is not None and self._ui.clock.now() - dialled <= _OWN_DIAL_ECHO:
            log.warning("tel: link for %s came back to the desk: tel: is not set to the softphone",
                        call.number)
            window.statusBar().showMessage(
                "tel: links open Desktop Helpdesk itself, not your softphone: make the softphone "
                "the tel: handler (see README, Connecting your phone)", 20_000)
            return None
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        existing = self._intakes.get(call.key)
        if existing is not None:
            # The same call handed over twice (some softphones run the command per line).
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog = self._spare_intake()
        # The next call's intake is built in the pauses after this one shows.
        self._spare = None
        self._spare_timer.start(SPARE_INTAKE_MS)
        dialog.answer_call(call, intake_draft_key(call))
        dialog.missed_call_id = missed_call_id
        dialog.contact_label.setText(f"Looking up {call.number}…")
        dialog.case_logged.connect(window.open_case)
        dialog.case_logged.connect(lambda case_id, d=dialog: self._on_intake_case_logged(d, case_id))
        dialog.finished.connect(lambda _result, d=dialog: self._on_intake_finished(d))
        dialog.finished.connect(dialog.deleteLater)
        queued = len(self._intakes)
        self._intakes[call.key] = dialog
        # Wider than a typed-in intake: the caller's open cases need room beside the form.
        dialog.resize(max(dialog.width(), 1280), max(dialog.height(), 720))
        dialog.open()
        if queued:
            dialog.move(dialog.pos().x() + _CASCADE_PX * queued, dialog.pos().y() + _CASCADE_PX * queued)
            window.statusBar().showMessage(f"{queued + 1} calls waiting — each has its own intake", 10_000)
        dialog.raise_()
        dialog.activateWindow()
        self.intake_opened.emit(dialog)
        self._pool.submit(
            self._ui.services.calls.match_caller,
            call.number,
            on_finished=lambda matches, key=call.key: self._on_caller_matched(key, matches),
            on_failed=lambda error, key=call.key: self._on_caller_matched(key, []),
        )
        return dialog

    def _spare_intake(self) -> PhoneIntakeDialog:
        if self._spare is None:
            self._spare = PhoneIntakeDialog(self._ui, self._window, pool=self._pool, prepared=True)
            self._spare.setObjectName("callIntakeDialog")
        return self._spare

    def _prepare_spare_intake(self) -> None:
        if not self._spare_intake().construct_step():
            self._spare_timer.start(0)

    def take_call_url(self, url: str) -> PhoneIntakeDialog | None:
        """A call given on the window's command line (``--call URL``)."""
        try:
            call = call_from_url(url, rang_at=self._ui.clock.now())
        except ValueError as error:
            log.warning("--call %s: %s", url, error)
            self._window.statusBar().showMessage(f"Could not read the call: {error}", 15_000)
            return None
        return self.take_call(call)

    def intakes(self) -> list[PhoneIntakeDialog]:
        """The call intakes open now, oldest first."""
        return list(self._intakes.values())

    def _on_caller_matched(self, key: str, matches) -> None:
        dialog = self._intakes.get(key)
        if dialog is None:
            return
        dialog.show_incoming_call(matches)
        self.caller_shown.emit(dialog)

    def _on_intake_case_logged(self, dialog: PhoneIntakeDialog, case_id: int) -> None:
        # A case logged from a missed-call note closes the note (adding to a case does it in
        # the same transaction as the interaction).
        if dialog.missed_call_id is not None and dialog.outcome.logged_case is not None:
            calls, member, note = self._ui.services.calls, self._ui.member_id, dialog.missed_call_id
            self._pool.submit(lambda: calls.take_missed_call(member, note, case_id),
                              on_finished=lambda _info: self.reload_missed_calls(),
                              on_failed=self._on_failed)

    def _on_intake_finished(self, dialog: PhoneIntakeDialog) -> None:
        call = dialog.call
        for key, open_dialog in list(self._intakes.items()):
            if open_dialog is dialog:
                del self._intakes[key]
        if call is None or dialog.outcome.handled or dialog.missed_call_id is not None:
            return
        # Dismissed without logging: the caller is not lost, a note waits under Calls.
        calls, drafts, member = self._ui.services.calls, self._ui.drafts, self._ui.member_id
        contact = dialog.chosen_contact
        contact_id = contact.contact_id if contact is not None else None
        draft_key = intake_draft_key(call)

        def work():
            note = calls.record_missed_call(member, call, contact_id)
            drafts.discard(member, draft_key)
            return note

        self._pool.submit(work, on_finished=self._on_missed_recorded, on_failed=self._on_failed)

    def _on_missed_recorded(self, note: PhoneCallInfo) -> None:
        self._window.statusBar().showMessage(f"Missed call from {note.who} — kept under Calls", 15_000)
        self.reload_missed_calls()

    # -- missed calls ----------------------------------------------------------------------
    def reload_missed_calls(self) -> None:
        """Fetch the missed-call notes in the background (also every 30 s refresh)."""
        self._pool.submit(self._ui.services.calls.missed_calls, on_finished=self._on_missed_loaded,
                          on_failed=self._on_failed)

    def _on_missed_loaded(self, notes: list[PhoneCallInfo]) -> None:
        self._missed = list(notes)
        self._update_calls_button()
        self.missed_calls_changed.emit(len(self._missed))

    def missed_calls(self) -> list[PhoneCallInfo]:
        return list(self._missed)

    def open_missed_call(self, note: PhoneCallInfo) -> PhoneIntakeDialog:
        """Turn a missed-call note into a case: its intake opens with the caller, and logging
        (or adding the call to an open case) closes the note."""
        call = new_call(note.number, rang_at=note.started_at, name=note.caller_name, line=note.line,
                        call_id=f"missed-{note.id}")
        return self.take_call(call, missed_call_id=note.id)

    def call_back(self, note: PhoneCallInfo) -> bool:
        """Dial a missed caller through the softphone; the note stays until a case is logged
        from it (Log a case…) or it is dismissed."""
        if self._open_url(QUrl(tel_url(note.number))):
            self._window.statusBar().showMessage(f"Calling {note.who} back…", 10_000)
            return True
        self._window.statusBar().showMessage(
            f"No phone program takes tel: links on this computer: dial {note.number} by hand", 15_000)
        return False

    def dismiss_missed_call(self, note: PhoneCallInfo) -> None:
        calls, member = self._ui.services.calls, self._ui.member_id
        self._pool.submit(lambda: calls.dismiss_missed_call(member, note.id, "Needs nothing"),
                          on_finished=lambda _info: self.reload_missed_calls(), on_failed=self._on_failed)

    def _update_calls_button(self) -> None:
        count = len(self._missed)
        self.calls_button.setText(f"Calls · {count} missed" if count else "Calls")
        self.calls_button.setProperty("attention", bool(count))

    def _fill_calls_menu(self) -> None:
        menu = self.calls_menu
        menu.clear()
        now = self._ui.clock.now()
        if self._intakes:
            menu.addSection("Ringing now")
            for dialog in self._intakes.values():
                call = dialog.call
                seconds = int((now - call.started_on_desk(now)).total_seconds()) if call else 0
                action = menu.addAction(f"{call.display if call else 'Call'} · {call_duration_text(seconds)}")
                action.triggered.connect(lambda _checked=False, d=dialog: (d.raise_(), d.activateWindow()))
        menu.addSection("Missed calls")
        if not self._missed:
            menu.addAction("No missed calls").setEnabled(False)
        zone = self._ui.desk_zone
        for note in self._missed:
            when = note.started_at.astimezone(zone).strftime("%a %H:%M")
            sub = menu.addMenu(f"Missed call from {note.who} · {when}")
            sub.setObjectName(f"missedCallMenu{note.id}")
            sub.addAction("Log a case…", lambda n=note: self.open_missed_call(n))
            sub.addAction(f"Call back {note.number}", lambda n=note: self.call_back(n))
            sub.addAction("Dismiss (needs nothing)", lambda n=note: self.dismiss_missed_call(n))

    # -- dialling out ----------------------------------------------------------------------
    def dial(self, number: str) -> None:
        """Dial ``number`` for the case on screen: the system's phone program gets the ``tel:``
        link and the call's timer starts (logged with its duration at End call)."""
        case_id = self._window.detail.case_id
        if case_id is None:
            return
        url = QUrl(tel_url(number))
        # Both forms of a North American number: the softphone may hand back +1 or not.
        for digits in phone_variants(phone_digits(strip_extension(number))):
            self._dialled[digits] = self._ui.clock.now()
        if not self._open_url(url):
            self._window.statusBar().showMessage(
                f"No phone program takes tel: links on this computer: dial {number} by hand "
                "(the call is timed all the same)", 15_000)
        calls, member = self._ui.services.calls, self._ui.member_id
        self._pool.submit(lambda: calls.start_outbound_call(member, case_id, number),
                          on_finished=self._on_outbound_started, on_failed=self._on_failed)

    def _on_outbound_started(self, call: PhoneCallInfo) -> None:
        self.call_bar.add_call(call, self._ui.clock.now())
        self._call_toolbar.show()
        self.outbound_started.emit(call)

    def restore_calls_in_progress(self) -> None:
        """Outbound calls still running from before a restart come back with their timers."""
        calls, member = self._ui.services.calls, self._ui.member_id
        self._pool.submit(lambda: calls.calls_in_progress(member),
                          on_finished=lambda found: [self._on_outbound_started(c) for c in found],
                          on_failed=self._on_failed)

    def end_outbound_call(self, call_id: int, summary: str) -> None:
        calls, member = self._ui.services.calls, self._ui.member_id
        self._pool.submit(lambda: calls.end_outbound_call(member, call_id, summary=summary),
                          on_finished=lambda logged: self._on_outbound_ended(call_id, logged.case.id),
                          on_failed=lambda error: self._on_outbound_failed(call_id, error))

    def cancel_outbound_call(self, call_id: int) -> None:
        calls, member = self._ui.services.calls, self._ui.member_id
        self._pool.submit(lambda: calls.cancel_outbound_call(member, call_id),
                          on_finished=lambda info: self._on_outbound_ended(call_id, info.case_id),
                          on_failed=lambda error: self._on_outbound_failed(call_id, error))

    def _on_outbound_ended(self, call_id: int, case_id: int | None) -> None:
        self.call_bar.remove_call(call_id)
        self._call_toolbar.setVisible(bool(self.call_bar.call_ids()))
        if case_id is not None and self._window.detail.case_id == case_id:
            self._window.detail.reload(keep_text=True)
        self._window.refresh()
        self.outbound_ended.emit(call_id)

    def _on_outbound_failed(self, call_id: int, error: Exception) -> None:
        row = self.call_bar.row(call_id)
        if row is not None:
            row.set_busy(False)
            row.show_error(friendly_message(error) if isinstance(error, ServiceError) else "Could not log the call")

    def _on_failed(self, error: Exception) -> None:
        text = friendly_message(error) if isinstance(error, ServiceError) else "see the log file"
        self._window.statusBar().showMessage(f"Phone: {text}", 15_000)

    def shutdown(self) -> None:
        if self.receiver is not None:
            self.receiver.close()


def install(window, database_display: str, *, call_url: str | None = None,
            open_url: Callable[[QUrl], bool] | None = None) -> ScreenPop:
    """Give the window its call inbox (for this OS user and database), the Calls button, and
    dialling from phone links; ``call_url`` is a call to show at once (``--call``)."""
    pop = ScreenPop(window, open_url=open_url)
    window.screen_pop = pop
    if not pop.listen(server_name(database_display)):
        window.statusBar().showMessage("Another Desktop Helpdesk window receives the phone's calls", 10_000)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(pop.shutdown)
    pop.reload_missed_calls()
    pop.restore_calls_in_progress()
    if call_url:
        pop.take_call_url(call_url)
    return pop
