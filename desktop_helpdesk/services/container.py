"""Composition of the services: one object the app builds and hands to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.domain.policy import DEFAULT_POLICY, SlaPolicy
from desktop_helpdesk.services.abroad import AbroadService
from desktop_helpdesk.services.bulk import BulkService
from desktop_helpdesk.services.canned_replies import CannedReplyService
from desktop_helpdesk.services.cases import CaseService
from desktop_helpdesk.services.categories import CategoryService
from desktop_helpdesk.services.contact_editing import ContactEditingService
from desktop_helpdesk.services.contacts import ContactService
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.deliveries import DeliveryService
from desktop_helpdesk.services.email_templates import EmailTemplateService
from desktop_helpdesk.services.mail_intake import MailIntakeService
from desktop_helpdesk.services.phone_calls import PhoneCallService
from desktop_helpdesk.services.presence import PresenceService
from desktop_helpdesk.services.replies import ReplyService
from desktop_helpdesk.services.saved_filters import SavedFilterService
from desktop_helpdesk.services.settings import SettingsService
from desktop_helpdesk.services.team import TeamService


@dataclass(frozen=True)
class Services:
    """All services over one shared context (clock, calendar, policy, settings)."""

    context: ServiceContext
    cases: CaseService
    contacts: ContactService
    team: TeamService
    settings: SettingsService
    calls: PhoneCallService
    categories: CategoryService
    presence: PresenceService
    abroad: AbroadService
    saved_filters: SavedFilterService
    bulk: BulkService
    contact_editing: ContactEditingService
    deliveries: DeliveryService
    mail_intake: MailIntakeService
    canned_replies: CannedReplyService
    email_templates: EmailTemplateService
    replies: ReplyService

    @classmethod
    def create(cls, clock: Clock, policy: SlaPolicy = DEFAULT_POLICY) -> Services:
        """Build the services for the bound database.

        Args:
            clock: the source of "now".
            policy: the SLA budgets.

        Returns:
            The services.
        """
        context = ServiceContext(clock, policy)
        cases, contacts = CaseService(context), ContactService(context)
        canned = CannedReplyService(context)
        return cls(
            context=context,
            cases=cases,
            contacts=contacts,
            team=TeamService(context),
            settings=SettingsService(context),
            calls=PhoneCallService(context, cases, contacts),
            categories=CategoryService(context),
            presence=PresenceService(context),
            abroad=AbroadService(context),
            saved_filters=SavedFilterService(context),
            bulk=BulkService(context, cases),
            contact_editing=ContactEditingService(context),
            deliveries=DeliveryService(context),
            mail_intake=MailIntakeService(context, cases),
            canned_replies=canned,
            email_templates=EmailTemplateService(context),
            replies=ReplyService(context, canned),
        )
