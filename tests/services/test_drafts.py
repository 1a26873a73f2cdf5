"""Drafts survive a new service instance (a restart) and are replaced, not duplicated."""

from datetime import timedelta

from desktop_helpdesk.services.drafts import INTAKE_KEY, DraftService, case_key
from desktop_helpdesk.storage.records import DraftRecord, TeamMemberRecord


def _member(clock, username="ana"):
    return TeamMemberRecord.create(username=username, display_name=username.title(), created_at=clock.now())


def test_draft_survives_a_new_service_and_keeps_base_version(db, clock):
    member = _member(clock)
    DraftService(clock).save(member.id, case_key(7), {"note": "called back, no answer"}, base_version=3)

    restored = DraftService(clock).load(member.id, case_key(7))

    assert restored.fields == {"note": "called back, no answer"}
    assert restored.base_version == 3
    assert restored.saved_at == clock.now()


def test_saving_again_replaces_the_draft(db, clock):
    member = _member(clock)
    drafts = DraftService(clock)
    drafts.save(member.id, INTAKE_KEY, {"subject": "Print"})
    clock.advance(timedelta(seconds=5))
    drafts.save(member.id, INTAKE_KEY, {"subject": "Printer offline"})

    assert DraftRecord.select().count() == 1
    assert drafts.load(member.id, INTAKE_KEY).fields["subject"] == "Printer offline"
    assert drafts.keys(member.id) == [INTAKE_KEY]


def test_blank_draft_discards_and_members_are_separate(db, clock):
    ana, ben = _member(clock, "ana"), _member(clock, "ben")
    drafts = DraftService(clock)
    drafts.save(ana.id, case_key(1), {"note": "typed"})
    drafts.save(ben.id, case_key(1), {"note": "other"})

    drafts.save(ana.id, case_key(1), {"note": "   "})

    assert drafts.load(ana.id, case_key(1)) is None
    assert drafts.load(ben.id, case_key(1)).fields == {"note": "other"}
    drafts.discard(ben.id, case_key(1))
    assert drafts.keys(ben.id) == []
