"""Editing contacts: details and further numbers/addresses, move to another client,
deactivate, merge duplicates; every change audited (entity ``contact``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import fn

from desktop_helpdesk.domain.cases import client_name_key, phone_digits
from desktop_helpdesk.services.audit import ChangeLog, append_audit_rows, audit_label
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.errors import (
    ValidationError,
    check_email,
    check_phone,
    existing,
)
from desktop_helpdesk.services.permissions import Actions, change_by
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ClientEmailDomainRecord,
    ClientRecord,
    ContactAddressRecord,
    ContactRecord,
)

MAX_NOTES = 5_000
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


@dataclass(frozen=True)
class ContactDetails:
    """Everything the contact editor shows."""

    id: int
    name: str
    email: str
    phone: str
    other_emails: tuple[str, ...]
    other_phones: tuple[str, ...]
    notes: str
    client_id: int
    client_name: str
    active: bool
    cases: int
    email_failing: str = ""  # why mail to the address bounced, when it did


class ContactEditingService:
    """Changes contacts; moves and merges need a supervisor or admin.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def update_client(self, actor_id: int, client_id: int, **values) -> None:
        """Change a client's details (see ``update_client``)."""
        update_client(actor_id, self._context.now(), client_id, **values)

    def save_client(self, actor_id: int, client_id: int, *, country: str = "", region: str = "",
                    time_zone: str = "", email_domains: Sequence[str] | None = None, **values) -> None:
        """The client editor's save: details and place in one transaction (a refused place
        leaves the details as they were too).

        Raises:
            ValidationError: naming the bad field.
            PermissionDenied: the actor is an agent.
            NotFoundError: no such client.
        """
        from desktop_helpdesk.services.abroad import AbroadService

        with write_transaction():
            self.update_client(actor_id, client_id, **values)
            AbroadService(self._context).set_client_place(actor_id, client_id, country=country, region=region,
                                                          time_zone=time_zone)
            if email_domains is not None:
                self.set_client_domains(actor_id, client_id, email_domains)

    def set_client_domains(self, actor_id: int, client_id: int, domains: Sequence[str]) -> tuple[str, ...]:
        """The email domains that match unknown senders to this client (supervisors and
        admins); one domain belongs to one client. Audited as one change.

        Raises:
            ValidationError: ``email_domains`` malformed or another client's.
            PermissionDenied: the actor is an agent.
        """
        wanted = []
        for raw in domains:
            domain = str(raw or "").strip().lower().lstrip("@")
            if not domain:
                continue
            if not _DOMAIN.fullmatch(domain):
                raise ValidationError("email_domains", f"{domain!r} is not an email domain (e.g. acme.example)")
            if domain not in wanted:
                wanted.append(domain)
        with change_by(actor_id, Actions.EDIT_CLIENTS) as actor:
            owners = dict(ClientEmailDomainRecord.select(ClientEmailDomainRecord.domain, ClientRecord.name)
                          .join(ClientRecord).where(ClientEmailDomainRecord.domain.in_(wanted),
                                                    ClientEmailDomainRecord.client != client_id).tuples())
            if owners:
                domain, owner = next(iter(owners.items()))
                raise ValidationError("email_domains", f"{domain} already belongs to {owner}")
            before = client_domains(client_id)
            if tuple(sorted(before)) != tuple(sorted(wanted)):
                ClientEmailDomainRecord.delete().where(ClientEmailDomainRecord.client == client_id).execute()
                now = self._context.now()
                if wanted:
                    ClientEmailDomainRecord.insert_many(
                        [{"client": client_id, "domain": d, "created_at": now} for d in wanted]).execute()
                log = ChangeLog(actor.id, now, entity="client", entity_id=client_id)
                log.add("client_updated", field="email_domains", before=", ".join(before), after=", ".join(wanted))
                log.flush()
        return tuple(wanted)

    def details(self, contact_id: int) -> ContactDetails:
        """The contact as the editor shows it.

        Raises:
            NotFoundError: no such contact.
        """
        contact = existing(ContactRecord, contact_id, "contact")
        return _details(contact)

    def update_contact(
        self,
        actor_id: int,
        contact_id: int,
        *,
        name: str,
        email: str = "",
        phone: str = "",
        other_emails: Sequence[str] = (),
        other_phones: Sequence[str] = (),
        notes: str = "",
    ) -> ContactDetails:
        """Change a contact's name, numbers, addresses and notes (any active member).

        Args:
            actor_id: the member acting.
            contact_id: the contact.
            name: their name (required).
            email: main address ("" none).
            phone: main number ("" none).
            other_emails: further addresses (look-ups find them too).
            other_phones: further numbers.
            notes: anything the desk should know about them.

        Returns:
            The updated contact.

        Raises:
            ValidationError: naming ``contact_name``, ``email``, ``phone`` or ``notes``.
            NotFoundError: no such contact.
        """
        name = _required_name("contact_name", name, "the contact's name is required")
        email, phone = str(email or "").strip(), str(phone or "").strip()
        check_email("email", email)
        check_phone("phone", phone)
        emails = _unique(e.strip() for e in other_emails if e.strip() and e.strip().lower() != email.lower())
        phones = _unique(p.strip() for p in other_phones if p.strip() and phone_digits(p) != phone_digits(phone))
        for extra in emails:
            check_email("email", extra)
        for extra in phones:
            check_phone("phone", extra)
        notes = str(notes or "")
        if len(notes) > MAX_NOTES:
            raise ValidationError("notes", f"at most {MAX_NOTES:,} characters")
        with change_by(actor_id) as actor:
            contact = _contact(contact_id)
            now = self._context.now()
            log = ChangeLog(actor.id, now, entity="contact", entity_id=contact.id)
            log.change(contact, "name", name)
            if log.change(contact, "email", email):
                contact.email_lower = email.lower()
                # A corrected address is worth trying again: the failing mark was the old one's.
                if contact.email_failing_at is not None:
                    log.change(contact, "email_failing_at", None, reason="address changed")
                    log.change(contact, "email_failing_reason", "", reason="address changed")
            if log.change(contact, "phone", phone):
                contact.phone_digits = phone_digits(phone)
            log.change(contact, "notes", notes)
            before_emails, before_phones = _addresses(contact.id, "email"), _addresses(contact.id, "phone")
            if tuple(before_emails) != emails or tuple(before_phones) != phones:
                ContactAddressRecord.delete().where(ContactAddressRecord.contact == contact.id).execute()
                rows = [{"contact": contact.id, "kind": "email", "value": e, "normalised": e.lower(),
                         "created_at": now} for e in emails]
                rows += [{"contact": contact.id, "kind": "phone", "value": p, "normalised": phone_digits(p),
                          "created_at": now} for p in phones]
                if rows:
                    ContactAddressRecord.insert_many(rows).execute()
                if tuple(before_emails) != emails:
                    log.add("update", field="other_emails", before=", ".join(before_emails), after=", ".join(emails))
                if tuple(before_phones) != phones:
                    log.add("update", field="other_phones", before=", ".join(before_phones), after=", ".join(phones))
            if not log.empty:
                contact.save()
                log.flush()
        return self.details(contact_id)

    def move_contact(self, actor_id: int, contact_id: int, client_id: int, *, reason: str) -> ContactDetails:
        """Move a contact to another client (supervisors and admins). Their earlier cases stay
        with the client they were logged for: that is whose history they are.

        Raises:
            ValidationError: empty ``reason``; ``client`` unknown.
            PermissionDenied: the actor is an agent.
            NotFoundError: no such contact.
        """
        reason = _reason(reason)
        with change_by(actor_id, Actions.MOVE_CONTACTS) as actor:
            contact = _contact(contact_id)
            client = ClientRecord.get_or_none(ClientRecord.id == client_id)
            if client is None:
                raise ValidationError("client", f"no client with id {client_id}")
            if contact.client_id != client.id:
                before = ClientRecord.get_by_id(contact.client_id)
                log = ChangeLog(actor.id, self._context.now(), entity="contact", entity_id=contact.id)
                log.add("contact_moved", field="client", before=audit_label(before.name, before.id),
                        after=audit_label(client.name, client.id), reason=reason)
                contact.client = client.id
                contact.save()
                log.flush()
        return self.details(contact_id)

    def set_active(self, actor_id: int, contact_id: int, active: bool, *, reason: str = "") -> ContactDetails:
        """Deactivate a contact (no longer offered at intake; their cases keep them) or bring
        them back (any active member).

        Raises:
            NotFoundError: no such contact.
        """
        with change_by(actor_id) as actor:
            contact = _contact(contact_id)
            if contact.active != bool(active):
                log = ChangeLog(actor.id, self._context.now(), entity="contact", entity_id=contact.id)
                log.change(contact, "active", bool(active),
                           action="contact_reactivated" if active else "contact_deactivated", reason=reason.strip())
                contact.save()
                log.flush()
        return self.details(contact_id)

    def merge_contacts(self, actor_id: int, duplicate_id: int, survivor_id: int, *, reason: str) -> ContactDetails:
        """Merge a duplicate contact into the survivor (supervisors and admins): the
        duplicate's cases move to the survivor (each case audited), its numbers and addresses
        become the survivor's further ones, and the duplicate is deactivated.

        Raises:
            ValidationError: empty ``reason``; the same contact; contacts of different clients.
            PermissionDenied: the actor is an agent.
            NotFoundError: either contact missing.
        """
        reason = _reason(reason)
        if duplicate_id == survivor_id:
            raise ValidationError("survivor", "a contact cannot be merged into itself")
        with change_by(actor_id, Actions.MERGE_CONTACTS) as actor:
            duplicate, survivor = _contact(duplicate_id), _contact(survivor_id)
            if duplicate.client_id != survivor.client_id:
                raise ValidationError("survivor", "merge contacts of the same client (move one first)")
            now = self._context.now()
            why = f"Merged contact {audit_label(duplicate.name, duplicate.id)} into " \
                  f"{audit_label(survivor.name, survivor.id)}: {reason}"
            case_ids = [row[0] for row in CaseRecord.select(CaseRecord.id)
                        .where(CaseRecord.contact == duplicate.id).tuples()]
            if case_ids:
                # Contacts are not part of a case's SLA, so cases move without a version check;
                # the version still moves so open editors see the change.
                CaseRecord.update(contact=survivor.id, version=CaseRecord.version + 1, updated_at=now).where(
                    CaseRecord.id.in_(case_ids)).execute()
                # Through the chain like every audit row (a bare insert would break it).
                append_audit_rows([
                    {"at": now, "actor": actor.id, "entity": "case", "entity_id": case_id, "case": case_id,
                     "action": "update", "field": "contact", "before": audit_label(duplicate.name, duplicate.id),
                     "after": audit_label(survivor.name, survivor.id), "reason": why}
                    for case_id in case_ids
                ])
            known = {a.lower() for a in (survivor.email, *_addresses(survivor.id, "email")) if a} | {
                phone_digits(p) for p in (survivor.phone, *_addresses(survivor.id, "phone")) if p}
            moved = []
            for kind, value in (("email", duplicate.email), ("phone", duplicate.phone),
                                *(("email", a) for a in _addresses(duplicate.id, "email")),
                                *(("phone", p) for p in _addresses(duplicate.id, "phone"))):
                normalised = value.lower() if kind == "email" else phone_digits(value)
                if value and normalised not in known:
                    known.add(normalised)
                    moved.append({"contact": survivor.id, "kind": kind, "value": value,
                                  "normalised": normalised, "created_at": now})
            if moved:
                ContactAddressRecord.insert_many(moved).execute()
            log = ChangeLog(actor.id, now, entity="contact", entity_id=survivor.id)
            log.add("contact_merged", field="merged_from", after=audit_label(duplicate.name, duplicate.id),
                    reason=f"{why} ({len(case_ids)} cases moved)")
            log.flush()
            dup_log = ChangeLog(actor.id, now, entity="contact", entity_id=duplicate.id)
            dup_log.change(duplicate, "active", False, action="contact_merged", reason=why)
            if duplicate.notes.strip() and duplicate.notes not in survivor.notes:
                survivor.notes = (survivor.notes + "\n" + duplicate.notes).strip()
                survivor.save()
            duplicate.save()
            dup_log.flush()
        return self.details(survivor_id)


