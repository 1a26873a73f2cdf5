"""CRM sync: delivers queued outbox events to the CRM, as signed webhook POSTs (Standard
Webhooks) or as JSON files in a drop folder."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.services import outbox
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import (
    ServiceContext,
    validated_webhook_url,
    write_transaction,
)
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.leases import CRM_DELIVERY
from desktop_helpdesk.storage.records import CrmOutboxRecord

log = logging.getLogger(__name__)

EVENT_FORMAT_VERSION = 1
WEBHOOK_SECRET_VARIABLE = "HELPDESK_CRM_WEBHOOK_SECRET"
WEBHOOK_TIMEOUT_SECONDS = 10.0
# Settings-table state (not a team setting): set when the receiver answered 410 Gone.
WEBHOOK_DISABLED_STATE = "crm_webhook_disabled"
# Answers that mean "try again later"; other 4xx answers refuse the event for good.
_RETRY_STATUSES = frozenset({408, 425, 429})
_RESPONSE_TEXT_LIMIT = 500
# Events per round: a normal minute holds a handful; after a long outage the backlog drains in
# rounds this size so one round never holds a pool thread (the case list shares it) for long.
CRM_BATCH = 200
CRM_INTERVAL_SECONDS = 60.0
CRM_NOT_CONFIGURED = "CRM sync is off: no CRM webhook or drop folder is set (Administration → Settings)."


def event_document(row: CrmOutboxRecord) -> dict:
    """The JSON an integrator receives for one outbox row (see docs/crm-events.md).

    Args:
        row: the outbox row (its payload was frozen when the case changed).

    Returns:
        The payload with ``version``, ``event_id`` (stable across retries; the webhook-id) and
        ``outbox_id`` added.
    """
    body = json.loads(row.payload)
    body["version"] = EVENT_FORMAT_VERSION
    body["event_id"] = row.event_id
    body["outbox_id"] = row.id
    return body


def outbox_file_name(row: CrmOutboxRecord, case_number: str) -> str:
    """``<outbox id, zero-padded>-<case number>-<event>.json``: sorts in creation order."""
    return f"{row.id:010d}-{case_number}-{row.event}.json"


class FolderChannel:
    """Writes each event as one JSON file in the CRM drop folder, atomically (temporary file
    then rename, so the CRM never reads half a file). A re-send replaces the same file.

    Args:
        folder: the drop folder (created if missing).
    """

    record = CrmOutboxRecord

    def __init__(self, folder: str | Path) -> None:
        self._folder = Path(folder)

    def __enter__(self) -> FolderChannel:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def send(self, row: CrmOutboxRecord) -> outbox.Delivered | outbox.Failed:
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self._folder / outbox_file_name(row, row.case.number), event_document(row))
        except (OSError, ValueError) as exc:
            # A full disk or a missing share is the folder's problem, not this event's.
            return outbox.Failed(f"{type(exc).__name__}: {exc}", whole_batch=isinstance(exc, OSError))
        return outbox.DELIVERED

    def after_sent(self, row, at: datetime) -> None:
        return None


def signing_key(secret: str) -> bytes:
    """The HMAC key of a webhook secret: Standard Webhooks ``whsec_<base64>`` secrets are
    base64-decoded; any other text is used as its UTF-8 bytes.

    Raises:
        ValidationError: naming the secret variable when a ``whsec_`` secret is not base64.
    """
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except ValueError:
            raise ValidationError(WEBHOOK_SECRET_VARIABLE, "a whsec_ secret must be base64 after the prefix") from None
    return secret.encode("utf-8")


def sign(key: bytes, event_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`` (Standard Webhooks)."""
    content = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")


