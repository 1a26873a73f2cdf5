"""Case workflow rules: statuses and allowed transitions, channels, roles and input checks."""

from __future__ import annotations

import re
import unicodedata

from desktop_helpdesk.domain.policy import LabelledEnum


class CaseStatus(LabelledEnum):
    """Where a case stands in its life; values are the strings stored in the database
    (labels: "In progress", "Waiting on client"...)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    WAITING_ON_CLIENT = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """True while the case still needs work (not resolved or closed)."""
        return self not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)


OPEN_STATUSES: tuple[CaseStatus, ...] = tuple(s for s in CaseStatus if s.is_open)
#: The stored values of ``OPEN_STATUSES``, for queries on the status column.
OPEN_STATUS_VALUES: tuple[str, ...] = tuple(s.value for s in OPEN_STATUSES)

_WORKING = (
    CaseStatus.IN_PROGRESS,
    CaseStatus.ESCALATED,
    CaseStatus.WAITING_ON_CLIENT,
    CaseStatus.RESOLVED,
)

# Sensible moves only: a case is never sent back to New or Acknowledged, a resolved case is
# closed or reopened (back to In progress), and a closed case can only be reopened.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset((CaseStatus.ACKNOWLEDGED, *_WORKING)),
    CaseStatus.ACKNOWLEDGED: frozenset(_WORKING),
    CaseStatus.IN_PROGRESS: frozenset(
        (CaseStatus.ESCALATED, CaseStatus.WAITING_ON_CLIENT, CaseStatus.RESOLVED)
    ),
    CaseStatus.ESCALATED: frozenset(
        (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CLIENT, CaseStatus.RESOLVED)
    ),
    CaseStatus.WAITING_ON_CLIENT: frozenset(
        (CaseStatus.IN_PROGRESS, CaseStatus.ESCALATED, CaseStatus.RESOLVED)
    ),
    CaseStatus.RESOLVED: frozenset((CaseStatus.CLOSED, CaseStatus.IN_PROGRESS)),
    CaseStatus.CLOSED: frozenset((CaseStatus.IN_PROGRESS,)),
}


def can_transition(current: CaseStatus | str, target: CaseStatus | str) -> bool:
    """Whether a case in ``current`` may move to ``target``.

    Args:
        current: the case's status now.
        target: the status asked for.

    Returns:
        True when the move is one of ``ALLOWED_TRANSITIONS``.

    Raises:
        ValueError: if either value is not a known status.
    """
    return CaseStatus(target) in ALLOWED_TRANSITIONS[CaseStatus(current)]


def transition_error(current: CaseStatus | str, target: CaseStatus | str) -> str:
    """A sentence explaining why a move is refused, for the user.

    Args:
        current: the case's status now.
        target: the status asked for.

    Returns:
        E.g. "A case that is Closed cannot be moved to Resolved (allowed from Closed: In progress)".
    """
    current, target = CaseStatus(current), CaseStatus(target)
    allowed = ", ".join(sorted(s.label for s in ALLOWED_TRANSITIONS[current])) or "none"
    return (
        f"A case that is {current.label} cannot be moved to {target.label} "
        f"(allowed from {current.label}: {allowed})"
    )


class InteractionChannel(LabelledEnum):
    """The medium of one interaction on the case timeline."""

    # Labelled with the product names people know ("Join.me"), not the stored values.
    PHONE = "phone"
    EMAIL = "email"
    TEAMS = "teams", "Microsoft Teams"
    SKYPE = "skype"
    JOIN_ME = "join_me", "Join.me"
    GOTOMEETING = "gotomeeting", "GoToMeeting"
    REMOTE_SESSION = "remote_session", "Other remote session"
    NOTE = "note", "Internal note"

    @property
    def is_live(self) -> bool:
        """A conversation in real time: an inbound one means a person already spoke to the client."""
        return self not in (InteractionChannel.EMAIL, InteractionChannel.NOTE)


class IntakeChannel(LabelledEnum):
    """How the request reached the desk (intake offers them in this order): the interaction
    channels a request arrives on, each with that channel's stored value and label."""

    PHONE = InteractionChannel.PHONE
    EMAIL = InteractionChannel.EMAIL
    TEAMS = InteractionChannel.TEAMS

    @property
    def can_be_live(self) -> bool:
        """A request on this channel can be a conversation the agent is having right now, which
        the policy counts as acknowledged on connection (a call, not a message)."""
        return InteractionChannel(self.value).is_live