def update_client(actor_id: int, at, client_id: int, *, name: str, account_manager: str = "",
                  account_manager_email: str = "", phone: str = "", notes: str = "") -> None:
    """Change a client's name, account manager, switchboard and notes (supervisors and admins),
    audited field by field (inside its own transaction).

    Raises:
        ValidationError: naming ``client``, ``account_manager_email``, ``phone`` or ``notes``.
        PermissionDenied: the actor is an agent.
        NotFoundError: no such client.
    """
    name = _required_name("client", name, "the client organisation's name is required")
    account_manager_email = str(account_manager_email or "").strip()
    check_email("account_manager_email", account_manager_email)
    check_phone("phone", str(phone or "").strip())
    if len(notes or "") > MAX_NOTES:
        raise ValidationError("notes", f"at most {MAX_NOTES:,} characters")
    with change_by(actor_id, Actions.EDIT_CLIENTS) as actor:
        client = existing(ClientRecord, client_id, "client")
        if ClientRecord.select().where(ClientRecord.name_key == client_name_key(name),
                                       ClientRecord.id != client.id).exists():
            raise ValidationError("client", f"a client named {name!r} already exists")
        log = ChangeLog(actor.id, at, entity="client", entity_id=client.id)
        for field, value in (("name", name), ("account_manager", str(account_manager or "").strip()),
                             ("account_manager_email", account_manager_email),
                             ("phone", str(phone or "").strip()), ("notes", str(notes or ""))):
            log.change(client, field, value, action="client_updated")
        if not log.empty:
            client.save()
            log.flush()


