"""Errors the services raise; the UI shows their messages as they are."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service method raises on purpose."""


class ValidationError(ServiceError):
    """Input that cannot be accepted; ``field`` names the offending input.

    Args:
        field: the name of the argument or form field (e.g. ``"subject"``, ``"email"``).
        message: a sentence for the user.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PermissionDenied(ServiceError):
    """The acting member may not do this (role, inactive account)."""


class WorkflowError(ServiceError):
    """The case's status does not allow this action (e.g. editing a closed case)."""


class ConflictError(ServiceError):
    """Another workstation changed the case since it was read; reload and try again.

    Args:
        case_id: the case.
        expected_version: the version the caller had.
        actual_version: the version stored now.
    """

    def __init__(self, case_id: int, expected_version: int, actual_version: int) -> None:
        super().__init__(
            f"Case {case_id} was changed elsewhere (you had version {expected_version}, "
            f"it is now {actual_version}); reload it and try again"
        )
        self.case_id = case_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class NotFoundError(ServiceError):
    """No such record (case, member, contact, client, attachment)."""
