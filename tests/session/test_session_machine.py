"""The state machine without devices: steps, view-models, timeouts, elderly mode, help,
language, faults and the message catalogue. Host: the sandbox bank; clock: a manual one."""
from __future__ import annotations

import ast
import inspect

import pytest

from drivers.errors import DeviceTimeout, NoCardError
from drivers.printer.base import PrinterFault
from kiosk.alerts.center import AlertCenter
from kiosk.alerts.outbox import AlertOutbox
from kiosk.config import KioskConfig, UiSection
from kiosk.host.link import REASONS, HostDeclined, HostTimeout
from kiosk.journal import Journal
from kiosk.session import messages
from kiosk.session.clock import ManualClock
from kiosk.session.failures import describe
from kiosk.session.pin_entry import shuffled_keys
from kiosk.session.machine import Session
from kiosk.session.services import Services
from kiosk.session.states import GLOBAL_ACTIONS, VIEW_KEYS, Step
from kiosk.session.menu import SERVICES
from tests.harness import seeded_bank


class Recorder(list):
    def __call__(self, state):
        self.append(state)


@pytest.fixture
def parts(tmp_path):
    config = KioskConfig()
    bank = seeded_bank(tmp_path / "bank.db", config)
    journal = Journal(tmp_path / "journal.db")
    yield config, bank, journal
    bank.close()
    journal.close()


@pytest.fixture
def session(parts):
    config, bank, journal = parts
    clock = ManualClock()
    s = Session(config, Services(host=bank, journal=journal), now=clock)
    s.clock = clock
    s.seen = Recorder()
    s.subscribe(s.seen)
    yield s
    s.close()


def check_states(states):
    for state in states:
        assert set(state.view) <= set(VIEW_KEYS[state.step]), (state.step, state.view)
        if state.message_id:
            assert state.message_id in messages.MESSAGE_IDS, state.message_id
        if state.suggestion:
            assert state.suggestion["message_id"] in messages.MESSAGE_IDS


def test_attract_then_menu_pages_through_every_service(session):
    assert session.state.step == Step.ATTRACT
    assert session.send("start")
    menu = session.state
    assert menu.step == Step.MENU and menu.view["pages"] == 2
    first = [o["id"] for o in menu.view["options"]]
    assert len(first) == menu.page_size == 6
    session.send("page", page=2)
    second = [o["id"] for o in session.state.view["options"]]
    assert sorted(first + second) == sorted(s.id for s in SERVICES)
    wheres = {o["id"]: o["where"] for o in session.state.view["options"]}
    assert wheres["open_account"] == "counter" and wheres["wealth"] == "wealth_manager"
    check_states(session.seen)


def test_counter_service_is_triaged_to_a_ticket(session):
    session.send("start")
    session.send("page", page=2)
    assert session.send("choose", option="open_account")
    assert session.state.step == Step.IDENTIFY
    assert session.state.view["methods"] == ["card", "idcard", "qr"]
    session.send("skip")
    session.wait_idle()
    ticket = session.state
    assert ticket.step == Step.TICKET_ISSUED
    assert ticket.view["service"] == "business" and ticket.view["number"] == "B001"
    assert not ticket.view["priority"] and ticket.view["form_qr"].startswith("BKR1|KSK-0001|")
    check_states(session.seen)


def test_actions_not_offered_are_refused(session):
    assert not session.send("confirm")
    session.send("start")
    assert not session.send("digit", key=1)
    assert session.state.step == Step.MENU


def test_inactivity_asks_for_more_time_then_ends(session):
    session.send("start")
    idle = session.config.ui.idle_timeout_s
    session.clock.advance(idle - 1)
    session.tick()
    assert session.state.step == Step.MENU
    session.send("page", page=2)           # a touch restarts the timer
    session.clock.advance(idle - 1)
    session.tick()
    assert session.state.step == Step.MENU
    session.clock.advance(1)
    session.tick()
    prompt = session.state
    assert prompt.step == Step.MORE_TIME and prompt.view["returns_to"] == "menu"
    assert prompt.seconds_left == int(session.config.ui.more_time_s)
    session.send("more_time")
    assert session.state.step == Step.MENU and session.state.view["page"] == 2
    session.clock.advance(idle)
    session.tick()
    session.clock.advance(session.config.ui.more_time_s)
    session.tick()
    assert session.state.step == Step.GOODBYE
    assert session.state.message_id == "session_timed_out"
    session.clock.advance(10)
    session.tick()
    assert session.state.step == Step.ATTRACT


