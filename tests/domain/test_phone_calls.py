"""Calls handed over by the phone system: URL forms, extensions, ring time."""

from datetime import UTC, datetime, timedelta

import pytest

from desktop_helpdesk.domain.phone_calls import (
    CallFormatError,
    IncomingCall,
    call_from_url,
    new_call,
    strip_extension,
    tel_url,
)

RANG = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("tel:+1-902-955-6611", "+1-902-955-6611"),
        ("TEL:+19029556611", "+19029556611"),
        ("callto:+19029556611", "+19029556611"),
        ("callto://+19029556611", "+19029556611"),
        ("tel:%2B1%20902%20955%206611", "+1 902 955 6611"),
        ("sip:+19029556611@pbx.example", "+19029556611"),
        ("tel:+19029556611;ext=204", "+19029556611;ext=204"),
        ("desktop-helpdesk://call?from=%2B1%20(902)%20955-6611", "+1 (902) 955-6611"),
    ],
)
def test_every_url_form_gives_the_number_and_its_digits(url, number):
    call = call_from_url(url, rang_at=RANG)
    assert call.number == number
    assert call.digits == "19029556611"
    assert call.rang_at == RANG


def test_desk_url_carries_name_line_call_id_and_ring():
    call = new_call("+1 (902) 955-6611", rang_at=RANG, name="Mona Lisa", line="Support", call_id="c-7")
    back = call_from_url(call.to_url(), rang_at=RANG + timedelta(minutes=5))
    assert back == call
    assert back.display == "Mona Lisa (+1 (902) 955-6611)"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("mailto:a@b.example", "url"),
        ("desktop-helpdesk://open?from=123456", "url"),
        ("desktop-helpdesk://call?name=Bob", "from"),
        ("tel:anonymous", "from"),
        ("desktop-helpdesk://call?from=9029556611&rang=yesterday", "rang"),
    ],
)
def test_bad_urls_name_the_field(url, field):
    with pytest.raises(CallFormatError, match=f"^{field}:"):
        call_from_url(url, rang_at=RANG)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("+1 (902) 955-6611 x204", "+1 (902) 955-6611"),
        ("902 955 6611 ext. 12", "902 955 6611"),
        ("902 955 6611 extension 12", "902 955 6611"),
        ("902-955-6611,,12", "902-955-6611"),
        ("902-955-6611#12", "902-955-6611"),
        ("+19029556611;ext=204", "+19029556611"),
        ("+1 (902) 955-6611", "+1 (902) 955-6611"),
    ],
)
def test_extensions_and_dial_pauses_are_not_part_of_the_number(typed, number):
    assert strip_extension(typed) == number


def test_tel_url_keeps_the_plus_and_the_extension():
    assert tel_url("+1 (902) 955-6611 x204") == "tel:+19029556611;ext=204"
    assert tel_url("902.955.6611") == "tel:9029556611"


def test_caller_id_name_that_is_only_the_number_is_dropped():
    assert new_call("9029556611", rang_at=RANG, name="902-955-6611").name == ""


def test_control_characters_and_huge_fields_are_refused():
    with pytest.raises(CallFormatError, match="^name:"):
        new_call("9029556611", rang_at=RANG, name="Bob\x1b[2J")
    with pytest.raises(CallFormatError, match="^from:"):
        new_call("9" * 80, rang_at=RANG)
    with pytest.raises(CallFormatError, match="^from: control"):
        new_call("902\x00955 6611", rang_at=RANG)


def test_timer_starts_at_the_ring_unless_the_clocks_disagree():
    call = new_call("9029556611", rang_at=RANG)
    assert call.started_on_desk(RANG + timedelta(seconds=20)) == RANG
    assert call.started_on_desk(RANG + timedelta(hours=2)) == RANG + timedelta(hours=2)
    assert call.started_on_desk(RANG - timedelta(seconds=5)) == RANG - timedelta(seconds=5)


def test_message_round_trip_and_errors():
    call = new_call("9029556611", rang_at=RANG, call_id="x1")
    assert IncomingCall.from_message(call.to_message()) == call
    with pytest.raises(CallFormatError, match="^rang_at:"):
        IncomingCall.from_message({"number": "9029556611", "rang_at": "2026-11-25T13:00:00"})
    assert call.key == "x1"
    assert new_call("9029556611", rang_at=RANG).key == "9029556611@20261125T130000"
