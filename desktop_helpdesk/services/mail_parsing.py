"""Decoding real inbound mail (stdlib ``email``, ``policy.default``) into text, headers and files."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from desktop_helpdesk.domain.cases import sanitise_filename

QUOTE_MARKER = "--- Quoted history ---"
_FIELD_NAME = re.compile(rb"^[!-9;-~]+:")
# Headers at least one of which an RFC 822 message has (the rest may be missing in the wild).
_TELLTALE_HEADERS = ("from", "to", "subject", "date", "message-id", "received", "return-path",
                     "mime-version", "content-type")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_BROKEN_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*?)(?:\?=|\?|$|(?=\s))")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_WHITESPACE = re.compile(r"[ \t]+")


class NotAnEmail(ValueError):
    """The bytes are not an RFC 822 message (e.g. an Outlook .msg file)."""


@dataclass(frozen=True)
class MailPart:
    """A file carried by the message (attachment, inline image, forwarded message)."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass(frozen=True)
class ParsedMail:
    """What the desk needs from one message, decoded and normalised."""

    message_key: str
    message_id: str
    from_address: str
    from_name: str
    to: str
    cc: str
    subject: str
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    quoted: str
    headers: dict[str, str]
    parts: tuple[MailPart, ...] = ()
    is_report: bool = False
    delivery_status: str = ""
    returned_headers: str = ""
    defects: tuple[str, ...] = field(default=())

    def header(self, name: str) -> str:
        """The decoded value of a header (first occurrence), "" when absent."""
        return self.headers.get(name.lower(), "")

    @property
    def body_with_history(self) -> str:
        """The new text, then the folded quoted history (kept, not dropped)."""
        if not self.quoted:
            return self.text
        return f"{self.text}\n\n{QUOTE_MARKER}\n{self.quoted}"


