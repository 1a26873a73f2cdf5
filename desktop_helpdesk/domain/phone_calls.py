"""Calls handed over by the phone system: the caller's number, its URL forms and the ring time."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from desktop_helpdesk.domain.cases import phone_digits

CALL_URL_SCHEME = "desktop-helpdesk"
PHONE_URL_SCHEMES = ("tel", "callto", "sip")
MAX_NUMBER_LENGTH = 64
MAX_NAME_LENGTH = 200
# A ring older than this (or in the future) is a clock disagreement between the phone system's
# machine and the desk's, not a caller who waited an hour: the timer starts when the desk hears it.
_PLAUSIBLE_RING_AGE = timedelta(minutes=30)

# "902 555 0142 x12", "ext. 12", "extension 12", "#12", ";ext=12" (RFC 3966), ",,12" (dial pauses).
_EXTENSION = re.compile(r"(?:;\s*ext\s*=|\b(?:ext(?:ension)?\.?|x)\s*|#|,+|;).*$", re.IGNORECASE)


class CallFormatError(ValueError):
    """A call hand-over that cannot be read; the message names the field."""


@dataclass(frozen=True)
class IncomingCall:
    """A call ringing at the desk, as the phone system described it.

    Attributes:
        number: the caller's number as the phone system wrote it (extension kept for display).
        name: the caller-ID name ("" when none).
        line: which line or queue it rang on ("" when none).
        call_id: the phone system's id of the call; a second hand-over with the same id is the
            same call (softphones sometimes run the command twice).
        rang_at: when it rang (aware UTC), so the call timer counts from the ring.
    """

    number: str
    rang_at: datetime
    name: str = ""
    line: str = ""
    call_id: str = ""

    @property
    def digits(self) -> str:
        """The digits to match contacts on: the number without its extension."""
        return phone_digits(strip_extension(self.number))

    @property
    def key(self) -> str:
        """What tells two calls apart: the phone system's id, else the number and ring second."""
        return self.call_id or f"{self.digits}@{self.rang_at.astimezone(UTC):%Y%m%dT%H%M%S}"

    @property
    def display(self) -> str:
        """How the call is named to the agent: ``Name (number)`` or the number alone."""
        return f"{self.name} ({self.number})" if self.name else self.number

    def to_message(self) -> dict:
        """The call as a JSON-ready dict (the hand-over between processes)."""
        return {
            "number": self.number,
            "name": self.name,
            "line": self.line,
            "call_id": self.call_id,
            "rang_at": self.rang_at.astimezone(UTC).isoformat(),
        }

    @classmethod
    def from_message(cls, message: dict) -> IncomingCall:
        """Read a call written by ``to_message``.

        Raises:
            CallFormatError: naming the missing or bad field.
        """
        if not isinstance(message, dict):
            raise CallFormatError("call: expected an object")
        try:
            rang_at = datetime.fromisoformat(str(message.get("rang_at", "")))
        except ValueError:
            raise CallFormatError("rang_at: not an ISO instant") from None
        if rang_at.tzinfo is None:
            raise CallFormatError("rang_at: needs a time zone")
        return new_call(
            str(message.get("number", "")),
            rang_at=rang_at,
            name=str(message.get("name", "")),
            line=str(message.get("line", "")),
            call_id=str(message.get("call_id", "")),
        )

    def to_url(self) -> str:
        """The ``desktop-helpdesk://call?from=…`` form of this call (ring time included)."""
        query = {"from": self.number}
        for key, value in (("name", self.name), ("line", self.line), ("call-id", self.call_id)):
            if value:
                query[key] = value
        query["rang"] = self.rang_at.astimezone(UTC).isoformat()
        return f"{CALL_URL_SCHEME}://call?{urlencode(query, quote_via=quote)}"

    def started_on_desk(self, now: datetime) -> datetime:
        """When the desk's call timer starts: the ring, unless the two clocks disagree.

        Example:
            A call that rang 20 s before the window heard of it shows 00:20 at once; a ring
            stamped 2 hours ago (another machine's clock) starts at ``now``.
        """
        if now - _PLAUSIBLE_RING_AGE <= self.rang_at <= now:
            return self.rang_at
        return now


def strip_extension(number: str) -> str:
    """The number without an extension or dial pauses.

    Args:
        number: e.g. ``"+1 (902) 955-6611 x204"`` or ``"tel:+19029556611;ext=204"``.

    Returns:
        ``"+1 (902) 955-6611"`` / ``"tel:+19029556611"``.
    """
    return _EXTENSION.sub("", number).strip()


