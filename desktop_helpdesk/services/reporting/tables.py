"""Typed report tables: the generic form every report and case list takes for export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

R = TypeVar("R")


class ColumnKind(StrEnum):
    """How a report cell is typed in exports."""

    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"  # a fraction in [0, 1]
    HOURS = "hours"  # business hours as a float
    DATE = "date"
    MONTH = "month"  # a date on the first of its month
    DATETIME = "datetime"  # an aware UTC datetime, shown in Halifax time

    @property
    def is_numeric(self) -> bool:
        """Whether cells of this kind are numbers (shown right-aligned on screen and in PDFs)."""
        return self in (ColumnKind.INTEGER, ColumnKind.PERCENT, ColumnKind.HOURS)


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


def table_of(title: str, filters: tuple[tuple[str, str], ...], generated_at: datetime,
             rows: Iterable[R], cells: Sequence[tuple[Column, Callable[[R], Any]]]) -> ReportTable:
    """A ``ReportTable`` whose columns are each declared beside the value they show, so a
    header and its cells cannot drift apart.

    Args:
        title: the table's title.
        filters: the filters used, as (label, text).
        generated_at: when the report was computed.
        rows: the report's rows (any objects).
        cells: per column, its header and type and how a row gives its value.

    Returns:
        The table, one tuple per row in column order.
    """
    getters = [value for _column, value in cells]
    return ReportTable(title, filters, tuple(column for column, _value in cells),
                       [tuple(value(row) for value in getters) for row in rows], generated_at)