def raw_message_key(raw: bytes) -> str:
    """The idempotency key of a message without a Message-ID: the hash of its bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def normalise_message_id(value: str) -> str:
    """``<Abc@Example.COM>`` -> ``abc@example.com``-style key: first id, brackets and spaces off.

    The local part keeps its case (RFC 5322 says it is case-sensitive) but the domain is lowered,
    since mail servers rewrite its case.

    Args:
        value: the Message-ID header's value.

    Returns:
        The normalised id, or "" when there is none.
    """
    value = (value or "").strip()
    match = _MESSAGE_ID.search(value)
    text = match.group(1) if match else value.strip("<> \t\r\n")
    text = "".join(text.split())
    if not text or len(text) > 380:
        return ""
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def looks_like_rfc822(raw: bytes) -> bool:
    """Whether ``raw`` starts with a header section an RFC 822 parser can read.

    Args:
        raw: the file's bytes.

    Returns:
        False for binary files (Outlook ``.msg`` is an OLE2 container), empty files, or text
        without any of the usual headers.
    """
    head = raw[:65536].lstrip(b"\r\n")
    if not head or b"\x00" in head[:4096]:
        return False
    header_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    lines = header_block.splitlines()
    if lines and lines[0].startswith(b"From "):  # mbox "From " separator line
        lines = lines[1:]
    if not lines or not _FIELD_NAME.match(lines[0]):
        return False
    names = {line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
             for line in lines if _FIELD_NAME.match(line)}
    return any(name in names for name in _TELLTALE_HEADERS)


def parse_mail(raw: bytes) -> ParsedMail:
    """Decode a raw message into text, headers and files.

    Charsets: the declared one, then UTF-8, then cp1252 with replacement. Encoded words that
    mail programs broke (missing ``?=``, split across lines, raw 8-bit) are repaired. HTML-only
    mail becomes readable text (nothing is rendered, nothing remote is fetched). Quoted history
    is split from the new text but kept.

    Args:
        raw: the message's bytes.

    Returns:
        The parsed message.

    Raises:
        NotAnEmail: the bytes are not an RFC 822 message.
    """
    if not looks_like_rfc822(raw):
        raise NotAnEmail("not an RFC 822 message")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers = _decoded_headers(message)
    message_id = normalise_message_id(headers.get("message-id", ""))
    from_name, from_address = _sender(headers)
    text, parts, report = _walk(message)
    new_text, quoted = split_quoted_history(text)
    defects = tuple(type(defect).__name__ for defect in message.defects)
    return ParsedMail(
        message_key=message_id or raw_message_key(raw),
        message_id=message_id,
        from_address=from_address,
        from_name=from_name,
        to=headers.get("to", ""),
        cc=headers.get("cc", ""),
        subject=_WHITESPACE.sub(" ", headers.get("subject", "").replace("\n", " ")).strip(),
        date=_date(headers.get("date", "")),
        in_reply_to=tuple(_ids(headers.get("in-reply-to", ""))),
        references=tuple(_ids(headers.get("references", ""))),
        text=new_text,
        quoted=quoted,
        headers=headers,
        parts=tuple(parts),
        is_report=report["is_report"],
        delivery_status=report["delivery_status"],
        returned_headers=report["returned_headers"],
        defects=defects,
    )


# ------------------------------------------------------------------------------ headers


def decode_header_text(value: str) -> str:
    """A header value with RFC 2047 encoded words decoded, tolerating the usual breakage.

    Args:
        value: the raw header text (may hold surrogate-escaped 8-bit bytes).

    Returns:
        Readable text.
    """
    value = _repair_8bit(value)
    if "=?" not in value:
        return value
    # Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2).
    value = re.sub(r"(\?=)\s+(=\?)", r"\1\2", value)
    try:
        chunks = decode_header(value)
        text = "".join(
            _decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in chunks
        )
    except (ValueError, LookupError, AssertionError):
        text = value
    if "=?" in text:
        text = _BROKEN_ENCODED_WORD.sub(_decode_broken_word, text)
    return text


def _decode_broken_word(match: re.Match) -> str:
    charset, encoding, payload = match.group(1), match.group(2).upper(), match.group(3)
    try:
        if encoding == "B":
            import base64

            data = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
        else:
            import quopri

            data = quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=True)
    except (ValueError, TypeError):
        return match.group(0)
    return _decode_bytes(data, charset.split("*")[0])


def _repair_8bit(value: str) -> str:
    # policy.default keeps raw 8-bit header bytes as surrogate escapes: read them as UTF-8,
    # else cp1252 (what such mail programs mostly send).
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    return _decode_bytes(data, None)


def _decoded_headers(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, raw_value in message.raw_items():
        key = name.lower()
        if key in headers:
            continue
        text = raw_value if isinstance(raw_value, str) else str(raw_value)
        # Unfold, then decode ourselves: policy.default's structured parsing raises or drops
        # text on some malformed headers, and the desk must still read them.
        text = re.sub(r"\r?\n[ \t]", " ", text).strip()
        headers[key] = decode_header_text(text)
    return headers


def _sender(headers: dict[str, str]) -> tuple[str, str]:
    for name in ("from", "sender", "reply-to", "return-path"):
        value = headers.get(name, "")
        if not value:
            continue
        addresses = [(n, a) for n, a in getaddresses([value]) if "@" in a]
        if addresses:
            display, address = addresses[0]
            return display.strip().strip('"'), address.strip().strip("<>")
        display, address = parseaddr(value)
        if "@" in address:
            return display, address
    return "", ""


def _ids(value: str) -> list[str]:
    found = [normalise_message_id(f"<{m}>") for m in _MESSAGE_ID.findall(value)]
    if not found and value.strip():
        found = [normalise_message_id(token) for token in value.split()]
    return [item for item in found if item]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# --------------------------------------------------------------------------------- body


def _walk(message: Message) -> tuple[str, list[MailPart], dict]:
    plain: list[str] = []
    html_texts: list[str] = []
    parts: list[MailPart] = []
    report = {"is_report": message.get_content_type() == "multipart/report",
              "delivery_status": "", "returned_headers": ""}
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        content_type = part.get_content_type()
        # policy.default reports message/* parts as multipart: decide on them first.
        if content_type == "message/delivery-status":
            report["delivery_status"] = _delivery_status_text(part)
            continue
        if content_type == "message/rfc822" and part is not message:
            inner = _message_bytes(part)
            if report["is_report"] and not report["returned_headers"]:
                report["returned_headers"] = re.split(rb"\r?\n\r?\n", inner, maxsplit=1)[0].decode(
                    "utf-8", "replace")
            parts.append(MailPart(_filename(part) or "forwarded message.eml", content_type, inner))
            continue
        if part.is_multipart():
            if content_type == "multipart/report":
                report["is_report"] = True
            children = part.get_payload()
            if isinstance(children, list):
                if content_type == "multipart/alternative":
                    children = _preferred_alternative(children)
                stack[0:0] = children
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        if content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            report["returned_headers"] = _text_payload(part)
            continue
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment":
            body = _text_payload(part)
            (plain if content_type == "text/plain" else html_texts).append(body)
            continue
        data = _binary_payload(part)
        if not data:
            continue
        name = filename or _default_name(content_type, len(parts) + 1)
        parts.append(MailPart(name, content_type, data, inline=disposition != "attachment"))
    if any(text.strip() for text in plain):
        text = "\n\n".join(text.strip("\n") for text in plain if text.strip())
    else:
        text = "\n\n".join(html_to_text(body) for body in html_texts if body.strip())
    return _normalise_newlines(text), parts, report


def _preferred_alternative(children: list[Message]) -> list[Message]:
    # Plain text when the sender gave it; HTML converted otherwise. Never both (duplicated text).
    for wanted in ("text/plain", "multipart/related", "multipart/mixed", "text/html"):
        for child in children:
            if child.get_content_type() == wanted and (wanted != "text/plain" or _text_payload(child).strip()):
                return [child]
    return children[-1:] if children else []


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name", header="content-type") or ""
    except (ValueError, LookupError, TypeError):
        name = ""
    if isinstance(name, tuple):  # an undecoded RFC 2231 triple
        charset, _, value = name
        name = _decode_bytes(value.encode("latin-1", "replace"), charset)
    name = decode_header_text(str(name)).strip()
    return sanitise_filename(name) if name else ""


def _default_name(content_type: str, index: int) -> str:
    extension = {
        "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "application/pdf": "pdf",
        "text/calendar": "ics", "application/pkcs7-signature": "p7s",
        "application/pgp-signature": "asc",
    }.get(content_type, "bin")
    return f"part-{index}.{extension}"


def _binary_payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    return data


def _text_payload(part: Message) -> str:
    return _decode_bytes(_binary_payload(part), part.get_content_charset())


def _message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            return inner.as_bytes(policy=policy.compat32)
        except (ValueError, TypeError, LookupError, UnicodeError):
            return str(inner).encode("utf-8", "replace")
    return _binary_payload(part)


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                blocks.append("\n".join(f"{k}: {v}" for k, v in block.raw_items()))
        return "\n\n".join(blocks)
    return _text_payload(part)


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Declared charset, then UTF-8, then cp1252 with replacement characters."""
    candidates = []
    if charset:
        name = charset.strip().strip('"').lower()
        # Mail programs label cp1252 text as latin-1/ascii; cp1252 is a superset that decodes it.
        candidates.append({"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8",
                           "ascii": "utf-8", "x-unknown": "utf-8", "unknown-8bit": "utf-8"}.get(name, name))
    candidates.append("utf-8")
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("cp1252", "replace")


