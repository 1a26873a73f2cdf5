"""Qt user interface: item models, widgets, dialogs and the main window (thin over services)."""

from desktop_helpdesk.ui.pyside_workarounds import protect_singletons

# Before any Qt call of ours: PySide6 6.12.0 loses a reference to None on every void method
# call, which aborts long sessions and long PDF exports (see protect_singletons).
protect_singletons()