class WebhookChannel:
    """POSTs each event as JSON to the CRM's webhook URL, signed per Standard Webhooks.

    Answers: 2xx delivered; 408, 425, 429, 5xx, timeouts and network errors are retried
    (honouring ``Retry-After``); 410 means the receiver disabled the endpoint: delivery stops
    and the team is alerted until the webhook is set again; any other 4xx parks the event
    with the response text.

    Args:
        url: the endpoint.
        secret: the signing secret (from ``HELPDESK_CRM_WEBHOOK_SECRET``).
        clock: gives ``webhook-timestamp`` and dates ``Retry-After``.
        on_disabled: called with the reason when the receiver answers 410.
        timeout: seconds for the whole request.
    """

    record = CrmOutboxRecord

    def __init__(self, url: str, secret: str, clock: Clock, on_disabled: Callable[[str], None], *,
                 timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self._url = url
        self._key = signing_key(secret)
        self._clock = clock
        self._on_disabled = on_disabled
        self._timeout = timeout

    def __enter__(self) -> WebhookChannel:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def send(self, row: CrmOutboxRecord) -> outbox.Delivered | outbox.Failed:
        body = json.dumps(event_document(row), sort_keys=True, ensure_ascii=False).encode("utf-8")
        timestamp = int(self._clock.now().timestamp())
        request = urllib.request.Request(self._url, data=body, method="POST", headers={
            "Content-Type": "application/json",
            "User-Agent": "DesktopHelpdesk-CRM/1",
            "webhook-id": row.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._key, row.event_id, timestamp, body),
        })
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                response.read(_RESPONSE_TEXT_LIMIT)
                return outbox.DELIVERED
        except urllib.error.HTTPError as error:
            return self._refusal(error)
        except TimeoutError:
            # A receiver this slow would make every event of the round wait as long.
            return outbox.Failed(f"no answer within {self._timeout:g} s", whole_batch=True)
        except urllib.error.URLError as error:
            return outbox.Failed(f"cannot reach the webhook: {error.reason}", whole_batch=True)
        except OSError as error:
            return outbox.Failed(f"cannot reach the webhook: {error}", whole_batch=True)

    def after_sent(self, row, at: datetime) -> None:
        return None

    def _refusal(self, error: urllib.error.HTTPError) -> outbox.Failed:
        status = error.code
        try:
            text = error.read(_RESPONSE_TEXT_LIMIT).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        finally:
            error.close()
        described = f"HTTP {status} {error.reason}" + (f": {text}" if text else "")
        if 200 <= status < 300:
            return outbox.DELIVERED
        if status == 410:
            self._on_disabled(described)
            return outbox.Failed(f"the CRM disabled this webhook ({described})", whole_batch=True)
        if status in _RETRY_STATUSES or status >= 500:
            return outbox.Failed(described, retry_after=self._retry_after(error.headers.get("Retry-After")),
                                 whole_batch=status in (429, 503))
        return outbox.Failed(described, permanent=True)

    def _retry_after(self, value: str | None) -> float | None:
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._clock.now()).total_seconds())


@dataclass(frozen=True)
class WebhookDisabled:
    """The receiver answered 410 Gone: when, to which URL, and what it said."""

    url: str
    at: str
    reason: str


def webhook_disabled(context: ServiceContext) -> WebhookDisabled | None:
    """The 410 alert, while the webhook it names is still the configured one."""
    state = context.read_state(WEBHOOK_DISABLED_STATE)
    if not state or state.get("url") != context.settings().crm_webhook_url:
        return None
    return WebhookDisabled(state["url"], state["at"], state["reason"])


def deliver_outbox(folder: str | Path, clock: Clock, *, limit: int = 100, holder: str,
                   should_stop: Callable[[], bool] = lambda: False, rng=None) -> outbox.DeliveryReport:
    """Write due outbox events into ``folder`` (see ``FolderChannel`` and ``outbox.deliver_round``).

    Args:
        folder: the CRM drop folder.
        clock: gives the sent instant.
        limit: at most this many events per round.
        holder: this process's ``crm-delivery`` lease token.
        should_stop: checked before each event.
        rng: jitter source for retries.

    Returns:
        The round's report.
    """
    return outbox.deliver_round(FolderChannel(folder), CRM_DELIVERY, holder, clock, limit=limit,
                                should_stop=should_stop, rng=rng)


