"""Clients and their contacts: look-up by phone digits, email or name, and find-or-create."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError, fn

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    client_name_key,
    phone_digits,
    phone_variants,
)
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.contact_editing import contact_ids_with_address
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.dto import ClientSummary, ContactMatch
from desktop_helpdesk.services.errors import (
    NotFoundError,
    ValidationError,
    check_email,
    check_phone,
    checked_text,
)
from desktop_helpdesk.services.permissions import change_by
from desktop_helpdesk.storage.db import database, serialize_on
from desktop_helpdesk.storage.dialect import unindexed
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ClientEmailDomainRecord,
    ClientRecord,
    ContactRecord,
)

# A query with at least this many digits and no letters is read as a phone number.
_MIN_PHONE_DIGITS = 4


@dataclass(frozen=True)
class NewClient:
    """A client organisation to add, as typed on the admin clients page or named at intake.

    Attributes:
        name: the organisation's name (required; unique ignoring case and spacing).
        account_manager: who follows the client in the CRM.
        account_manager_email: their address.
        phone: the organisation's switchboard.
    """

    name: str
    account_manager: str = ""
    account_manager_email: str = ""
    phone: str = ""

    def validated(self) -> NewClient:
        """This client with trimmed values.

        Raises:
            ValidationError: naming ``client``, ``account_manager``, ``account_manager_email``
                or ``phone``.
        """
        name = checked_text("client", self.name, ClientRecord.name)
        if not name:
            raise ValidationError("client", "the client organisation's name is required")
        account_manager = checked_text("account_manager", self.account_manager, ClientRecord.account_manager)
        check_email("account_manager_email", self.account_manager_email)
        check_phone("phone", self.phone)
        return NewClient(name, account_manager, self.account_manager_email.strip(), self.phone.strip())


@dataclass(frozen=True)
class NewContact:
    """A caller typed in at intake; matched to an existing contact by phone or email first.

    Attributes:
        name: the person's name.
        email: their address ("" when unknown).
        phone: their number in any formatting ("" when unknown).
        client_id: the organisation they belong to, or
        client_name: the organisation's name (created when no client has that name).
    """

    name: str
    email: str = ""
    phone: str = ""
    client_id: int | None = None
    client_name: str = ""

    def validated(self) -> NewContact:
        """This contact with trimmed values.

        Raises:
            ValidationError: naming ``contact_name``, ``email``, ``phone`` or ``client``.
        """
        name = checked_text("contact_name", self.name, ContactRecord.name)
        if not name:
            raise ValidationError("contact_name", "the caller's name is required")
        check_email("email", self.email)
        check_phone("phone", self.phone)
        client_name = checked_text("client", self.client_name, ClientRecord.name)
        if self.client_id is None and not client_name:
            raise ValidationError("client", "choose the client organisation or name a new one")
        return NewContact(name, self.email.strip(), self.phone.strip(), self.client_id, client_name)


class ContactService:
    """Clients and contacts for the intake form and the case view.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def find_contacts(self, query: str, limit: int = 10) -> list[ContactMatch]:
        """Contacts matching a phone number (digits, any formatting), an email address
        (case-insensitive, exact or prefix) or name words (each typed word starts a word of
        the name, in any order: "Saulnier Chris" finds Chris Saulnier).

        Args:
            query: what was typed.
            limit: at most this many matches.

        Returns:
            Matches, exact phone/email first then by name; empty for an empty query.
        """
        text = checked_text("query", query)
        if not text or limit <= 0:
            return []
        base = ContactRecord.select(ContactRecord, ClientRecord).join(ClientRecord).where(
            ContactRecord.active == True  # noqa: E712 (peewee expression)
        )
        digits = phone_digits(text)
        if len(digits) >= _MIN_PHONE_DIGITS and not any(ch.isalpha() for ch in text):
            # North American numbers are typed with or without the leading 1.
            rows = base.where(
                ContactRecord.phone_digits.in_(phone_variants(digits))
                | ContactRecord.phone_digits.endswith(digits)
                | ContactRecord.id.in_(contact_ids_with_address("phone", phone_variants(digits)))
            ).order_by(ContactRecord.name).limit(limit)
            return [_match(row, "phone") for row in rows]
        cleaned = text.replace("%", "").replace("_", "").lower()
        if "@" in text:
            rows = base.where(
                (ContactRecord.email_lower == cleaned) | ContactRecord.email_lower.startswith(cleaned)
                | ContactRecord.id.in_(contact_ids_with_address("email", [cleaned]))
            ).order_by(ContactRecord.email_lower != cleaned, ContactRecord.name).limit(limit)
            return [_match(row, "email") for row in rows]
        name = fn.LOWER(ContactRecord.name)
        # Each typed word starts some word of the name, in any order: callers give their
        # surname first as often as not ("Saulnier Chris" is Chris Saulnier).
        condition = None
        for word in cleaned.split():
            starts_a_word = name.startswith(word) | name.contains(f" {word}")
            condition = starts_a_word if condition is None else condition & starts_a_word
        rows = base.where(condition).order_by(ContactRecord.name).limit(limit)
        return [_match(row, "name") for row in rows]

    def get_contact(self, contact_id: int) -> ContactMatch:
        """One contact with their organisation.

        Args:
            contact_id: the contact.

        Returns:
            The contact (``matched_on="id"``).

        Raises:
            NotFoundError: if there is no such contact.
        """
        return _match(contact_with_client(contact_id), "id")

    def list_contacts(self, client_id: int) -> list[ContactMatch]:
        """The active contacts of one client.

        Args:
            client_id: the client organisation.

        Returns:
            Its contacts by name (``matched_on="client"``).
        """
        rows = (
            ContactRecord.select(ContactRecord, ClientRecord)
            .join(ClientRecord)
            .where(ContactRecord.client == client_id, ContactRecord.active == True)  # noqa: E712
            .order_by(ContactRecord.name)
        )
        return [_match(row, "client") for row in rows]

    def list_clients(self) -> list[ClientSummary]:
        """All client organisations with their open case counts.

        Returns:
            ``ClientSummary`` list by name.
        """
        # Grouping by the bare column makes SQLite walk the client index over every case
        # (600 ms at 300,000); the unary plus hides that index, so the open cases come from
        # the status index and are grouped in a small temporary table (a few ms).
        open_counts = dict(
            CaseRecord.select(CaseRecord.client, fn.COUNT(CaseRecord.id))
            .where(CaseRecord.status.in_(OPEN_STATUS_VALUES))
            .group_by(unindexed(CaseRecord.client))
            .tuples()
        )
        domains: dict[int, list[str]] = defaultdict(list)
        for client_id, domain in (ClientEmailDomainRecord
                                  .select(ClientEmailDomainRecord.client, ClientEmailDomainRecord.domain)
                                  .order_by(ClientEmailDomainRecord.domain).tuples()):
            domains[client_id].append(domain)
        return [
            ClientSummary(
                r.id, r.name, r.account_manager, r.account_manager_email, r.phone,
                int(open_counts.get(r.id, 0)), r.country, r.region, r.time_zone, r.notes,
                tuple(domains[r.id]),
            )
            for r in ClientRecord.select().order_by(ClientRecord.name)
        ]

    def create_client(self, actor_id: int, client: NewClient) -> ClientSummary:
        """Add a client organisation (audited).

        Args:
            actor_id: the member acting.
            client: the organisation as typed (its name unique, ignoring case and spacing).

        Returns:
            The new client.

        Raises:
            ValidationError: naming ``client`` (empty or duplicate name), ``account_manager``,
                ``account_manager_email`` or ``phone``.
            PermissionDenied: unknown or inactive actor.
        """
        details = client.validated()
        with change_by(actor_id) as actor:
            record = create_client_record(actor.id, self._context.now(), details)
        return ClientSummary(
            record.id, record.name, record.account_manager, record.account_manager_email,
            record.phone, 0,
        )

    def create_contact(
        self, actor_id: int, client_id: int, name: str, *, email: str = "", phone: str = ""
    ) -> ContactMatch:
        """Add a contact to a client (audited), even if one with the same phone or email exists.

        Args:
            actor_id: the member acting.
            client_id: the contact's organisation.
            name: their name.
            email: their address ("" when unknown).
            phone: their number in any formatting ("" when unknown).

        Returns:
            The new contact.

        Raises:
            ValidationError: naming ``contact_name``, ``email``, ``phone`` or ``client``.
            PermissionDenied: unknown or inactive actor.
        """
        details = NewContact(name, email, phone, client_id=client_id).validated()
        with change_by(actor_id) as actor:
            contact = find_or_create_contact(actor.id, self._context.now(), details, reuse=False)
        return self.get_contact(contact.id)


