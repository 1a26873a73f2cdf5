"""Friendly wording for service errors (the message names the field; never a traceback)."""

from __future__ import annotations

from desktop_helpdesk.services.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ServiceError,
    ValidationError,
    WorkflowError,
)

_FIELD_NAMES = {
    "told_via": "How the client was told",
    "summary": "Summary",
    "target_name": "Team or person",
    "expected_version": "Case version",
}


def field_label(field: str) -> str:
    """A form label for a service field name: ``"target_name"`` -> ``"Team or person"``."""
    return _FIELD_NAMES.get(field, field.replace("_", " ").capitalize())


def friendly_message(error: ServiceError) -> str:
    """One or two sentences for the user explaining what went wrong and what to do."""
    if isinstance(error, ValidationError):
        return f"{field_label(error.field)}: {error.message}"
    if isinstance(error, ConflictError):
        return (
            "Someone else changed this case on another workstation while you were editing. "
            "Nothing was overwritten and your text is kept — press Reload to see their "
            "changes, then save again."
        )
    if isinstance(error, PermissionDenied):
        return f"Not allowed: {error}"
    if isinstance(error, WorkflowError):
        return str(error)
    if isinstance(error, NotFoundError):
        return f"Not found: {error}"
    return str(error)
