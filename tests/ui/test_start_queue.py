"""Which queue the window opens on for the member at the desk."""

import pytest

from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.ui.context import UiContext
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_an_agent_opens_on_my_cases(window):
    assert window.current_filter().queue is Queue.MY_CASES


def test_a_member_who_takes_no_cases_opens_on_all_open(make_window, ui, services, member, clock):
    logged = [log_case(ui, "Printer offline"), log_case(ui, "VPN drops every hour")]
    supervisor = services.team.add_member(member.id, "sam", "Sam Supervisor", role="supervisor",
                                          can_take_cases=False)

    window = make_window(UiContext.for_member(services, clock, supervisor))

    assert window.current_filter().queue is Queue.ALL_OPEN
    assert sorted(window.model.ids()) == sorted(case.id for case in logged)
