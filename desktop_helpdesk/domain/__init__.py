"""Domain layer: calendar and SLA arithmetic, policy and workflow rules (no Qt, no peewee)."""
