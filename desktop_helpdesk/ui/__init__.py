"""Qt user interface: item models, widgets, dialogs and the main window (thin over services)."""