class CrmDeliveryJob(outbox.OutboxJob):
    """The team job delivering CRM outbox events (lease ``crm-delivery``, every 60 s), to the
    webhook when one is set, else to the drop folder.

    Settings name the target; ``environ`` is where ``HELPDESK_CRM_WEBHOOK_SECRET`` is read.
    """

    lease_name = CRM_DELIVERY
    interval_seconds = CRM_INTERVAL_SECONDS
    outbox = CrmOutboxRecord
    batch = CRM_BATCH
    timeout = WEBHOOK_TIMEOUT_SECONDS
    secret_variable = WEBHOOK_SECRET_VARIABLE

    def needs_secret(self, settings) -> bool:
        return bool(settings.crm_webhook_url)

    def run_round(self, should_stop: Callable[[], bool]) -> JobReport:
        """Deliver up to one batch of due events; see ``outbox.deliver_round``."""
        settings = self._context.settings()
        if settings.crm_webhook_url:
            disabled = webhook_disabled(self._context)
            if disabled is not None:
                return JobReport("webhook disabled by the CRM", pending_counters(),
                                 problem=f"The CRM answered {disabled.reason} at {disabled.at}; "
                                         "set the webhook again (desktop-helpdesk crm set-webhook) once fixed.")
            channel = WebhookChannel(settings.crm_webhook_url, self.secret(),
                                     self._context.clock, self._disable, timeout=self.timeout)
        elif settings.crm_drop_folder:
            channel = FolderChannel(settings.crm_drop_folder)
        else:
            return JobReport(CRM_NOT_CONFIGURED, configured=False)
        report = outbox.deliver_round(channel, CRM_DELIVERY, self.holder, self._context.clock,
                                      limit=self.batch, should_stop=should_stop, rng=self._rng)
        return self.finish_round(report)

    def _disable(self, reason: str) -> None:
        log.error("CRM webhook disabled by the receiver: %s", reason)
        url = self._context.settings().crm_webhook_url
        with write_transaction():
            self._context.write_state(WEBHOOK_DISABLED_STATE,
                                      {"url": url, "at": self._context.now().isoformat(), "reason": reason})
            change_log = ChangeLog(None, self._context.now(), entity="setting")
            change_log.add("crm_webhook_disabled", field="crm_webhook_url", before=url, reason=reason)
            change_log.flush()



def pending_counters() -> dict[str, int]:
    """Waiting and parked CRM events (for reports of rounds that sent nothing)."""
    pending = CrmOutboxRecord.select().where(outbox.unsent(CrmOutboxRecord) & CrmOutboxRecord.parked_at.is_null()).count()
    parked = CrmOutboxRecord.select().where(outbox.unsent(CrmOutboxRecord) & CrmOutboxRecord.parked_at.is_null(False)).count()
    return {"sent": 0, "failed": 0, "pending": pending, "parked": parked}


def configure_crm(context: ServiceContext, *, webhook_url: str | None = None, folder: str | None = None,
                  actor_id: int | None = None, reason: str = "") -> None:
    """Set the CRM webhook URL and/or drop folder (audited), for the headless ``crm`` command.

    Setting the webhook again clears a "disabled by the CRM" (410) alert and makes the CRM
    events that were waiting for it due at once with a fresh 48-hour retry window.

    Args:
        context: the services context.
        webhook_url: the new URL ("" turns the webhook off), or None to leave it.
        folder: the new drop folder ("" turns it off), or None to leave it.
        actor_id: the member acting, or None for a headless command run by the server's admin.
        reason: why (audited).

    Raises:
        ValidationError: naming ``crm_webhook_url`` or ``crm_drop_folder``.
    """
    changes = {}
    if webhook_url is not None:
        changes["crm_webhook_url"] = validated_webhook_url(webhook_url)
    if folder is not None:
        folder = folder.strip()
        if folder and Path(folder).exists() and not Path(folder).is_dir():
            raise ValidationError("crm_drop_folder", f"{folder} is a file, not a folder")
        changes["crm_drop_folder"] = folder
    now = context.now()
    with write_transaction():
        current = context.settings()
        change_log = ChangeLog(actor_id, now, entity="setting")
        for name, value in changes.items():
            before = getattr(current, name)
            context.write_state(name, value)
            change_log.add("setting_changed", field=name, before=before, after=value, reason=reason)
        if "crm_webhook_url" in changes:
            webhook_set_again(context)
        change_log.flush()


def webhook_set_again(context: ServiceContext) -> None:
    """The webhook was (re)entered: clear a 410 alert and make the CRM events that were
    waiting for it due at once with a fresh 48-hour window (inside the caller's transaction)."""
    context.write_state(WEBHOOK_DISABLED_STATE, None)
    CrmOutboxRecord.update(next_attempt_at=None, first_failed_at=None).where(
        outbox.unsent(CrmOutboxRecord) & CrmOutboxRecord.parked_at.is_null()
    ).execute()


def _write_atomically(path: Path, body: dict) -> None:
    # The temporary file lives in the drop folder itself so the rename is atomic (same file
    # system) and its leading dot keeps the CRM's importer from picking it up half-written.
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(body, stream, indent=2, sort_keys=True)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