def test_elderly_mode_has_fewer_choices_and_longer_timeouts(session):
    ui: UiSection = session.config.ui
    session.send("elderly", on=True)
    assert session.state.elderly
    session.send("start")
    menu = session.state
    assert menu.page_size == ui.elderly_page_size == len(menu.view["options"])
    assert menu.view["pages"] == 3
    session.clock.advance(ui.idle_timeout_s * ui.elderly_timeout_factor - 1)
    session.tick()
    assert session.state.step == Step.MENU
    session.clock.advance(1)
    session.tick()
    assert session.state.step == Step.MORE_TIME
    assert session.state.seconds_left == int(ui.more_time_s * ui.elderly_timeout_factor)
    session.send("end")
    session.clock.advance(10)
    session.tick()
    assert session.state.step == Step.ATTRACT and not session.state.elderly


def test_language_switch_keeps_the_step(session):
    session.send("start")
    seq = session.state.seq
    assert session.send("language", language="en")
    assert session.state.step == Step.MENU and session.state.language == "en"
    assert session.state.seq > seq
    assert not session.send("language", language="fr")


def test_help_without_an_alert_center_says_go_to_the_counter(session):
    session.send("start")
    session.send("help")
    session.wait_idle()
    assert session.state.step == Step.HELP_CALLED
    assert session.state.message_id == "help_unavailable"
    session.send("done")
    assert session.state.step == Step.MENU


@pytest.fixture
def help_desk(parts, tmp_path):
    """A session whose help calls go to a real alert center: (session, center)."""
    config, bank, journal = parts
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-0001",
                         branch="310101001")
    s = Session(config, Services(host=bank, journal=journal, alerts=center), now=ManualClock())
    yield s, center
    s.close()
    center.close()


def test_help_raises_an_alert_for_staff(help_desk):
    s, center = help_desk
    s.send("start")
    s.send("help")
    assert s.wait_idle(5)
    assert s.state.step == Step.HELP_CALLED and s.state.message_id == "help_called"
    reference = s.state.view["reference"]
    open_help = [a for a in center.outbox.active() if a.kind == "help"]
    assert len(open_help) == 1 and reference in open_help[0].message
    assert open_help[0].data["screen"] == "menu"
    assert reference.isdigit() and len(reference) == 4       # read out, not hex


def test_a_help_call_can_be_cancelled_and_the_customer_goes_back(help_desk):
    s, center = help_desk
    s.send("start")
    s.send("help")
    assert s.wait_idle(5)
    assert "cancel" in s.state.actions
    assert s.send("cancel")
    assert s.wait_idle(5)
    assert s.state.step == Step.MENU
    assert not [a for a in center.outbox.active() if a.kind == "help"]


def test_help_from_the_attract_screen_goes_back_to_it(session):
    assert session.state.step == Step.ATTRACT
    assert session.send("help")
    session.wait_idle()
    assert session.state.step == Step.HELP_CALLED
    session.send("done")
    assert session.state.step == Step.ATTRACT
    assert not session.send("end")          # nothing to end before a customer starts


def test_rating_is_journalled_after_a_service(session, parts):
    _, _, journal = parts
    session.send("start")
    session.send("choose", option="ticket")
    session.send("skip")
    session.send("choose", service="wealth")
    session.wait_idle()                      # the number is taken on the worker (SQLite)
    session.send("done")
    assert session.state.step == Step.RATING
    session.send("rate", score=9)
    assert session.state.step == Step.RATING
    session.send("rate", score=4)
    assert session.state.step == Step.GOODBYE
    assert session.wait_idle(5)
    kinds = [e.kind for e in journal.entries()]
    assert kinds[0] == "session.start" and "ticket.issued" in kinds
    assert [e.fields["score"] for e in journal.entries(kind="session.rating")] == [4]
    assert [e.fields["reason"] for e in journal.entries(kind="session.end")] == ["done"]


def test_vip_and_booked_customers_are_served_first(parts):
    from kiosk.session.ticket_queue import TicketQueue
    queue = TicketQueue(counters=2)
    for _ in range(4):
        queue.issue("general")
    normal = queue.issue("general")
    vip = queue.issue("general", priority=True)
    assert normal.number == "A005" and normal.waiting == 4 and normal.estimated_wait_min == 12
    assert vip.number == "V001" and vip.waiting == 0 and vip.estimated_wait_min == 0
    queue.called("A001")
    assert queue.issue("general").waiting == 5   # 4 A tickets and the V ticket ahead


def test_keypad_is_a_fresh_shuffle_each_time():
    layouts = {tuple(shuffled_keys()) for _ in range(20)}
    assert all(sorted(layout) == list(range(10)) for layout in layouts)
    assert len(layouts) > 15


