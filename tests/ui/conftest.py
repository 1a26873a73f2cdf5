"""UI fixtures: the real window over a real SQLite file, one member at the desk, a manual clock."""

import logging

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.main_window import MainWindow

# The offscreen platform (CI, headless runs) warns when a dialog asks for window-manager size
# hints; it says nothing about our code.
OFFSCREEN_NOISE = ("^This plugin does not support (propagateSizeHints|raise)",)


@pytest.fixture
def services(db, clock):
    return Services.create(clock)


@pytest.fixture
def member(services):
    """Dana runs the desk alone, so every new case is assigned to her."""
    return services.team.bootstrap_admin("dana", "Dana Desk")


@pytest.fixture
def ui(services, member, clock):
    return UiContext.for_member(services, clock, member)


@pytest.fixture
def notifications():
    return []


@pytest.fixture
def make_window(qtbot, ui, notifications):
    """Builds windows; each is shut down (workers joined) before the database closes."""
    windows = []

    def build(context=None, **options):
        window = MainWindow(context or ui, notify=lambda title, text: notifications.append((title, text)),
                            **options)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.list_loaded, timeout=5000):
            window.show()
        qtbot.waitUntil(lambda: not window.pool.busy, timeout=5000)
        windows.append(window)
        return window

    yield build
    # What is still running after this is reported by the autouse no_dangling_qt_work.
    for window in windows:
        window.shutdown()


@pytest.fixture
def window(make_window):
    return make_window()


def log_case(ui, subject="Printer offline", *, channel="email", priority="medium", caller=None):
    """Log a case through the real service (as the signed-in member)."""
    return ui.services.cases.log_case(
        ui.member_id,
        subject=subject,
        channel=channel,
        requested_priority=priority,
        new_contact=caller
        or NewContact(name="Carol Client", email="carol@acme.example", phone="902 555 0142",
                      client_name="Acme Learning"),
    )


class QueryCounter(logging.Handler):
    """Counts SQL statements peewee logs (it logs every query at DEBUG)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


@pytest.fixture
def count_queries():
    logger = logging.getLogger("peewee")
    handler = QueryCounter()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def settle(qtbot, timeout=5000):
    """Wait until every window's background work (case reads, commands, saves) has landed."""
    from PySide6.QtWidgets import QApplication

    def idle():
        return not any(
            isinstance(widget, MainWindow) and (widget.pool.busy or widget.case_load_pending)
            for widget in QApplication.topLevelWidgets()
        )

    qtbot.waitUntil(idle, timeout=timeout)


def type_a_new_caller(qtbot, dialog, name: str) -> None:
    """Type a caller nobody knows into the intake and press Enter: the new-contact fields open
    once the look-up (on the pool) has answered."""
    qtbot.keyClicks(dialog.caller_field, name)
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)


def leave_a_new_caller_draft(qtbot, window):
    """Type a High-priority email call from a new caller of a new client into the intake, then
    close it: what is left is a call draft ("Nora Newcaller", "Bishop Labs"). Returns the
    closed dialog."""
    dialog = window.open_phone_intake()
    type_a_new_caller(qtbot, dialog, "Nora Newcaller")
    qtbot.keyClicks(dialog.client_field, "Bishop Labs")
    qtbot.keyClicks(dialog.subject_field, "Whole school cannot sign in")
    dialog.priority_field.setCurrentIndex(dialog.priority_field.findData("high"))
    dialog.channel_field.setCurrentIndex(dialog.channel_field.findData("email"))
    dialog.reject()
    settle(qtbot)
    return dialog
