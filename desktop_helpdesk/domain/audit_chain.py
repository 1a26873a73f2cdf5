"""The audit hash chain: each row's SHA-256 covers the previous row's hash and its own content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

# The link before the first row: 64 zeros (no real SHA-256 digest is expected to equal it).
GENESIS_HASH = "0" * 64

# The audit columns a link covers, in this order. ``at`` is the stored UTC text
# ("YYYY-MM-DD HH:MM:SS.ffffff"), so SQLite and PostgreSQL hash the same bytes.
CHAINED_COLUMNS = (
    "at",
    "actor_id",
    "entity",
    "entity_id",
    "case_id",
    "action",
    "field",
    "before",
    "after",
    "reason",
)


# One encoder for every row: ``json.dumps`` with options builds a new encoder per call, which
# costs more than the hashing when a million rows are verified.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def canonical_content(values: Sequence[object]) -> bytes:
    """The bytes a row's hash covers: its ``CHAINED_COLUMNS`` values as one compact JSON array.

    JSON keeps text, integers and null apart ("1" is not 1, "" is not null), and its escaping
    makes every row's encoding unambiguous whatever the text contains.

    Args:
        values: the values of ``CHAINED_COLUMNS`` in order (text, int or None).

    Returns:
        UTF-8 bytes.

    Example:
        >>> canonical_content(["2026-11-25 13:00:00.000000", 1, "case", 7, 7, "created", "",
        ...                    "", "2026-00001", ""])
        b'["2026-11-25 13:00:00.000000",1,"case",7,7,"created","","","2026-00001",""]'
    """
    return _ENCODER.encode(list(values)).encode()


def link_hash(previous_hash: str, content: bytes) -> str:
    """The hash of one audit row: SHA-256 over the previous row's hash and the row's content.

    Args:
        previous_hash: the hex hash of the row before (``GENESIS_HASH`` for the first row).
        content: ``canonical_content`` of the row.

    Returns:
        64 lowercase hex digits.

    Example:
        >>> link_hash(GENESIS_HASH, b"[]")[:16]
        '61d6b7dec2b04ce6'
    """
    return hashlib.sha256(b"%s\n%s" % (previous_hash.encode("ascii"), content)).hexdigest()
