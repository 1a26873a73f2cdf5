"""Peewee records: the tables the desk keeps. Instants are UTC; nothing is ever hard-deleted."""

from __future__ import annotations

import uuid

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from desktop_helpdesk.domain.cases import client_name_key
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.fields import UtcDateTimeField


def new_event_id() -> str:
    """A fresh outbox event id (a random UUID), given at insert."""
    return str(uuid.uuid4())


class BaseRecord(Model):
    """Binds every record to the process-wide database proxy."""

    class Meta:
        database = database
        legacy_table_names = False


class TeamMemberRecord(BaseRecord):
    """A person on the support team (agent, supervisor or admin)."""

    id = AutoField()
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=128)
    email = CharField(max_length=254, default="")
    role = CharField(max_length=16, default="agent")  # agent | supervisor | admin
    can_take_cases = BooleanField(default=True)
    availability = CharField(max_length=16, default="available")  # available|away|on_leave|off_shift
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()
    # Argon2id hash ("" = no password yet: only while the team has no admin with one).
    password_hash = CharField(max_length=255, default="")
    must_change_password = BooleanField(default=False)  # after an admin's reset
    failed_sign_ins = IntegerField(default=0)  # consecutive, since the last success or lock
    last_failed_sign_in_at = UtcDateTimeField(null=True)
    locked_until = UtcDateTimeField(null=True)

    class Meta:
        table_name = "team_member"


class ClientRecord(BaseRecord):
    """A client organisation, with the account manager who follows it in the CRM."""

    id = AutoField()
    name = CharField(max_length=200, unique=True)
    account_manager = CharField(max_length=128, default="")
    account_manager_email = CharField(max_length=254, default="")
    phone = CharField(max_length=64, default="")
    notes = TextField(default="")
    created_at = UtcDateTimeField()
    # The name case-folded (``client_name_key``), unique: "École" and "école" are one client on
    # both engines (SQLite's LOWER() folds only ASCII). Case-folding can lengthen a name up to
    # three times. Set by ``save`` from the name, so it never drifts from it.
    name_key = CharField(max_length=600, unique=True)
    # Where the client is, for their local time and public holidays (codes of the holidays
    # package: ISO country, its subdivision; an IANA time zone). "" while unknown.
    country = CharField(max_length=2, default="")
    region = CharField(max_length=16, default="")
    time_zone = CharField(max_length=64, default="")

    class Meta:
        table_name = "client"

    def save(self, *args, **kwargs):
        self.name_key = client_name_key(self.name)
        return super().save(*args, **kwargs)


class ContactRecord(BaseRecord):
    """A person at a client who contacts support. ``phone_digits`` and ``email_lower`` feed look-ups."""

    id = AutoField()
    client = ForeignKeyField(ClientRecord, backref="contacts", on_delete="RESTRICT")
    name = CharField(max_length=200, index=True)
    email = CharField(max_length=254, default="")
    email_lower = CharField(max_length=254, default="", index=True)
    phone = CharField(max_length=64, default="")
    phone_digits = CharField(max_length=32, default="", index=True)
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()
    notes = TextField(default="")
    # Set when mail to this address bounced (shown on the contact); cleared when it is edited.
    email_failing_at = UtcDateTimeField(null=True)
    email_failing_reason = TextField(default="")

    class Meta:
        table_name = "contact"


class CategoryRecord(BaseRecord):
    """A kind of problem (e.g. SCORM, LMS access) from the short list admins keep; retired
    categories stay on the cases that had them."""

    id = AutoField()
    name = CharField(max_length=80, unique=True)
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "category"


class ClientEmailDomainRecord(BaseRecord):
    """An email domain owned by a client: mail from an unknown sender at this domain becomes
    a new contact of that client. One domain belongs to at most one client."""

    id = AutoField()
    client = ForeignKeyField(ClientRecord, backref="email_domains", on_delete="RESTRICT", index=True)
    domain = CharField(max_length=253, unique=True)  # lower case, no "@"
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "client_email_domain"


class CaseSequenceRecord(BaseRecord):
    """The last case number handed out per year; incremented inside the logging transaction."""

    year = IntegerField(primary_key=True)
    last_number = IntegerField(default=0)

    class Meta:
        table_name = "case_sequence"