def contact_with_client(contact_id: int) -> ContactRecord:
    """The contact with its client loaded in the same query.

    Args:
        contact_id: the contact's id.

    Returns:
        The record; ``contact.client`` needs no further query.

    Raises:
        NotFoundError: no such contact.
    """
    contact = (
        ContactRecord.select(ContactRecord, ClientRecord)
        .join(ClientRecord)
        .where(ContactRecord.id == contact_id)
        .first()
    )
    if contact is None:
        raise NotFoundError(f"No contact with id {contact_id}")
    return contact


def create_client_record(actor_id: int | None, at: datetime, details: NewClient) -> ClientRecord:
    """Insert a client and its audit row (inside the caller's transaction).

    Args:
        actor_id: the member acting (None: the system).
        at: the instant of the change.
        details: the validated client details.

    Returns:
        The new record.

    Raises:
        ValidationError: ``client`` when the name is already taken (also when another
            workstation takes it at the same moment).
    """
    client = _insert_client(details, at)
    if client is None:
        raise ValidationError("client", f"a client named {details.name!r} already exists")
    log = ChangeLog(actor_id, at, entity="client", entity_id=client.id)
    log.add("client_created", field="name", after=details.name)
    if details.account_manager:
        log.add("client_created", field="account_manager", after=details.account_manager)
    log.flush()
    return client


