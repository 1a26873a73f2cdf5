"""Qt dialogs for the desk window."""
