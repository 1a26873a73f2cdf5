"""What the window's panels share: services, read queries, drafts, clock and the signed-in member."""

from __future__ import annotations

import getpass
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.services.case_queries import CaseQueries, Queue
from desktop_helpdesk.services.drafts import DraftService
from desktop_helpdesk.ui.sla_display import SlaReader

if TYPE_CHECKING:
    from desktop_helpdesk.services.container import Services


@dataclass
class UiContext:
    """Injected into every panel instead of app-wide globals.

    Attributes:
        services: the lifecycle services (``Services.create(clock)``).
        queries: read side of the case list.
        drafts: unsaved-edit storage.
        clock: the injected clock (a ``ManualClock`` in tests).
        member_id: the signed-in team member.
        member_name: their display name.
        start_queue: the queue the window opens on.
        workstation: this computer's name as colleagues see it beside a case they share.
    """

    services: Services
    queries: CaseQueries
    drafts: DraftService
    clock: Clock
    member_id: int
    member_name: str
    start_queue: Queue = Queue.MY_CASES
    workstation: str = field(default_factory=lambda: default_workstation())

    @classmethod
    def for_member(cls, services: Services, clock: Clock, member,
                   drafts_folder: Path | None = None) -> UiContext:
        """The context for ``member`` (a ``MemberSummary``) signed in over ``services``;
        ``drafts_folder`` keeps drafts while the database is read-only."""
        return cls(
            services=services,
            queries=CaseQueries(services.context),
            drafts=DraftService(clock, read_only_folder=drafts_folder),
            clock=clock,
            member_id=member.id,
            member_name=member.display_name,
            # A supervisor who takes no cases would open on an empty "My cases".
            start_queue=Queue.MY_CASES if member.can_take_cases else Queue.ALL_OPEN,
        )

    @property
    def desk_zone(self):
        return self.services.context.calendar.zone

    def sla_reader(self) -> SlaReader:
        """A reader with the current calendar and settings (runs two tiny queries)."""
        context = self.services.context
        return SlaReader(context.reload_calendar(), context.policy, context.settings().due_soon_share)


def default_workstation() -> str:
    """This computer's network name (the OS user's when it has none)."""
    name = platform.node().split(".")[0].strip()
    if name:
        return name
    try:
        return f"{getpass.getuser()}'s computer"
    except OSError:  # no user name in the environment (some service accounts)
        return "this computer"
