"""Workflow rules and input checks of the case domain."""

import pytest

from desktop_helpdesk.domain.cases import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUS_VALUES,
    OPEN_STATUSES,
    CaseStatus,
    EscalationTarget,
    IntakeChannel,
    InteractionChannel,
    can_transition,
    case_number_in_subject,
    case_subject,
    format_case_number,
    is_valid_email,
    normalise_case_number,
    parse_case_number,
    phone_digits,
    phone_variants,
    sanitise_filename,
    transition_error,
)


def test_stored_status_values_match_the_contract():
    assert [s.value for s in CaseStatus] == [
        "new", "acknowledged", "in_progress", "escalated", "waiting_on_client", "resolved", "closed"]
    assert [s.label for s in CaseStatus][4] == "Waiting on client"
    assert CaseStatus.RESOLVED not in OPEN_STATUSES and CaseStatus.ESCALATED in OPEN_STATUSES
    # Queries on the status column use the stored values of the same open statuses.
    assert OPEN_STATUS_VALUES == ("new", "acknowledged", "in_progress", "escalated", "waiting_on_client")


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("new", "acknowledged", True),
        ("new", "resolved", True),
        ("acknowledged", "new", False),
        ("in_progress", "acknowledged", False),
        ("escalated", "in_progress", True),
        ("waiting_on_client", "escalated", True),
        ("resolved", "closed", True),
        ("resolved", "in_progress", True),  # reopen
        ("closed", "in_progress", True),  # reopen
        ("closed", "resolved", False),
        ("new", "closed", False),
        ("in_progress", "in_progress", False),
    ],
)
def test_only_sensible_transitions_are_allowed(current, target, allowed):
    assert can_transition(current, target) is allowed


def test_every_status_has_transition_rules_and_closed_only_reopens():
    assert set(ALLOWED_TRANSITIONS) == set(CaseStatus)
    assert ALLOWED_TRANSITIONS[CaseStatus.CLOSED] == {CaseStatus.IN_PROGRESS}
    assert all(CaseStatus.NEW not in targets for targets in ALLOWED_TRANSITIONS.values())


def test_transition_error_explains_the_alternatives():
    message = transition_error("closed", "resolved")
    assert message.startswith("A case that is Closed cannot be moved to Resolved")
    assert "In progress" in message
    with pytest.raises(ValueError):
        can_transition("new", "done")


def test_interaction_channels_and_labels():
    assert [c.value for c in InteractionChannel] == [
        "phone", "email", "teams", "skype", "join_me", "gotomeeting", "remote_session", "note"]
    assert InteractionChannel.TEAMS.label == "Microsoft Teams" and InteractionChannel.TEAMS.is_live
    assert [c.value for c in IntakeChannel] == ["phone", "email", "teams"]
    assert [c.can_be_live for c in IntakeChannel] == [True, False, True]
    assert InteractionChannel.JOIN_ME.label == "Join.me"
    assert InteractionChannel.SKYPE.is_live and not InteractionChannel.EMAIL.is_live


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("+1 (902) 555-0142", "19025550142"), ("902.555.0142 ext 7", "90255501427"), ("reception", ""),
     ("٩٠٢", "")],
)
def test_phone_digits_ignores_formatting(typed, digits):
    assert phone_digits(typed) == digits


def test_phone_variants_cover_the_country_code():
    assert phone_variants("19025550142") == ("19025550142", "9025550142")
    assert phone_variants("9025550142") == ("9025550142", "19025550142")
    assert phone_variants("5550142") == ("5550142",)
    assert phone_variants("") == ()


@pytest.mark.parametrize(
    ("email", "valid"),
    [("carol@acme.example", True), ("c.o'neil+help@sub.acme.ca", True), ("carol@", False),
     ("carol@acme", False), ("car ol@acme.ca", False), ("a@@b.ca", False), ("a..b@c.ca", False),
     ("", False)],
)
def test_email_check(email, valid):
    assert is_valid_email(email) is valid


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("screenshot.png", "screenshot.png"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\error log.txt", "error log.txt"),
        ("../../secret.db", "secret.db"),
        ("bad<name>?.pdf", "bad_name__.pdf"),
        ("CON.txt", "_CON.txt"),
        ("...", "attachment"),
        ("", "attachment"),
        ("report.   ", "report"),
        ("x" * 300 + ".log", "x" * 116 + ".log"),
    ],
)
def test_sanitise_filename(name, safe):
    assert sanitise_filename(name) == safe


def test_label_of_uses_each_enums_own_labels():
    assert InteractionChannel.label_of("join_me") == "Join.me"
    assert EscalationTarget.label_of("client_it") == "Client IT"
    assert InteractionChannel.label_of("fax") == "fax"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("2026-00042", (2026, 42)), (" 2026-42 ", (2026, 42)), ("2026-123456", (2026, 123456)),
     ("2026-0", None), ("26-00042", None), ("2026-00042x", None), ("VPN", None), ("", None)],
)
def test_parse_case_number(text, parsed):
    assert parse_case_number(text) == parsed
    assert normalise_case_number(text) == (None if parsed is None else format_case_number(*parsed))


def test_case_number_round_trips_through_the_subject_tag():
    number = format_case_number(2026, 42)
    assert number == "2026-00042"
    assert case_number_in_subject("Re: " + case_subject(number, "VPN down")) == number
    assert case_number_in_subject("AW: [CASE 2026-42] VPN") == number
    assert case_number_in_subject("Case 2026-00042 without brackets") is None
