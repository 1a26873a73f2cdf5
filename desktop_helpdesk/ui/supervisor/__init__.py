"""Supervisor view: team queue review, reassignment, report panels with charts, and exports."""
