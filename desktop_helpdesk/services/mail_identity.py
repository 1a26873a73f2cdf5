"""The desk's mail identity: the threading secret, our Message-IDs (HMAC of the case id) and
the loop header every email we send carries. All secret handling lives here."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets

from desktop_helpdesk.storage.records import SettingRecord

# Internal state key in the setting table (not a team setting: never shown, never exported).
_SECRET_KEY = "mail_thread_secret"
LOOP_HEADER = "X-Helpdesk-Loop"
_MAC_LENGTH = 20
_OUR_MESSAGE_ID = re.compile(rf"^hd(\d+)\.(\d+)\.([0-9a-f]{{{_MAC_LENGTH}}})@")


def threading_secret() -> bytes:
    """The team's secret for signing our Message-IDs, created on first use.

    Kept in the shared database so every workstation signs and checks alike; two workstations
    creating it at once keep the first one written (the insert ignores a conflict).

    Returns:
        32 random bytes.
    """
    stored = _stored_secret()
    if stored is None:
        SettingRecord.insert(key=_SECRET_KEY, value=json.dumps(secrets.token_hex(32))).on_conflict_ignore().execute()
        stored = _stored_secret()
    return stored


def _stored_secret() -> bytes | None:
    row = SettingRecord.get_or_none(SettingRecord.key == _SECRET_KEY)
    if row is None:
        return None
    return bytes.fromhex(json.loads(row.value))


def _case_mac(secret: bytes, case_id: int) -> str:
    return hmac.new(secret, f"case:{case_id}".encode(), hashlib.sha256).hexdigest()[:_MAC_LENGTH]


def our_message_id(secret: bytes, case_id: int, outbox_id: int, domain: str) -> str:
    """The Message-ID of an email we send about ``case_id``: a reply quoting it threads back.

    Args:
        secret: from ``threading_secret``.
        case_id: the case.
        outbox_id: the mail outbox row (makes the id unique, and stable across re-sends).
        domain: the sender's domain.

    Returns:
        E.g. ``"<hd17.42.0123456789abcdef0123@support.example>"``.
    """
    return f"<hd{outbox_id}.{case_id}.{_case_mac(secret, case_id)}@{domain or 'helpdesk.invalid'}>"


def case_id_from_message_id(secret: bytes, message_id: str) -> int | None:
    """The case id carried by one of our Message-IDs, when its HMAC is right.

    Args:
        secret: from ``threading_secret``.
        message_id: a Message-ID with or without angle brackets.

    Returns:
        The case id, or None for anyone else's Message-ID or a forged one.
    """
    match = _OUR_MESSAGE_ID.match(message_id.strip().strip("<>").strip())
    if match is None:
        return None
    case_id = int(match.group(2))
    if not hmac.compare_digest(match.group(3), _case_mac(secret, case_id)):
        return None
    return case_id


def loop_token(secret: bytes) -> str:
    """The value of our loop header: mail coming back with it was sent by this desk."""
    return hmac.new(secret, b"loop", hashlib.sha256).hexdigest()[:16]