@pytest.mark.parametrize("exc, message, ways", [
    (HostDeclined("no money", "insufficient_funds"), "insufficient_funds",
     ("back", "ticket", "end")),
    (HostDeclined("locked", "pin_locked"), "pin_locked", ("ticket", "call_staff", "end")),
    (HostTimeout("slow"), "host_timeout", ("retry", "ticket", "call_staff", "end")),
    (NoCardError("none", device="idcard"), "idcard_unreadable",
     ("retry", "ticket", "call_staff", "end")),
    (DeviceTimeout("gone", device="chipcard", port="Virtual PCD 00 00"),
     "card_reader_unavailable", ("ticket", "call_staff", "end")),
    (PrinterFault("paperOut", device="printer", port="/dev/pts/9", pages_done=2),
     "printer_out_of_paper", ("call_staff", "end")),
    (RuntimeError("bug"), "host_error", ("ticket", "call_staff", "end")),
])
def test_every_failure_has_a_message_and_a_way_forward(exc, message, ways):
    fault = describe(exc)
    assert (fault.message_id, fault.ways) == (message, ways)
    assert fault.message_id in messages.MESSAGE_IDS


def test_message_catalogue_covers_host_reasons_without_duplicates():
    assert set(REASONS) <= set(messages.MESSAGE_IDS)
    tree = ast.parse(inspect.getsource(messages))
    keys = [k.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for k in node.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(set(keys)), "a message id is defined twice"
    assert all(k == k.lower() and " " not in k for k in keys)
    assert all(messages.DEFAULT_TEXT[k] for k in keys)


def test_every_step_documents_its_view():
    assert set(VIEW_KEYS) == set(Step)
    assert "help" in GLOBAL_ACTIONS and "end" in GLOBAL_ACTIONS


def test_a_whole_journey_runs_without_kivy(tmp_path):
    import subprocess
    import sys
    code = f"""
import sys
from pathlib import Path
from kiosk.config import KioskConfig
from kiosk.host.sandbox import SandboxBank
from kiosk.session.machine import Session
from kiosk.session.services import Services
import kiosk.core, kiosk.session.transfer, kiosk.session.statement, kiosk.session.lost_card
bank = SandboxBank(Path({str(tmp_path)!r}) / "bank.db",
                   terminal_key_hex=KioskConfig().host.terminal_key_hex)
bank.seed()
s = Session(KioskConfig(), Services(host=bank))
for action, args in [("start", {{}}), ("choose", {{"option": "ticket"}}), ("skip", {{}}),
                     ("choose", {{"service": "general"}})]:
    assert s.send(action, **args), action
s.wait_idle()
assert s.state.step.value == "ticket_issued", s.state
s.close()
assert not any(m == "kivy" or m.startswith("kivy.") for m in sys.modules)
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_ending_on_the_more_time_prompt_is_the_customers_choice(session):
    session.send("start")
    session.send("choose", option="ticket")
    session.send("skip")
    session.send("choose", service="general")
    session.wait_idle()
    assert session.state.step == Step.TICKET_ISSUED
    session.clock.advance(session.config.ui.idle_timeout_s)
    session.tick()
    assert session.state.step == Step.MORE_TIME
    session.send("help")                          # help from the prompt, then back to it
    session.wait_idle()
    assert session.state.step == Step.HELP_CALLED
    session.send("done")
    assert session.state.step == Step.MORE_TIME
    session.send("end")
    assert session.state.step == Step.RATING     # a service was used: ask how it went


def test_ticket_numbers_survive_a_restart_and_waits_shrink_as_time_passes(tmp_path):
    import datetime as dt

    from kiosk.session.ticket_queue import TicketQueue
    opening = dt.datetime(2026, 11, 30, 9, 0)
    queue = TicketQueue(tmp_path / "tickets.db", counters=2)
    assert [queue.issue("general", now=opening).number for _ in range(3)] == \
        ["A001", "A002", "A003"]
    queue.close()
    queue = TicketQueue(tmp_path / "tickets.db", counters=2)   # the kiosk restarted
    fourth = queue.issue("general", now=opening)
    assert (fourth.number, fourth.waiting, fourth.estimated_wait_min) == ("A004", 3, 9)
    later = queue.issue("general", now=opening + dt.timedelta(minutes=30))
    assert later.waiting == 0 and later.estimated_wait_min == 0
    assert queue.issue("general", now=opening + dt.timedelta(days=1)).number == "A001"
    queue.close()
