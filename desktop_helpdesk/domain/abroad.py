"""Clients abroad: countries and regions the holidays package knows, local time and public holidays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holidays_package
from holidays.registry import COUNTRIES

_ENGLISH = ("en_US", "en_GB", "en_CA", "en")


class PlaceError(ValueError):
    """A country, region or time zone that cannot be used; ``field`` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClientPlace:
    """Where a client is: ISO country code, the holidays package's region code, IANA zone."""

    country: str = ""
    region: str = ""
    time_zone: str = ""

    @property
    def is_set(self) -> bool:
        return bool(self.country or self.time_zone)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names = {}
    for class_name, code, *_rest in COUNTRIES.values():
        # "AlandIslands" -> "Aland Islands": the registry keeps only class names.
        names[code] = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
    supported = holidays_package.list_supported_countries()
    return {code: name for code, name in names.items() if code in supported}


def country_choices() -> list[tuple[str, str]]:
    """Countries with public holiday data, as (ISO code, English name), by name."""
    return sorted(_country_names().items(), key=lambda item: item[1].casefold())


def country_name(code: str) -> str:
    """The English name of an ISO country code ("" for none, the code if unknown)."""
    return _country_names().get(code, code) if code else ""


def region_choices(country: str) -> list[str]:
    """The region (subdivision) codes the holidays package knows for ``country``."""
    if not country:
        return []
    return list(holidays_package.list_supported_countries().get(country, []))


def time_zone_choices() -> list[str]:
    """IANA time zone names, sorted."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def checked_place(country: str, region: str, time_zone: str) -> ClientPlace:
    """A place with its parts checked against the holidays package and the zone database.

    Args:
        country: ISO 3166 alpha-2 code ("" for unknown).
        region: a subdivision code of that country ("" for the whole country).
        time_zone: an IANA zone name such as "Europe/Berlin" ("" for unknown).

    Returns:
        The normalised place (codes upper case).

    Raises:
        PlaceError: naming ``country``, ``region`` or ``time_zone``.
    """
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    time_zone = (time_zone or "").strip()
    if country and country not in _country_names():
        raise PlaceError("country", f"{country!r} is not a country code the holiday calendar knows (e.g. DE, GB, US)")
    if region:
        if not country:
            raise PlaceError("region", "choose the country first")
        if region not in region_choices(country):
            known = ", ".join(region_choices(country)[:12]) or "none"
            raise PlaceError("region", f"{region!r} is not a region of {country_name(country)} (known: {known})")
    if time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PlaceError("time_zone", f"{time_zone!r} is not a time zone (e.g. Europe/Berlin)") from None
    return ClientPlace(country, region, time_zone)


@lru_cache(maxsize=256)
def _holidays(country: str, region: str, year: int) -> holidays_package.HolidayBase:
    calendar = holidays_package.country_holidays(country, subdiv=region or None, years=year)
    language = next((code for code in _ENGLISH if code in calendar.supported_languages), None)
    if language is not None and language != calendar.default_language:
        calendar = holidays_package.country_holidays(country, subdiv=region or None, years=year,
                                                     language=language)
    return calendar


def public_holiday(place: ClientPlace, day: date) -> str:
    """The public holiday at ``place`` on ``day`` (its own calendar date), or "".

    Example:
        ``public_holiday(ClientPlace("DE", "BY"), date(2026, 1, 6)) == "Epiphany"``.
    """
    if not place.country:
        return ""
    return _holidays(place.country, place.region, day.year).get(day) or ""


def local_now(place: ClientPlace, now: datetime) -> datetime | None:
    """``now`` on the client's wall clock, or None when their time zone is unknown."""
    if not place.time_zone:
        return None
    return now.astimezone(ZoneInfo(place.time_zone))