def _normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


# --------------------------------------------------------------------------------- html


class _TextExtractor(HTMLParser):
    """Keeps readable text: blocks become lines, links show their address, nothing is loaded."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "table", "ul", "ol", "pre", "hr", "section", "article"})
    _SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_depth = 0
        self._links: list[str | None] = []
        self._quote_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIPPED:
            self._skip_depth += 1
            return
        attributes = dict(attrs)
        if tag == "blockquote":
            self._quote_depth += 1
        if tag in self._BLOCKS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")
        if tag == "a":
            self._links.append(attributes.get("href"))
        if tag == "img" and attributes.get("alt"):
            self.chunks.append(f"[{attributes['alt']}]")
        if tag in ("td", "th"):
            self.chunks.append("  ")

    def handle_endtag(self, tag):
        if tag in self._SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                self.chunks.append(f" <{href.removeprefix('mailto:')}>")
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        if tag in self._BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if self._skip_depth:
            return
        text = _WHITESPACE.sub(" ", data.replace("\r", " ").replace("\n", " "))
        if self._quote_depth:
            text = "> " + text
        self.chunks.append(text)


def html_to_text(markup: str) -> str:
    """Readable plain text from an HTML body: no rendering, no remote content.

    Args:
        markup: the HTML.

    Returns:
        The text with one line per block, links as ``text <url>``, quotes as ``> ``.
    """
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except (AssertionError, ValueError):
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    lines = [line.strip() for line in "".join(extractor.chunks).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ------------------------------------------------------------------------- quoted history

_ATTRIBUTION = re.compile(
    r"^(On .{4,200}wrote:|Le .{4,200}a écrit\s?:|Am .{4,200}schrieb .{1,200}:|El .{4,200}escribió:"
    r"|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Forwarded message\s*-{2,}"
    r"|_{10,}|From:\s.+)$",
    re.IGNORECASE,
)


def split_quoted_history(text: str) -> tuple[str, str]:
    """Split an email body into the new text and the quoted history below it.

    Recognised: ``> `` quoted lines, "On ... wrote:" (and French, German, Spanish forms),
    Outlook's "-----Original Message-----" or "From: ... Sent: ..." block, Gmail forwards.

    Args:
        text: the decoded body.

    Returns:
        ``(new_text, quoted)``; quoted is "" when nothing is quoted. Never both empty for a
        non-empty body: an all-quoted message keeps everything as its text.
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        starts_history = False
        if _ATTRIBUTION.match(stripped):
            if stripped.lower().startswith("from:"):
                # Outlook's header block: From: then Sent:/Date: within the next lines.
                following = " ".join(lines[index + 1:index + 4]).lower()
                starts_history = "sent:" in following or "date:" in following
            else:
                starts_history = True
        elif stripped.startswith(">") and all(
            not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]
        ):
            starts_history = True
        if starts_history:
            new_text = "\n".join(lines[:index]).strip()
            quoted = "\n".join(lines[index:]).strip()
            if not new_text:
                return text.strip(), ""
            return new_text, quoted
    return text.strip(), ""


def header_block(raw: bytes, limit: int = 20_000) -> str:
    """The raw header section of a message as text (for the Quarantine list), decoded
    forgivingly; "" for bytes that have no header section."""
    head = re.split(rb"\r?\n\r?\n", raw[:200_000], maxsplit=1)[0]
    if b"\x00" in head[:4096]:
        return ""
    return _decode_bytes(head[:limit], None).replace("\r\n", "\n")
