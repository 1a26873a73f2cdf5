"""Clients abroad through the real window: admin place and holiday cover, header, intake, banner."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services.contacts import NewClient, NewContact
from desktop_helpdesk.storage.records import ClientRecord, HolidayArrangementRecord
from desktop_helpdesk.ui.admin.models import arrangement_model
from tests.ui import test_admin_dialog as admin_steps
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import show

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

BOSTON = NewContact(name="Bea Boston", email="bea@harbor.example", phone="617 555 0100",
                    client_name="Harbor Learning")


def test_arrangement_model_passes_qtmodeltester(qtmodeltester, ui):
    ui.services.abroad.add_arrangement(ui.member_id, country="US", starts_on=date(2026, 11, 26),
                                       ends_on=date(2026, 11, 27), covered_by="Boston partner")
    model = arrangement_model()
    model.set_rows(ui.services.abroad.list_arrangements())
    qtmodeltester.check(model)


def test_admin_sets_a_clients_place_and_holiday_cover(qtbot, window, ui):
    client = ui.services.contacts.create_client(ui.member_id, NewClient("Harbor Learning"))
    dialog = admin_steps.open_dialog(qtbot, window, "clients")
    page = dialog.clients_page
    assert page.select_client(client.id)
    place = page.place
    place.country.setCurrentIndex(place.country.findData("US"))
    place.region.setCurrentIndex(place.region.findData("MA"))
    place.time_zone.setCurrentIndex(place.time_zone.findData("Mars/Olympus"))  # not offered
    place.time_zone.setEditText("Mars/Olympus")
    admin_steps.wait_refused(qtbot, dialog, lambda: admin_steps.click(qtbot, page.save_place_button))
    assert dialog.message_is_error() and dialog.message_text().startswith("Time zone: ")
    place.time_zone.setCurrentIndex(place.time_zone.findData("America/New_York"))
    admin_steps.type_into(qtbot, page.edit_manager_field, "Avery MacLean")
    admin_steps.type_into(qtbot, page.edit_notes_field, "Boston office, US holidays")
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.save_place_button))
    stored = ClientRecord.get_by_id(client.id)
    assert (stored.country, stored.region, stored.time_zone) == ("US", "MA", "America/New_York")
    assert (stored.account_manager, stored.notes) == ("Avery MacLean", "Boston office, US holidays")
    # Email domains: mail from an unknown address at these finds the client.
    admin_steps.type_into(qtbot, page.edit_domains_field, "harbor.example; @Harbor-Learning.example")
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.save_place_button))
    assert ui.services.contacts.list_clients()[0].email_domains == (
        "harbor-learning.example", "harbor.example")
    assert page.edit_domains_field.text() == "harbor-learning.example, harbor.example"

    dialog.tabs.setCurrentWidget(dialog.holiday_cover_page)
    cover = dialog.holiday_cover_page
    cover.place.country.setCurrentIndex(cover.place.country.findData("US"))
    cover.from_field.setDate(cover.from_field.date().addDays(1))
    cover.to_field.setDate(cover.from_field.date().addDays(1))
    admin_steps.wait_refused(qtbot, dialog, lambda: admin_steps.click(qtbot, cover.add_button))  # nobody named
    assert dialog.message_text().startswith("Covered by: ")
    admin_steps.type_into(qtbot, cover.covered_by_field, "Boston partner desk")
    admin_steps.type_into(qtbot, cover.reach_field, "+1 617 555 0199")
    admin_steps.wait_reload(qtbot, dialog, lambda: qtbot.keyClick(cover.reach_field, Qt.Key.Key_Return))
    assert admin_steps.table_texts(cover.table, 3) == ["Boston partner desk"]
    record = HolidayArrangementRecord.get()
    assert (record.country, record.starts_on, record.ends_on) == ("US", "2026-11-26", "2026-11-27")


def test_case_of_a_client_on_their_public_holiday(qtbot, window, ui, clock):
    case = log_case(ui, "LMS down for the Boston office", caller=BOSTON)
    client_id = ClientRecord.get(ClientRecord.name == "Harbor Learning").id
    ui.services.abroad.set_client_place(ui.member_id, client_id, country="US", region="MA",
                                        time_zone="America/New_York")
    ui.services.abroad.add_arrangement(ui.member_id, country="US", starts_on=date(2026, 11, 26),
                                       ends_on=date(2026, 11, 27), covered_by="Boston partner desk",
                                       how_to_reach="+1 617 555 0199")
    clock.advance(timedelta(days=1))  # Thursday 26 Nov, 09:00 Halifax: Thanksgiving in the US
    with qtbot.waitSignal(window.holiday_cover_shown, timeout=5000) as banner:
        window.refresh()
    assert banner.args == [1]
    assert window.holiday_banner.isVisibleTo(window)
    assert window.holiday_banner.text() == (
        "Holiday cover today: United States 26 Nov–27 Nov: covered by Boston partner desk, +1 617 555 0199")

    show(qtbot, window, case.id)
    label = window.detail.header.local_label
    assert label.isVisibleTo(window.detail)
    assert label.text() == ("Client's local time: Thu 08:00 EST in United States (MA) — public holiday "
                            "there: Thanksgiving Day — holiday cover: Boston partner desk (+1 617 555 0199)")

    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.caller_field, "617 555 0100")
    qtbot.waitUntil(lambda: dialog.matches.count() == 1)
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.client_local_label.isVisibleTo(dialog), timeout=5000)
    assert "Thanksgiving Day" in dialog.client_local_label.text()
    dialog.reject()
