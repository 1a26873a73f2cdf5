"""The case attributes a case list's filter and a report's filter narrow by, as one WHERE clause."""

from __future__ import annotations

from typing import Protocol

from desktop_helpdesk.storage.records import CaseRecord


class CaseAttributes(Protocol):
    """What a filter may pin a case to (empty or None: any)."""

    client_id: int | None
    priority: str | None
    channel: str | None
    category_id: int | None


def narrowed_by_attributes(condition, wanted: CaseAttributes):
    """``condition`` and the cases whose client, effective priority, channel and category are
    the ones ``wanted`` names (those it leaves empty or None are not narrowed).

    Args:
        condition: a peewee expression over ``CaseRecord``.
        wanted: a case list's ``FilterCriteria`` or a report's ``ReportFilter``.

    Returns:
        The narrowed expression.
    """
    if wanted.client_id is not None:
        condition &= CaseRecord.client == wanted.client_id
    if wanted.priority:
        condition &= CaseRecord.effective_priority == wanted.priority
    if wanted.channel:
        condition &= CaseRecord.channel == wanted.channel
    if wanted.category_id is not None:
        condition &= CaseRecord.category == wanted.category_id
    return condition