def client_domains(client_id: int) -> list[str]:
    """A client's email domains, as stored (lower case)."""
    return [row[0] for row in ClientEmailDomainRecord.select(ClientEmailDomainRecord.domain)
            .where(ClientEmailDomainRecord.client == client_id).order_by(ClientEmailDomainRecord.domain).tuples()]


def contact_ids_with_address(kind: str, normalised: Sequence[str]):
    """A sub-select of contacts having a further ``kind`` address among ``normalised`` (look-ups)."""
    return ContactAddressRecord.select(ContactAddressRecord.contact).where(
        ContactAddressRecord.kind == kind, ContactAddressRecord.normalised.in_(list(normalised)))


def _details(contact: ContactRecord) -> ContactDetails:
    client = ClientRecord.get_by_id(contact.client_id)
    cases = CaseRecord.select(fn.COUNT(CaseRecord.id)).where(CaseRecord.contact == contact.id).scalar()
    failing = ""
    if contact.email_failing_at is not None:
        failing = contact.email_failing_reason or "mail to this address bounced"
    return ContactDetails(
        contact.id, contact.name, contact.email, contact.phone, tuple(_addresses(contact.id, "email")),
        tuple(_addresses(contact.id, "phone")), contact.notes, client.id, client.name, contact.active,
        int(cases or 0), failing,
    )


def _addresses(contact_id: int, kind: str) -> list[str]:
    return [row[0] for row in ContactAddressRecord.select(ContactAddressRecord.value)
            .where(ContactAddressRecord.contact == contact_id, ContactAddressRecord.kind == kind)
            .order_by(ContactAddressRecord.id).tuples()]


def _contact(contact_id: int) -> ContactRecord:
    contact = existing(ContactRecord, contact_id, "contact")
    return contact


def _required_name(field: str, name: object, missing: str) -> str:
    """``name`` trimmed; refused (naming ``field``) when empty, with ``missing``, or too long."""
    name = str(name or "").strip()
    if not name:
        raise ValidationError(field, missing)
    if len(name) > 200:
        raise ValidationError(field, "at most 200 characters")
    return name


def _reason(reason: object) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ValidationError("reason", "say why (kept in the audit)")
    return text[:2000]


def _unique(values) -> tuple[str, ...]:
    seen, kept = set(), []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            kept.append(value)
    return tuple(kept)