class CaseRecord(BaseRecord):
    """A support case with its three SLA clocks (due and met instants per target)."""

    id = AutoField()
    number = CharField(max_length=16, unique=True)
    subject = CharField(max_length=300)
    description = TextField(default="")
    requested_priority = CharField(max_length=16)
    effective_priority = CharField(max_length=16, index=True)
    status = CharField(max_length=24, index=True)
    channel = CharField(max_length=24)  # how the request arrived: phone | email
    client = ForeignKeyField(ClientRecord, backref="cases", on_delete="RESTRICT", index=True)
    contact = ForeignKeyField(ContactRecord, backref="cases", null=True, on_delete="RESTRICT")
    assignee = ForeignKeyField(
        TeamMemberRecord, backref="cases", null=True, on_delete="RESTRICT", index=True
    )
    logged_by = ForeignKeyField(
        TeamMemberRecord, null=True, on_delete="RESTRICT", backref="logged_cases"
    )
    received_at = UtcDateTimeField(index=True)
    logged_at = UtcDateTimeField()
    acknowledge_due_at = UtcDateTimeField()
    respond_due_at = UtcDateTimeField()
    resolve_due_at = UtcDateTimeField()
    acknowledged_at = UtcDateTimeField(null=True)
    responded_at = UtcDateTimeField(null=True)
    resolved_at = UtcDateTimeField(null=True)
    closed_at = UtcDateTimeField(null=True)
    # The earliest due instant among targets not yet met; kept by the services so the list
    # can sort and filter "next SLA due" with an index instead of computing it per row.
    next_due_at = UtcDateTimeField(null=True, index=True)
    # Start of the current resolution-clock pause (waiting on client), null when running.
    resolve_paused_at = UtcDateTimeField(null=True)
    # When the current resolution target started: null means received_at; reopening sets it.
    resolve_started_at = UtcDateTimeField(null=True)
    waiting_on = CharField(max_length=200, default="")
    waiting_since = UtcDateTimeField(null=True)
    resolution_summary = TextField(default="")
    resolution_channel = CharField(max_length=24, default="")
    category = ForeignKeyField(CategoryRecord, null=True, on_delete="RESTRICT", index=True)
    # Set when this case was merged into another (it is then closed); its number finds that one.
    merged_into = ForeignKeyField("self", null=True, on_delete="RESTRICT", index=True, backref="merged_cases")
    version = IntegerField(default=1)  # optimistic concurrency between workstations
    updated_at = UtcDateTimeField(index=True)
    # The change feed: set by the database inside the write transaction (a trigger; see
    # migration 0052), in commit order. Never written by the application.
    revision = BigIntegerField(default=0, index=True, constraints=[SQL("DEFAULT 0")])

    class Meta:
        table_name = "case"
        indexes = ((("status", "next_due_at"), False), (("assignee", "status"), False))


class InteractionRecord(BaseRecord):
    """One contact with the client or an internal note, as logged on the case timeline."""

    id = AutoField()
    case = ForeignKeyField(CaseRecord, backref="interactions", on_delete="RESTRICT", index=True)
    channel = CharField(max_length=24)  # phone|email|skype|join_me|gotomeeting|remote_session|note
    direction = CharField(max_length=16)  # inbound | outbound | internal
    summary = TextField()
    duration_seconds = IntegerField(default=0)
    author = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT")
    occurred_at = UtcDateTimeField(index=True)
    created_at = UtcDateTimeField()
    # Which SLA targets this interaction satisfied, comma separated (acknowledge,respond,resolve).
    satisfies = CharField(max_length=64, default="")

    class Meta:
        table_name = "interaction"


class EscalationRecord(BaseRecord):
    """A hand-off to an internal department or the client's own IT team, and its answer."""

    id = AutoField()
    case = ForeignKeyField(CaseRecord, backref="escalations", on_delete="RESTRICT", index=True)
    target_kind = CharField(max_length=24)  # internal_department | client_it
    target_name = CharField(max_length=200)
    reason = TextField()
    expected_reply_at = UtcDateTimeField(null=True)
    escalated_at = UtcDateTimeField()
    escalated_by = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT")
    answered_at = UtcDateTimeField(null=True)
    answer = TextField(default="")
    answered_by = ForeignKeyField(
        TeamMemberRecord, null=True, on_delete="RESTRICT", backref="answered_escalations"
    )

    class Meta:
        table_name = "escalation"


