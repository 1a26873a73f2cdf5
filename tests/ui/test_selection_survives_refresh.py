"""An agent's multi-row selection survives the list's refresh (the 30 s reload)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _three_cases_selected(qtbot, window, ui):
    """Three cases in the list, the first shown, all three selected (Ctrl+A)."""
    cases = [log_case(ui, f"Outage {n}") for n in range(3)]
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert window.select_case(cases[0].id)
    qtbot.waitUntil(lambda: window.detail.case_id == cases[0].id)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(window.selected_case_ids()) == {c.id for c in cases}
    return cases


def test_a_refresh_keeps_the_selected_rows(qtbot, window, ui):
    cases = _three_cases_selected(qtbot, window, ui)
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert set(window.selected_case_ids()) == {c.id for c in cases}
    settle(qtbot, window)


def test_a_refresh_that_brings_a_new_case_keeps_the_selected_rows(qtbot, window, ui):
    cases = _three_cases_selected(qtbot, window, ui)
    newcomer = log_case(ui, "Another outage")
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert newcomer.id in window.model.ids()
    assert set(window.selected_case_ids()) == {c.id for c in cases}
    assert window.detail.case_id == cases[0].id
    settle(qtbot, window)
