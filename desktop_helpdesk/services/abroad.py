"""Clients abroad: where a client is, their local time and public holiday, and holiday cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from desktop_helpdesk.domain.abroad import (
    ClientPlace,
    PlaceError,
    checked_place,
    country_name,
    local_now,
    public_holiday,
)
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ValidationError, existing
from desktop_helpdesk.services.permissions import Actions, change_by
from desktop_helpdesk.storage.records import ClientRecord, HolidayArrangementRecord


@dataclass(frozen=True)
class HolidayArrangement:
    """Who covers a country's (or region's) clients from ``starts_on`` to ``ends_on``."""

    id: int
    country: str
    region: str
    starts_on: date
    ends_on: date
    covered_by: str
    how_to_reach: str
    notes: str
    active: bool

    @property
    def place_text(self) -> str:
        return country_name(self.country) + (f" ({self.region})" if self.region else "")

    def summary(self) -> str:
        """One line for the desk: where, when, who and how."""
        when = f"{self.starts_on:%d %b}" + (f"–{self.ends_on:%d %b}" if self.ends_on != self.starts_on else "")
        reach = f", {self.how_to_reach}" if self.how_to_reach else ""
        return f"{self.place_text} {when}: covered by {self.covered_by}{reach}"


@dataclass(frozen=True)
class ClientSituation:
    """A client's place and what it means at one instant."""

    client_id: int
    client_name: str
    place: ClientPlace
    local_time: datetime | None
    holiday: str  # the public holiday there today (their date), or ""
    arrangements: tuple[HolidayArrangement, ...]

    def text(self) -> str:
        """How the case header and intake say it, e.g. "Thu 15:05 CET in Germany (BY) — public
        holiday there: Epiphany"; "" when the client's place is unknown."""
        if not self.place.is_set:
            return ""
        where = country_name(self.place.country) + (f" ({self.place.region})" if self.place.region else "")
        parts = []
        if self.local_time is not None:
            parts.append(f"{self.local_time:%a %H:%M} {self.local_time.tzname()}" + (f" in {where}" if where else ""))
        elif where:
            parts.append(f"In {where} (time zone not set)")
        if self.holiday:
            parts.append(f"public holiday there: {self.holiday}")
        parts.extend(f"holiday cover: {a.covered_by}" + (f" ({a.how_to_reach})" if a.how_to_reach else "")
                     for a in self.arrangements)
        return " — ".join(parts)