class SlaPauseRecord(BaseRecord):
    """A period during which the resolution clock stood still (waiting on client)."""

    id = AutoField()
    case = ForeignKeyField(CaseRecord, backref="pauses", on_delete="RESTRICT", index=True)
    reason = TextField()
    started_at = UtcDateTimeField()
    ended_at = UtcDateTimeField(null=True)
    business_seconds = IntegerField(default=0)  # filled when the pause ends

    class Meta:
        table_name = "sla_pause"


class AttachmentRecord(BaseRecord):
    """A file or screenshot kept with the case (in the database, so a shared server has it)."""

    id = AutoField()
    case = ForeignKeyField(CaseRecord, backref="attachments", on_delete="RESTRICT", index=True)
    interaction = ForeignKeyField(InteractionRecord, null=True, on_delete="RESTRICT")
    filename = CharField(max_length=255)
    content_type = CharField(max_length=128, default="application/octet-stream")
    size = IntegerField()
    sha256 = CharField(max_length=64)
    data = BlobField()
    added_by = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT")
    added_at = UtcDateTimeField()

    class Meta:
        table_name = "attachment"


class AuditRecord(BaseRecord):
    """Append-only audit trail; database triggers refuse UPDATE and DELETE on this table, and
    each row's ``hash`` chains it to the row before (``prev_hash``), so changes made around the
    application (triggers dropped, rows edited, deleted or inserted) are detected."""

    id = AutoField()
    at = UtcDateTimeField(index=True)
    actor = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT")
    entity = CharField(max_length=32)  # case | team_member | client | contact | closure | setting
    entity_id = IntegerField(null=True)
    case = ForeignKeyField(CaseRecord, null=True, on_delete="RESTRICT", index=True)
    action = CharField(max_length=48)
    field = CharField(max_length=64, default="")
    before = TextField(default="")
    after = TextField(default="")
    reason = TextField(default="")
    # SHA-256 hex of the previous row's link ("0" * 64 before the first); unique, so two
    # workstations can never both extend the same head (the chain cannot fork).
    prev_hash = CharField(max_length=64, default="", unique=True)
    hash = CharField(max_length=64, default="")

    class Meta:
        table_name = "audit"


class ClosureRecord(BaseRecord):
    """A company closure day (Halifax local date) excluded from business time."""

    id = AutoField()
    day = CharField(max_length=10, unique=True)  # ISO date, Halifax local
    reason = CharField(max_length=200)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "closure"


class SettingRecord(BaseRecord):
    """Team-wide settings shared by every workstation (JSON values)."""

    key = CharField(max_length=64, primary_key=True)
    value = TextField()

    class Meta:
        table_name = "setting"


class OutboxRecord(BaseRecord):
    """The columns every outbox shares: when the row was written and sent, and the delivery
    bookkeeping of ``services/outbox.py``. No table of its own: peewee copies these fields into
    each subclass (the case reference is declared there, so the case knows no table that does
    not exist)."""

    id = AutoField()
    created_at = UtcDateTimeField(index=True)
    sent_at = UtcDateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    # Delivery bookkeeping (services/outbox.py): the event id (webhook-id, stable across
    # retries), the lease holder that claimed the row, when to try next, when it was parked
    # for an operator or skipped by one.
    event_id = CharField(max_length=36, unique=True, default=new_event_id)
    claimed_by = CharField(max_length=200, default="", constraints=[SQL("DEFAULT ''")])
    next_attempt_at = UtcDateTimeField(null=True)
    first_failed_at = UtcDateTimeField(null=True)
    parked_at = UtcDateTimeField(null=True)
    skipped_at = UtcDateTimeField(null=True)
    skip_reason = TextField(default="", constraints=[SQL("DEFAULT ''")])


class CrmOutboxRecord(OutboxRecord):
    """Interactions waiting to be pushed to the CRM, written in the same transaction."""

    case = ForeignKeyField(CaseRecord, on_delete="RESTRICT", index=True)
    interaction = ForeignKeyField(InteractionRecord, null=True, on_delete="RESTRICT")
    event = CharField(max_length=48)
    payload = TextField()

    class Meta:
        table_name = "crm_outbox"


