"""The one template renderer: placeholders, refusals naming the placeholder, today's texts as defaults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    CaseFields,
    TemplateError,
    TemplateKind,
    UnknownPlaceholder,
    placeholders_in,
    render_template,
)


def fields(**overrides) -> CaseFields:
    values = dict(
        case_number="2026-00042", subject="Course player shows a blank page", contact_name="Carol Client",
        contact_email="carol@acme.example", client_name="Acme Learning", assignee="Alice Agent",
        agent_name="Alice Agent", team_name="Velsoft Support", priority="High", status="New",
        received=datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
        respond_due=datetime(2026, 11, 25, 17, 0, tzinfo=UTC),
        resolve_due=datetime(2026, 11, 26, 13, 0, tzinfo=UTC), resolution="", zone=DESK_ZONE,
    )
    values.update(overrides)
    return CaseFields(**values)


def test_the_default_acknowledgement_is_the_text_the_desk_always_sent():
    text = render_template(DEFAULT_TEMPLATES[TemplateKind.ACKNOWLEDGEMENT], fields().values())

    assert text == (
        "Dear Carol Client,\n\n"
        "Thank you for contacting technical support. We have logged your request as case 2026-00042:\n\n"
        "    Course player shows a blank page\n\n"
        "Priority: High\n"
        "We will respond by Wednesday 25 November 2026, 13:00 AST (Halifax time).\n\n"
        "Support hours are Monday to Friday, 8:00 am to 4:30 pm Atlantic time (Halifax).\n"
        "Please keep [Case 2026-00042] in the subject when you reply.\n\n"
        "Kind regards,\nVelsoft Support\n"
    )


def test_the_default_resolution_carries_the_summary():
    text = render_template(DEFAULT_TEMPLATES[TemplateKind.RESOLUTION],
                           fields(resolution="Cleared the cache.", team_name="").values())

    assert "Your case 2026-00042 has been resolved.\n\nSubject: Course player shows a blank page" in text
    assert "Resolution:\nCleared the cache.\n\n" in text
    assert text.endswith("Kind regards,\nTechnical Support\n")  # no sender name set


def test_every_placeholder_renders_and_instants_read_in_desk_time():
    text = render_template(" ".join("{" + name + "}" for name in PLACEHOLDERS), fields().values())

    assert "Carol " in text and "Acme Learning" in text and "2026-00042" in text
    assert "Wednesday 25 November 2026, 09:00 AST" in text  # received 13:00 UTC
    assert "Thursday 26 November 2026, 09:00 AST" in text


def test_an_unknown_placeholder_is_refused_by_name():
    with pytest.raises(UnknownPlaceholder) as raised:
        render_template("Dear {contact_name}, your ticket {ticket_id}", fields().values())

    assert raised.value.name == "ticket_id"
    assert "unknown placeholder {ticket_id}" in str(raised.value)
    assert "{case_number}" in str(raised.value)  # says which ones exist


@pytest.mark.parametrize("text", ["Dear {contact_name", "a } b", "{subject:>20}", "{subject!r}", "{}"])
def test_malformed_templates_are_refused(text):
    with pytest.raises(TemplateError):
        placeholders_in(text)


def test_values_are_inserted_as_they_are_and_doubled_braces_are_literal():
    text = render_template("{{note}} {subject}", fields(subject="Error {0} in {subject}").values())

    assert text == "{note} Error {0} in {subject}"
    assert placeholders_in("{case_number} {case_number} {subject}") == ["case_number", "subject"]


def test_assignee_and_team_name_read_naturally_when_empty():
    values = fields(assignee="", team_name="", contact_name="").values()

    assert values["assignee"] == "the support team"
    assert values["team_name"] == "Technical Support"
    assert values["contact_first_name"] == ""
