"""Qt widgets for the desk window."""