class MailOutboxRecord(OutboxRecord):
    """Emails to clients waiting for the SMTP server, written in the same transaction as the
    case change that promised them (a failed send keeps the row for the next run)."""

    case = ForeignKeyField(CaseRecord, on_delete="RESTRICT", index=True)
    kind = CharField(max_length=24)  # acknowledgement | resolution | reply
    to_address = CharField(max_length=254)
    to_name = CharField(max_length=200, default="")
    subject = CharField(max_length=400)
    body = TextField()
    # Sent by the desk on its own (the automatic acknowledgement): carries Auto-Submitted.
    automatic = BooleanField(default=False)
    # The client's Message-ID this email answers (In-Reply-To/References), or "".
    in_reply_to = TextField(default="")
    # Replies written in the composer: further addressees ("a@x, b@y") and the case's
    # attachments sent with it (attachment ids "3,7"; the bytes are read when it is sent).
    cc_addresses = TextField(default="", constraints=[SQL("DEFAULT ''")])
    attachment_ids = TextField(default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        table_name = "mail_outbox"


class LeaseRecord(BaseRecord):
    """A named lease (``crm-delivery``, ``mail-send``, ...): which process runs that team job.

    ``holder`` is "" while nobody holds it. ``beat`` goes up at every take and renewal; other
    processes judge expiry by watching it stand still (see ``services.leases``), so the
    ``*_at`` columns, written from the holder's clock, are for display only.
    """

    name = CharField(max_length=64, primary_key=True)
    holder = CharField(max_length=200, default="")  # host/pid/token of the process, "" = free
    holder_host = CharField(max_length=128, default="")
    holder_pid = IntegerField(default=0)
    holder_label = CharField(max_length=128, default="")  # "Dana's window", "headless worker"
    beat = IntegerField(default=0)
    acquired_at = UtcDateTimeField(null=True)
    renewed_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "lease"


class InboundMailRecord(BaseRecord):
    """One message read from the support mailbox or imported from a .eml file, kept raw with
    what it became. ``message_key`` (the normalised Message-ID, else ``sha256:`` of the raw
    bytes) is unique, so the same message arriving twice is recognised as a duplicate."""

    id = AutoField()
    message_key = CharField(max_length=400, unique=True)
    message_id = CharField(max_length=400, default="")
    raw_sha256 = CharField(max_length=64)
    raw = BlobField()
    size = IntegerField()
    source = CharField(max_length=16)  # imap | eml
    mailbox = CharField(max_length=300, default="")  # IMAP account/folder, or the .eml file name
    uidvalidity = BigIntegerField(null=True)
    uid = BigIntegerField(null=True)
    from_address = CharField(max_length=254, default="", index=True)
    subject = CharField(max_length=400, default="")
    sent_at = UtcDateTimeField(null=True)  # the Date header
    received_at = UtcDateTimeField(index=True)  # when the desk read it
    outcome = CharField(max_length=16, index=True)  # new_case|threaded|auto_reply|bounce|quarantined
    reason = TextField(default="")
    case = ForeignKeyField(CaseRecord, null=True, on_delete="RESTRICT", index=True)
    interaction = ForeignKeyField(InteractionRecord, null=True, on_delete="RESTRICT", index=True)
    # For quarantined messages: "" while waiting for an agent, else released | discarded.
    quarantine_state = CharField(max_length=16, default="", index=True)
    quarantine_note = TextField(default="")

    class Meta:
        table_name = "inbound_mail"
        indexes = ((("uidvalidity", "uid"), False),)


class DraftRecord(BaseRecord):
    """Unsaved edits of one member, kept so a crash or a switch never loses typed text."""

    id = AutoField()
    member = ForeignKeyField(TeamMemberRecord, on_delete="RESTRICT")
    key = CharField(max_length=64)  # e.g. "case:42" or "intake"
    payload = TextField()
    base_version = IntegerField(default=0)
    saved_at = UtcDateTimeField()

    class Meta:
        table_name = "draft"
        indexes = ((("member", "key"), True),)


class PhoneCallRecord(BaseRecord):
    """A call the desk did not turn into a case yet: an inbound call whose intake was dismissed
    (a missed-call note) or an outbound call being dialled (its timer survives a restart)."""

    id = AutoField()
    direction = CharField(max_length=16)  # inbound | outbound
    state = CharField(max_length=16, index=True)  # missed | dismissed | taken | in_progress | logged
    number = CharField(max_length=64)
    number_digits = CharField(max_length=32, default="")
    caller_name = CharField(max_length=200, default="")
    line = CharField(max_length=200, default="")
    external_id = CharField(max_length=200, default="")
    member = ForeignKeyField(TeamMemberRecord, on_delete="RESTRICT")
    contact = ForeignKeyField(ContactRecord, null=True, on_delete="RESTRICT")
    case = ForeignKeyField(CaseRecord, null=True, on_delete="RESTRICT")
    interaction = ForeignKeyField(InteractionRecord, null=True, on_delete="RESTRICT")
    started_at = UtcDateTimeField()  # the ring, or when the agent dialled
    ended_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "phone_call"
class CasePresenceRecord(BaseRecord):
    """Who has a case open right now, per workstation: a heartbeat row, not history (rows are
    replaced as members move between cases and are dropped when the window closes)."""

    id = AutoField()
    member = ForeignKeyField(TeamMemberRecord, on_delete="CASCADE")
    workstation = CharField(max_length=128)
    case = ForeignKeyField(CaseRecord, on_delete="CASCADE", index=True)
    opened_at = UtcDateTimeField()
    seen_at = UtcDateTimeField(index=True)

    class Meta:
        table_name = "case_presence"
        indexes = ((("member", "workstation"), True),)


class HolidayArrangementRecord(BaseRecord):
    """Who covers a country's (or region's) clients over its public holidays and how to reach
    them; shown on the desk from ``starts_on`` to ``ends_on`` (desk dates, inclusive)."""

    id = AutoField()
    country = CharField(max_length=2)
    region = CharField(max_length=16, default="")
    starts_on = CharField(max_length=10, index=True)  # ISO date
    ends_on = CharField(max_length=10, index=True)
    covered_by = CharField(max_length=200)
    how_to_reach = TextField(default="")
    notes = TextField(default="")
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "holiday_arrangement"


class SavedFilterRecord(BaseRecord):
    """A named set of list criteria beside the queues: the owner's, or shared with the team."""

    id = AutoField()
    name = CharField(max_length=80)
    owner = ForeignKeyField(TeamMemberRecord, on_delete="RESTRICT", index=True)
    shared = BooleanField(default=False)
    criteria = TextField()  # FilterCriteria as JSON
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "saved_filter"


class ContactAddressRecord(BaseRecord):
    """A contact's further phone number or email address (the first ones live on the contact);
    ``normalised`` (digits, or lower case) feeds look-ups like the contact's own columns."""

    id = AutoField()
    contact = ForeignKeyField(ContactRecord, backref="addresses", on_delete="RESTRICT", index=True)
    kind = CharField(max_length=8)  # phone | email
    value = CharField(max_length=254)
    normalised = CharField(max_length=254, index=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "contact_address"


class CannedReplyRecord(BaseRecord):
    """A saved answer inserted into replies and notes: the team's (``owner`` null, kept by
    supervisors and admins) or one member's own. Retired ones stay for the audit trail."""

    id = AutoField()
    title = CharField(max_length=80)
    body = TextField()
    owner = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT", index=True)
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        table_name = "canned_reply"


class EmailTemplateRecord(BaseRecord):
    """An admin's text for one of the desk's own emails (``TemplateKind``); without a row the
    built-in text is used."""

    kind = CharField(max_length=24, primary_key=True)
    body = TextField()
    updated_at = UtcDateTimeField()
    updated_by = ForeignKeyField(TeamMemberRecord, null=True, on_delete="RESTRICT")

    class Meta:
        table_name = "email_template"


def _add_unsent_indexes(record) -> None:
    # Partial indexes over the few unsent rows: a delivery round and the Deliveries screen
    # never walk the delivered history (1,000,000 rows after a few years).
    unsent = record.sent_at.is_null() & record.skipped_at.is_null()
    table = record._meta.table_name
    record.add_index(record.index(record.id, name=f"{table}_unsent", where=unsent))
    record.add_index(record.index(record.case, record.id, name=f"{table}_unsent_case", where=unsent))


_add_unsent_indexes(CrmOutboxRecord)
_add_unsent_indexes(MailOutboxRecord)

ALL_RECORDS = (
    TeamMemberRecord,
    ClientRecord,
    ContactRecord,
    CategoryRecord,
    ClientEmailDomainRecord,
    CaseSequenceRecord,
    CaseRecord,
    InteractionRecord,
    EscalationRecord,
    SlaPauseRecord,
    AttachmentRecord,
    AuditRecord,
    ClosureRecord,
    SettingRecord,
    CrmOutboxRecord,
    MailOutboxRecord,
    DraftRecord,
    LeaseRecord,
    PhoneCallRecord,
    CasePresenceRecord,
    HolidayArrangementRecord,
    SavedFilterRecord,
    ContactAddressRecord,
    InboundMailRecord,
    CannedReplyRecord,
    EmailTemplateRecord,
)
