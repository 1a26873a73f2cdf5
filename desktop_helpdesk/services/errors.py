"""Errors the services raise, and the shared field checks that raise them; the UI shows their
messages as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeVar

from peewee import BigIntegerField, CharField, Field, IntegerField, Model

from desktop_helpdesk.domain.cases import is_valid_email, phone_digits
from desktop_helpdesk.storage.records import ContactRecord

# The earliest instant a desk can mean: nothing this desk handles happened before 2000, and
# anything older is a typo (year 999 or 1 would also break the calendar arithmetic).
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
# How far a typed instant may be ahead of the workstation clock (clocks drift a little).
CLOCK_SKEW = timedelta(minutes=2)
# PostgreSQL ``integer`` and ``bigint``; SQLite stores up to the bigint range, so the smaller
# engine decides.
_INTEGER_LIMITS = {BigIntegerField: 2**63 - 1, IntegerField: 2**31 - 1}
RecordT = TypeVar("RecordT", bound=Model)


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


def existing(record_class: type[RecordT], record_id: int, noun: str) -> RecordT:
    """The record of ``record_class`` whose id is ``record_id``.

    Args:
        record_class: a peewee record class (anything with ``get_or_none`` and ``id``).
        record_id: the id asked for.
        noun: what it is called in the message, e.g. ``"client"``.

    Returns:
        The record.

    Raises:
        NotFoundError: none has that id ("No client with id 7").
    """
    record = record_class.get_or_none(record_class.id == record_id)
    if record is None:
        raise NotFoundError(f"No {noun} with id {record_id}")
    return record


class ReadOnlyError(ServiceError):
    """The database was opened read-only (the file or its folder is not writable), so no
    change can be saved; the message names the file."""


def checked_text(field: str, value: object, column: Field | None = None, *, required: bool = False,
                 max_length: int | None = None, strip: bool = True) -> str:
    """The one check every typed text goes through before it reaches the database: text only,
    no NUL character (PostgreSQL cannot store one and SQLite would truncate it in places, so
    it is refused on both rather than silently stripped), and no longer than the column holds.

    Args:
        field: the field named in the error.
        value: what was given.
        column: the record field it is stored in; a ``CharField`` gives the length limit.
        required: refuse an empty (or all-blank) value.
        max_length: the limit for text columns without one (``TextField``).
        strip: return the value without surrounding white space.

    Returns:
        The value, stripped unless ``strip`` is False.

    Raises:
        ValidationError: naming ``field``.
    """
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    if "\x00" in value:
        raise ValidationError(field, "contains a NUL character (\\x00), which cannot be stored")
    text = value.strip() if strip else value
    if required and not text.strip():
        raise ValidationError(field, "is required")
    limit = column_length(column) if max_length is None else max_length
    if limit is not None and len(text) > limit:
        raise ValidationError(field, f"at most {limit:,} characters")
    return text


def column_length(column: Field | None) -> int | None:
    """The length limit the database enforces on ``column`` (None: unlimited text)."""
    return column.max_length if isinstance(column, CharField) else None


def checked_whole_number(field: str, value: object, column: Field, *, minimum: int = 0) -> int:
    """A whole number from ``minimum`` up to what ``column`` holds on both engines.

    Args:
        field: the field named in the error.
        value: what was given (``bool`` is refused: ``True`` is not a number of seconds).
        column: the integer record field it is stored in.
        minimum: the smallest value allowed.

    Returns:
        The number.

    Raises:
        ValidationError: naming ``field``.
    """
    limit = next(top for kind, top in _INTEGER_LIMITS.items() if isinstance(column, kind))
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= limit:
        raise ValidationError(field, f"must be a whole number from {minimum:,} to {limit:,}")
    return value


def checked_instant(field: str, value: object, now: datetime, *,
                    future_limit: timedelta = CLOCK_SKEW) -> datetime:
    """An instant a desk can mean: aware, not before 2000 and not in the future (beyond a
    little clock drift between workstations, or ``future_limit`` for expected instants).

    Args:
        field: the field named in the error.
        value: what was given.
        now: the current instant.
        future_limit: how far after ``now`` it may lie.

    Returns:
        The instant, unchanged.

    Raises:
        ValidationError: naming ``field``.
    """
    if not isinstance(value, datetime):
        raise ValidationError(field, "must be a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "must carry a time zone")
    if value < EARLIEST_INSTANT:
        raise ValidationError(field, "cannot be before the year 2000")
    if value > now + future_limit:
        raise ValidationError(field, "cannot be in the future" if future_limit <= CLOCK_SKEW
                              else f"cannot be more than {future_limit.days} days ahead")
    return value


def check_email(field: str, value: str) -> None:
    """Refuse an address that is given but is not an email address ("" means unknown).

    Args:
        field: the field named in the error.
        value: the address as typed (surrounding spaces are ignored).

    Raises:
        ValidationError: naming ``field`` and quoting ``value``.
    """
    value = checked_text(field, value, ContactRecord.email, strip=False)
    if value.strip() and not is_valid_email(value.strip()):
        raise ValidationError(field, f"{value!r} is not an email address")


def check_phone(field: str, value: str) -> None:
    """Refuse a phone number that is given but has no digits, or more than the database
    keeps ("" means unknown).

    Args:
        field: the field named in the error.
        value: the number in any formatting.

    Raises:
        ValidationError: naming ``field`` and quoting ``value``.
    """
    value = checked_text(field, value, ContactRecord.phone)
    if value and not phone_digits(value):
        raise ValidationError(field, f"{value!r} has no digits")
    limit = column_length(ContactRecord.phone_digits)
    if len(phone_digits(value)) > limit:
        raise ValidationError(field, f"at most {limit} digits")