class Direction(LabelledEnum):
    """Who started an interaction."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


# How the client may be told the resolution (an internal note tells nobody).
RESOLUTION_CHANNELS: tuple[InteractionChannel, ...] = tuple(
    c for c in InteractionChannel if c is not InteractionChannel.NOTE
)


class MemberRole(LabelledEnum):
    """What a team member may do."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def manages_team(self) -> bool:
        """Supervisors and admins reassign others' cases and manage members, closures, settings."""
        return self is not MemberRole.AGENT


class Availability(LabelledEnum):
    """Whether a member can be given new cases right now ("On leave", "Off shift"...)."""

    AVAILABLE = "available"
    AWAY = "away"
    ON_LEAVE = "on_leave"
    OFF_SHIFT = "off_shift"


class EscalationTarget(LabelledEnum):
    """Who a case is escalated to."""

    INTERNAL_DEPARTMENT = "internal_department"
    CLIENT_IT = "client_it", "Client IT"  # an acronym the default label would lower


class AssignmentStrategy(LabelledEnum):
    """How a newly logged case picks its team member."""

    ROUND_ROBIN = "round_robin"
    LEAST_WORKLOAD = "least_workload", "Least open workload"  # what it weighs, spelled out


# Open-workload weights: a High case counts as two Medium ones when balancing assignments.
WORKLOAD_WEIGHTS = {"high": 2, "medium": 1}


def phone_digits(phone: str) -> str:
    """The digits of a phone number, for matching whatever formatting was typed.

    Args:
        phone: e.g. ``"+1 (902) 555-0142"``.

    Returns:
        ``"19025550142"``; an empty string when there are no digits.
    """
    return "".join(ch for ch in phone if ch.isdigit() and ch.isascii())


def client_name_key(name: str) -> str:
    """The form two client names share when they name the same organisation: Unicode-normalised
    (NFKC), case-folded (``"École"`` and ``"école"``, ``"STRASSE"`` and ``"Straße"``) and with
    runs of white space as one space.

    Args:
        name: the organisation's name as typed.

    Returns:
        The key, e.g. ``client_name_key(" École  Nord ") == "école nord"``.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def phone_variants(digits: str) -> tuple[str, ...]:
    """The digit strings that name the same North American number (with or without the
    leading country code 1), for matching a number typed either way.

    Args:
        digits: the output of ``phone_digits``.

    Returns:
        ``digits`` first, then its other form when it is a 10- or 11-digit NANP number.
    """
    if len(digits) == 11 and digits.startswith("1"):
        return (digits, digits[1:])
    if len(digits) == 10:
        return (digits, f"1{digits}")
    return (digits,) if digits else ()


# Deliberately simple: one @, a dotted domain, no spaces. Real validation is the mail reaching them.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[A-Za-z]{2,}$")


def is_valid_email(email: str) -> bool:
    """Whether ``email`` looks like a deliverable address (``name@example.com``).

    Args:
        email: the text typed, already stripped.

    Returns:
        True for a plausible address.
    """
    if len(email) > 254 or ".." in email:
        return False
    return _EMAIL.match(email) is not None


_UNSAFE_FILENAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED_WINDOWS_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
MAX_FILENAME_LENGTH = 120


def sanitise_filename(name: str) -> str:
    """A file name safe to save on any workstation, keeping the extension when possible.

    Args:
        name: the name (or a full path from either OS) of the file being attached.

    Returns:
        The last path component without control or reserved characters, leading dots or
        trailing dots/spaces, and not a reserved Windows device name; ``"attachment"`` when
        nothing usable is left.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_FILENAME_CHARS.sub("_", base)
    base = base.strip().lstrip(".").rstrip(". ")
    if not base or set(base) <= {"_"}:
        return "attachment"
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    if stem.upper() in _RESERVED_WINDOWS_NAMES:
        stem = f"_{stem}"
    if len(extension) > 16:
        stem, extension = f"{stem}.{extension}", ""
    room = MAX_FILENAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(". ") or "attachment"
    return f"{stem}.{extension}" if extension else stem


