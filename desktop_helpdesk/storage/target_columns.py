"""Which case columns hold each SLA target's due and met instants: the storage side of ``Target``."""

from __future__ import annotations

from types import MappingProxyType

from peewee import Field

from desktop_helpdesk.domain.policy import Target
from desktop_helpdesk.storage.records import CaseRecord

#: Target -> the ``CaseRecord`` field (and DTO attribute) holding its due instant.
DUE_FIELDS = MappingProxyType({
    Target.ACKNOWLEDGE: "acknowledge_due_at",
    Target.RESPOND: "respond_due_at",
    Target.RESOLVE: "resolve_due_at",
})
#: Target -> the ``CaseRecord`` field (and DTO attribute) holding when it was met.
MET_FIELDS = MappingProxyType({
    Target.ACKNOWLEDGE: "acknowledged_at",
    Target.RESPOND: "responded_at",
    Target.RESOLVE: "resolved_at",
})


def due_column(target: Target) -> Field:
    """The ``CaseRecord`` column of ``target``'s due instant."""
    return getattr(CaseRecord, DUE_FIELDS[target])


def met_column(target: Target) -> Field:
    """The ``CaseRecord`` column of when ``target`` was met."""
    return getattr(CaseRecord, MET_FIELDS[target])


#: The due columns, then the met columns, in ``Target`` order (for bulk row loads).
DUE_COLUMNS: tuple[Field, ...] = tuple(due_column(target) for target in Target)
MET_COLUMNS: tuple[Field, ...] = tuple(met_column(target) for target in Target)