def find_client(name: str) -> ClientRecord | None:
    """The client whose name matches ``name`` ignoring case (any script) and spacing."""
    return ClientRecord.get_or_none(ClientRecord.name_key == client_name_key(name))


def _insert_client(details: NewClient, at: datetime) -> ClientRecord | None:
    """Insert a client; None when one with the same name key exists or is being created by
    another workstation at this moment (nothing is written then)."""
    serialize_on(f"client:{client_name_key(details.name)}")
    if find_client(details.name) is not None:
        return None
    try:
        # A savepoint: if the unique key is taken after all, only this insert is undone and
        # the caller's transaction goes on.
        with database.atomic():
            return ClientRecord.create(name=details.name, account_manager=details.account_manager,
                                       account_manager_email=details.account_manager_email,
                                       phone=details.phone, created_at=at)
    except IntegrityError:
        return None


def find_or_create_contact(
    actor_id: int | None, at: datetime, details: NewContact, *, reuse: bool = True
) -> ContactRecord:
    """The contact for validated ``details``: an existing one with the same phone digits or
    email (when ``reuse``), else a new one under the named or given client (inside the
    caller's transaction; creations are audited).

    Args:
        actor_id: the member acting (None: the system).
        at: the instant of the change.
        details: the validated contact details.
        reuse: look for an existing contact first.

    Returns:
        The existing or new contact record.

    Raises:
        ValidationError: ``client`` when ``client_id`` names no client.
    """
    digits = phone_digits(details.phone)
    email_lower = details.email.lower()
    # Two workstations taking the same new caller at the same moment take turns here, so the
    # second one finds the contact the first created instead of adding a twin.
    serialize_on(f"contact-phone:{min(phone_variants(digits))}" if digits else "",
                 f"contact-email:{email_lower}" if email_lower else "")
    if reuse and (digits or email_lower):
        condition = None
        if digits:
            condition = ContactRecord.phone_digits.in_(phone_variants(digits))
            condition |= ContactRecord.id.in_(contact_ids_with_address("phone", phone_variants(digits)))
        if email_lower:
            by_email = (ContactRecord.email_lower == email_lower) | ContactRecord.id.in_(
                contact_ids_with_address("email", [email_lower]))
            condition = by_email if condition is None else condition | by_email
        existing = (
            ContactRecord.select()
            .where(condition, ContactRecord.active == True)  # noqa: E712
            .order_by(ContactRecord.id)
            .first()
        )
        if existing is not None:
            return existing
    if details.client_id is not None:
        client = ClientRecord.get_or_none(ClientRecord.id == details.client_id)
        if client is None:
            raise ValidationError("client", f"no client with id {details.client_id}")
    else:
        client = find_client(details.client_name)
        if client is None:
            try:
                client = create_client_record(actor_id, at, NewClient(details.client_name))
            except ValidationError:
                # Created by another workstation since the look-up: use theirs.
                client = find_client(details.client_name)
                if client is None:
                    raise
    contact = ContactRecord.create(
        client=client.id,
        name=details.name,
        email=details.email,
        email_lower=email_lower,
        phone=details.phone,
        phone_digits=digits,
        created_at=at,
    )
    log = ChangeLog(actor_id, at, entity="contact", entity_id=contact.id)
    log.add("contact_created", field="name", after=details.name)
    log.add("contact_created", field="client", after=client.name)
    if details.email:
        log.add("contact_created", field="email", after=details.email)
    if details.phone:
        log.add("contact_created", field="phone", after=details.phone)
    log.flush()
    return contact


def _match(row: ContactRecord, matched_on: str) -> ContactMatch:
    return ContactMatch(
        row.id, row.name, row.email, row.phone, row.client.id, row.client.name, matched_on
    )
