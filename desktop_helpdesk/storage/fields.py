"""Custom peewee fields: instants are stored as naive UTC and handed back aware."""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import DateTimeField


class UtcDateTimeField(DateTimeField):
    """A timestamp column that only accepts aware datetimes and returns aware UTC ones.

    Storing naive UTC keeps SQLite text ordering and PostgreSQL ``timestamp`` comparisons
    identical, so indexes on due instants work the same on both engines.
    """

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{self.name}: naive datetime {value!r} refused; pass an aware one")
            try:
                utc = value.astimezone(UTC)
            except OverflowError:
                raise ValueError(f"{self.name}: {value!r} is outside the instants that can be stored") from None
            # One fixed text form (always with microseconds, the year in four digits even before
            # 1000, which strftime would not pad) keeps SQLite's text comparison chronological,
            # reads back exactly, and avoids sqlite3's deprecated default datetime adapter.
            return f"{utc.year:04d}-{utc:%m-%d %H:%M:%S.%f}"
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