class AbroadService:
    """Client places and holiday arrangements; every change is audited.

    Args:
        context: the shared services context (clock and desk calendar).
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    # -- client places ---------------------------------------------------------------------
    def set_client_place(self, actor_id: int, client_id: int, *, country: str, region: str = "",
                         time_zone: str = "") -> ClientPlace:
        """Record where a client is (supervisors and admins).

        Args:
            actor_id: the member acting.
            client_id: the client.
            country: ISO country code ("" unknown).
            region: its region code ("" the whole country).
            time_zone: IANA zone name ("" unknown).

        Returns:
            The stored place.

        Raises:
            ValidationError: naming ``country``, ``region`` or ``time_zone``.
            PermissionDenied: the actor is an agent.
            NotFoundError: no such client.
        """
        try:
            place = checked_place(country, region, time_zone)
        except PlaceError as error:
            raise ValidationError(error.field, error.message) from None
        with change_by(actor_id, Actions.EDIT_CLIENTS) as actor:
            client = existing(ClientRecord, client_id, "client")
            log = ChangeLog(actor.id, self._context.now(), entity="client", entity_id=client.id)
            log.change(client, "country", place.country, action="client_updated")
            log.change(client, "region", place.region, action="client_updated")
            log.change(client, "time_zone", place.time_zone, action="client_updated")
            if not log.empty:
                client.save()
                log.flush()
        return place

    def client_place(self, client_id: int) -> ClientPlace:
        """Where the client is (empty fields while unknown).

        Raises:
            NotFoundError: no such client.
        """
        client = existing(ClientRecord, client_id, "client")
        return ClientPlace(client.country, client.region, client.time_zone)

    def situation(self, client_id: int, now: datetime | None = None) -> ClientSituation:
        """The client's local time, public holiday and holiday cover at ``now``.

        Args:
            client_id: the client.
            now: the instant (default the clock).

        Returns:
            The situation (its ``text()`` is "" when the client's place is unknown).

        Raises:
            NotFoundError: no such client.
        """
        now = now or self._context.now()
        client = existing(ClientRecord, client_id, "client")
        place = ClientPlace(client.country, client.region, client.time_zone)
        local = local_now(place, now)
        # Their own calendar date decides the holiday: Christmas starts in Berlin at 18:00 Halifax.
        day = (local or now.astimezone(self._context.calendar.zone)).date()
        arrangements = tuple(
            a for a in self.arrangements_on(self._desk_date(now))
            if a.country == place.country and (not a.region or a.region == place.region)
        ) if place.country else ()
        return ClientSituation(client.id, client.name, place, local, public_holiday(place, day), arrangements)

    # -- holiday arrangements --------------------------------------------------------------
    def add_arrangement(self, actor_id: int, *, country: str, region: str = "", starts_on: date,
                        ends_on: date, covered_by: str, how_to_reach: str = "",
                        notes: str = "") -> HolidayArrangement:
        """Record who covers a country's (or region's) clients over a holiday (supervisors and
        admins).

        Args:
            actor_id: the member acting.
            country: ISO country code.
            region: region code ("" the whole country).
            starts_on: first desk date it applies.
            ends_on: last desk date it applies (inclusive).
            covered_by: the person or partner who covers (required).
            how_to_reach: phone, email, Skype...
            notes: anything else the desk should know.

        Returns:
            The arrangement.

        Raises:
            ValidationError: naming the bad field.
            PermissionDenied: the actor is an agent.
        """
        if not str(country or "").strip():
            raise ValidationError("country", "choose the country the arrangement covers")
        try:
            place = checked_place(country, region, "")
        except PlaceError as error:
            raise ValidationError(error.field, error.message) from None
        if not isinstance(starts_on, date) or not isinstance(ends_on, date):
            raise ValidationError("starts_on", "must be dates")
        if ends_on < starts_on:
            raise ValidationError("ends_on", "ends before it starts")
        covered_by = str(covered_by or "").strip()
        if not covered_by:
            raise ValidationError("covered_by", "say who covers (a person or a partner)")
        if len(covered_by) > 200:
            raise ValidationError("covered_by", "at most 200 characters")
        with change_by(actor_id, Actions.MANAGE_HOLIDAY_ARRANGEMENTS) as actor:
            now = self._context.now()
            record = HolidayArrangementRecord.create(
                country=place.country, region=place.region, starts_on=starts_on.isoformat(),
                ends_on=ends_on.isoformat(), covered_by=covered_by, how_to_reach=how_to_reach.strip(),
                notes=notes.strip(), active=True, created_at=now,
            )
            arrangement = _arrangement(record)
            log = ChangeLog(actor.id, now, entity="holiday_arrangement", entity_id=record.id)
            log.add("arrangement_added", field="arrangement", after=arrangement.summary(), reason=notes.strip())
            log.flush()
        return arrangement

    def withdraw_arrangement(self, actor_id: int, arrangement_id: int) -> HolidayArrangement:
        """Withdraw an arrangement (it stops showing; the audit keeps it).

        Raises:
            NotFoundError: no such arrangement.
            PermissionDenied: the actor is an agent.
        """
        with change_by(actor_id, Actions.MANAGE_HOLIDAY_ARRANGEMENTS) as actor:
            record = existing(HolidayArrangementRecord, arrangement_id, "holiday arrangement")
            if record.active:
                record.active = False
                record.save()
                log = ChangeLog(actor.id, self._context.now(), entity="holiday_arrangement", entity_id=record.id)
                log.add("arrangement_withdrawn", field="active", before=True, after=False)
                log.flush()
        return _arrangement(record)

    def list_arrangements(self, *, from_day: date | None = None) -> list[HolidayArrangement]:
        """Active arrangements not yet over on ``from_day`` (default: all), soonest first."""
        query = HolidayArrangementRecord.select().where(HolidayArrangementRecord.active == True)  # noqa: E712
        if from_day is not None:
            query = query.where(HolidayArrangementRecord.ends_on >= from_day.isoformat())
        query = query.order_by(HolidayArrangementRecord.starts_on, HolidayArrangementRecord.id)
        return [_arrangement(r) for r in query]

    def arrangements_on(self, day: date) -> list[HolidayArrangement]:
        """The active arrangements that apply on desk date ``day``."""
        text = day.isoformat()
        query = (
            HolidayArrangementRecord.select()
            .where(HolidayArrangementRecord.active == True,  # noqa: E712
                   HolidayArrangementRecord.starts_on <= text, HolidayArrangementRecord.ends_on >= text)
            .order_by(HolidayArrangementRecord.country, HolidayArrangementRecord.id)
        )
        return [_arrangement(r) for r in query]

    def arrangements_now(self) -> list[HolidayArrangement]:
        """The arrangements applying today (desk date), for the desk's banner."""
        return self.arrangements_on(self._desk_date(self._context.now()))

    def _desk_date(self, now: datetime) -> date:
        return now.astimezone(self._context.calendar.zone).date()


def _arrangement(record: HolidayArrangementRecord) -> HolidayArrangement:
    return HolidayArrangement(
        record.id, record.country, record.region, date.fromisoformat(record.starts_on),
        date.fromisoformat(record.ends_on), record.covered_by, record.how_to_reach, record.notes,
        record.active,
    )
