"""Errors the services raise, and the shared field checks that raise them; the UI shows their
messages as they are."""

from __future__ import annotations

from desktop_helpdesk.domain.cases import is_valid_email, phone_digits


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


class ReadOnlyError(ServiceError):
    """The database was opened read-only (the file or its folder is not writable), so no
    change can be saved; the message names the file."""


def check_email(field: str, value: str) -> None:
    """Refuse an address that is given but is not an email address ("" means unknown).

    Args:
        field: the field named in the error.
        value: the address as typed (surrounding spaces are ignored).

    Raises:
        ValidationError: naming ``field`` and quoting ``value``.
    """
    if value.strip() and not is_valid_email(value.strip()):
        raise ValidationError(field, f"{value!r} is not an email address")


def check_phone(field: str, value: str) -> None:
    """Refuse a phone number that is given but has no digits ("" means unknown).

    Args:
        field: the field named in the error.
        value: the number in any formatting.

    Raises:
        ValidationError: naming ``field`` and quoting ``value``.
    """
    if value.strip() and not phone_digits(value):
        raise ValidationError(field, f"{value!r} has no digits")
