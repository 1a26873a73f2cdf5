"""Start-up's objects leave the garbage collector's sight once the first list shows."""

import gc

import pytest

from desktop_helpdesk.app import freeze_startup_heap
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as before


def test_the_first_list_freezes_the_start_up_heap_once(qtbot, window, ui, unfrozen):
    log_case(ui, "Printer offline")
    freeze_startup_heap(window)
    assert gc.get_freeze_count() == 0
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    frozen = gc.get_freeze_count()
    # The window and its widgets' wrappers are among the frozen objects: thousands at least.
    assert frozen > 5_000
    gc.unfreeze()
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert gc.get_freeze_count() == 0  # once: later lists leave the collector alone