def new_call(
    number: str,
    *,
    rang_at: datetime,
    name: str = "",
    line: str = "",
    call_id: str = "",
) -> IncomingCall:
    """A checked ``IncomingCall``.

    Args:
        number: the caller's number in any formatting; at least 3 digits before any extension.
        rang_at: aware instant of the ring.
        name: caller-ID name.
        line: line or queue.
        call_id: the phone system's call id.

    Returns:
        The call with trimmed text.

    Raises:
        CallFormatError: naming ``from``, ``name``, ``line`` or ``call-id``.
    """
    if any(ord(ch) < 32 for ch in number):
        raise CallFormatError("from: control characters are not allowed")
    number = " ".join(number.split())
    if not number:
        raise CallFormatError("from: the caller's number is missing")
    if len(number) > MAX_NUMBER_LENGTH:
        raise CallFormatError(f"from: at most {MAX_NUMBER_LENGTH} characters")
    if len(phone_digits(strip_extension(number))) < 3:
        raise CallFormatError(f"from: {number!r} is not a phone number (it needs digits)")
    fields = {"name": " ".join(name.split()), "line": line.strip(), "call-id": call_id.strip()}
    for field, value in fields.items():
        if len(value) > MAX_NAME_LENGTH:
            raise CallFormatError(f"{field}: at most {MAX_NAME_LENGTH} characters")
        if any(ord(ch) < 32 for ch in value):
            raise CallFormatError(f"{field}: control characters are not allowed")
    # Caller-ID names from the phone system repeat the number when there is no name.
    shown_name = "" if phone_digits(fields["name"]) == phone_digits(number) else fields["name"]
    return IncomingCall(number, rang_at.astimezone(UTC), shown_name, fields["line"], fields["call-id"])


def call_from_url(url: str, *, rang_at: datetime) -> IncomingCall:
    """Read a call from the URL a softphone opens.

    Accepted forms: ``tel:+1-902-955-6611``, ``callto:+19029556611``, ``callto://+1902…``,
    ``sip:+19029556611@pbx.example``, and ``desktop-helpdesk://call?from=…&name=…&line=…
    &call-id=…`` (``rang=`` ISO instant optional).

    Args:
        url: the URL.
        rang_at: the ring instant to use when the URL does not carry one.

    Returns:
        The call.

    Raises:
        CallFormatError: an unknown scheme or a URL without a number.
    """
    text = url.strip()
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in (*PHONE_URL_SCHEMES, CALL_URL_SCHEME):
        raise CallFormatError(
            f"url: {url!r} is not a tel:, callto:, sip: or {CALL_URL_SCHEME}:// link"
        )
    if scheme != CALL_URL_SCHEME:
        number = unquote(rest.removeprefix("//"))
        if scheme == "sip":
            number = number.split("@", 1)[0]
        # RFC 3966 parameters (";phone-context=…") are not part of the number; ";ext=" is
        # dropped later by ``strip_extension`` but kept here for display.
        number = number.split("?", 1)[0]
        return new_call(number, rang_at=rang_at)
    parts = urlsplit(text)
    action = (parts.netloc or parts.path.strip("/")).lower()
    if action != "call":
        raise CallFormatError(f"url: {CALL_URL_SCHEME}://{action} is not known (expected //call?from=…)")
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    rang = query.get("rang", "")
    if rang:
        try:
            stamped = datetime.fromisoformat(rang)
        except ValueError:
            raise CallFormatError("rang: not an ISO instant") from None
        if stamped.tzinfo is not None:
            rang_at = stamped
    return new_call(
        query.get("from", ""),
        rang_at=rang_at,
        name=query.get("name", ""),
        line=query.get("line", ""),
        call_id=query.get("call-id", query.get("call_id", "")),
    )


def with_ring(call: IncomingCall, rang_at: datetime) -> IncomingCall:
    """The same call with another ring instant."""
    return replace(call, rang_at=rang_at.astimezone(UTC))


def tel_url(number: str) -> str:
    """The ``tel:`` link that dials ``number`` (RFC 3966: digits, a leading +, extension kept).

    Example:
        ``tel_url("+1 (902) 955-6611 x204")`` -> ``"tel:+19029556611;ext=204"``.
    """
    main = strip_extension(number)
    found = _EXTENSION.search(number)
    extension = phone_digits(found.group(0)) if found else ""
    digits = phone_digits(main)
    prefix = "+" if main.lstrip().startswith("+") else ""
    return f"tel:{prefix}{digits}" + (f";ext={extension}" if extension else "")
