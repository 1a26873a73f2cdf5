"""Team settings and company closure days (supervisors and admins change them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import (
    SETTING_NAMES,
    ServiceContext,
    TeamSettings,
)
from desktop_helpdesk.services.errors import NotFoundError, ValidationError, checked_text
from desktop_helpdesk.services.permissions import Actions, change_by
from desktop_helpdesk.storage.records import ClosureRecord, SettingRecord


@dataclass(frozen=True)
class Closure:
    """A company closure day (Halifax local date) and why."""

    day: date
    reason: str


class SettingsService:
    """Reads and changes team settings and closures; every change is audited.

    Args:
        context: the shared services context (its calendar follows closure changes).
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def get(self) -> TeamSettings:
        """The current team settings.

        Returns:
            ``TeamSettings`` (defaults for settings never saved).
        """
        return self._context.settings()

    def update(self, actor_id: int, *, reason: str = "", **changes: object) -> TeamSettings:
        """Change some settings (supervisor or admin).

        Args:
            actor_id: the member acting.
            reason: why (audited).
            **changes: new values by their stored names (``TeamSettings.stored``).

        Returns:
            The settings after the change.

        Raises:
            ValidationError: an unknown setting or a bad value, naming it.
            PermissionDenied: the actor is an agent.
        """
        unknown = set(changes) - SETTING_NAMES
        if unknown:
            raise ValidationError(sorted(unknown)[0], "is not a team setting")
        with change_by(actor_id, Actions.CHANGE_SETTINGS) as actor:
            current = self._context.settings()
            updated = current.with_stored(changes).validated()
            log = ChangeLog(actor.id, self._context.now(), entity="setting")
            before, after = current.stored(), updated.stored()
            for name in sorted(changes):
                if before[name] == after[name]:
                    continue
                encoded = json.dumps(after[name])
                (
                    SettingRecord.insert(key=name, value=encoded)
                    .on_conflict(conflict_target=[SettingRecord.key], update={SettingRecord.value: encoded})
                    .execute()
                )
                log.add("setting_changed", field=name, before=before[name], after=after[name], reason=reason)
            if "crm_webhook_url" in changes and before["crm_webhook_url"] != after["crm_webhook_url"]:
                # Imported here: the CRM module builds on this one's neighbours (jobs, outbox).
                from desktop_helpdesk.services.crm import webhook_set_again

                webhook_set_again(self._context)
            log.flush()
        return self._context.settings()

    def list_closures(self) -> list[Closure]:
        """Company closure days.

        Returns:
            ``Closure`` list, earliest first.
        """
        return [
            Closure(date.fromisoformat(row.day), row.reason)
            for row in ClosureRecord.select().order_by(ClosureRecord.day)
        ]

    def add_closure(self, actor_id: int, day: date, reason: str) -> Closure:
        """Add a company closure day; business time skips it from now on (due instants
        already stored are kept, as promised to clients).

        Args:
            actor_id: the member acting.
            day: the Halifax local date.
            reason: why the office is closed (required).

        Returns:
            The closure.

        Raises:
            ValidationError: ``reason`` empty or ``day`` already a closure.
            PermissionDenied: the actor is an agent.
        """
        if not isinstance(day, date):
            raise ValidationError("day", "must be a date")
        reason = checked_text("reason", reason, required=True)
        with change_by(actor_id, Actions.MANAGE_CLOSURES) as actor:
            if ClosureRecord.select().where(ClosureRecord.day == day.isoformat()).exists():
                raise ValidationError("day", f"{day.isoformat()} is already a closure day")
            now = self._context.now()
            closure = ClosureRecord.create(day=day.isoformat(), reason=reason[:200], created_at=now)
            log = ChangeLog(actor.id, now, entity="closure", entity_id=closure.id)
            log.add("closure_added", field="day", after=day, reason=reason)
            log.flush()
        self._context.reload_calendar()
        return Closure(day, reason[:200])

    def remove_closure(self, actor_id: int, day: date, *, reason: str = "") -> None:
        """Remove a closure day added by mistake (the audit log keeps that it existed).

        Args:
            actor_id: the member acting.
            day: the closure's date.
            reason: why (audited; default the closure's own reason).

        Raises:
            NotFoundError: ``day`` is not a closure.
            PermissionDenied: the actor is an agent.
        """
        with change_by(actor_id, Actions.MANAGE_CLOSURES) as actor:
            closure = ClosureRecord.get_or_none(ClosureRecord.day == day.isoformat())
            if closure is None:
                raise NotFoundError(f"{day.isoformat()} is not a closure day")
            log = ChangeLog(actor.id, self._context.now(), entity="closure", entity_id=closure.id)
            log.add("closure_removed", field="day", before=day, after="", reason=reason or closure.reason)
            # A closure is configuration, not a record of work: the audit row is its history.
            ClosureRecord.delete().where(ClosureRecord.id == closure.id).execute()
            log.flush()
        self._context.reload_calendar()
