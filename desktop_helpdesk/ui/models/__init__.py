"""Qt models for the desk window."""
