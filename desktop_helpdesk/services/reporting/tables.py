"""Typed report tables: the generic form every report and case list takes for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ColumnKind(StrEnum):
    """How a report cell is typed in exports."""

    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"  # a fraction in [0, 1]
    HOURS = "hours"  # business hours as a float
    DATE = "date"
    MONTH = "month"  # a date on the first of its month
    DATETIME = "datetime"  # an aware UTC datetime, shown in Halifax time


@dataclass(frozen=True)
class Column:
    """One column of a report table: its header and cell type."""

    header: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class ReportTable:
    """The generic tabular form of every report (and of case lists) that exports consume."""

    title: str
    filters: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    generated_at: datetime