def file_size_text(size: int) -> str:
    """A file size as people read it (binary units, like file managers on Windows).

    Args:
        size: a number of bytes.

    Returns:
        "512 B", "12 KB", "2.5 MB"; no ".0" ("10 MB").

    Example:
        >>> file_size_text(10 * 1024 * 1024), file_size_text(2_621_440), file_size_text(900)
        ('10 MB', '2.5 MB', '900 B')
    """
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


# -- case numbers ----------------------------------------------------------------------------

#: Digits of the per-year sequence in a case number (``2026-00042``).
CASE_NUMBER_DIGITS = 5
_CASE_NUMBER = re.compile(r"(\d{4})-(\d{1,9})")
_CASE_TAG = re.compile(r"\[\s*Case\s+(\d{4}-\d{1,9})\s*\]", re.IGNORECASE)


def format_case_number(year: int, sequence: int) -> str:
    """The case number of the ``sequence``-th case logged in ``year`` (the desk's local year).

    Args:
        year: the Halifax calendar year the case was logged in.
        sequence: 1 for the year's first case.

    Returns:
        ``YYYY-NNNNN``; sequences past 99,999 simply grow a digit.

    Example:
        >>> format_case_number(2026, 42)
        '2026-00042'
    """
    return f"{year:04d}-{sequence:0{CASE_NUMBER_DIGITS}d}"


def parse_case_number(text: str) -> tuple[int, int] | None:
    """Read a case number as typed or quoted, padded or not.

    Args:
        text: e.g. ``"2026-00042"``, ``" 2026-42 "``.

    Returns:
        ``(year, sequence)``, or None when ``text`` is not a case number.

    Example:
        >>> parse_case_number("2026-42"), parse_case_number("VPN down")
        ((2026, 42), None)
    """
    match = _CASE_NUMBER.fullmatch(text.strip())
    if match is None or int(match.group(2)) == 0:
        return None
    return int(match.group(1)), int(match.group(2))


def normalise_case_number(text: str) -> str | None:
    """``text`` as a stored case number (``"2026-42"`` -> ``"2026-00042"``), None if not one."""
    parsed = parse_case_number(text)
    return None if parsed is None else format_case_number(*parsed)


def case_subject(number: str, subject: str) -> str:
    """An email subject tagged with its case, so that replies can be matched to the case.

    Example:
        >>> case_subject("2026-00042", "VPN down")
        '[Case 2026-00042] VPN down'
    """
    return f"[Case {number}] {subject}"


def case_number_in_subject(subject: str) -> str | None:
    """The case number of the first ``[Case YYYY-NNNNN]`` tag in an email subject, if any.

    Example:
        >>> case_number_in_subject("RE: AW: [case 2026-42] VPN down")
        '2026-00042'
    """
    match = _CASE_TAG.search(subject)
    return None if match is None else normalise_case_number(match.group(1))


def count_text(count: int, noun: str = "case") -> str:
    """A count with its noun in the right number.

    Args:
        count: how many.
        noun: the singular noun (a plain "s" makes the plural).

    Returns:
        "1 case", "0 cases", "12,345 cases".

    Example:
        >>> count_text(1), count_text(12345, "open case")
        ('1 case', '12,345 open cases')
    """
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
