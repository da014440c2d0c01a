"""Side effects never run on the caller's thread: a device's watcher thread only hands its
event over, and a touch returns while SQLite is still busy, the session's lock free meanwhile.
Host: the sandbox bank; the slow stand-ins only make the real call wait."""
from __future__ import annotations

import threading

import pytest

from drivers.base import DeviceEvent
from kiosk.config import KioskConfig
from kiosk.session.clock import ManualClock
from kiosk.session.machine import Session
from kiosk.session.services import Services
from kiosk.session.states import Step
from kiosk.session.ticket_queue import TicketQueue
from tests.harness import seeded_bank


@pytest.fixture
def session(tmp_path):
    config = KioskConfig()
    bank = seeded_bank(tmp_path / "bank.db", config)
    queue = TicketQueue(tmp_path / "tickets.db")
    s = Session(config, Services(host=bank, tickets=queue), now=ManualClock())
    yield s
    s.close()
    queue.close()
    bank.close()


def on_thread(name: str, call) -> threading.Thread:
    thread = threading.Thread(target=call, name=name, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), f"{name} was held up by the session"
    return thread


def test_a_card_insertion_is_handled_on_the_sessions_thread(session):
    published: list[tuple[Step, str]] = []
    session.subscribe(lambda state: published.append((state.step, threading.current_thread().name)))
    inserted = DeviceEvent("chipcard", "media", "MediaInsertedEvent")
    on_thread("dev-chipcard", lambda: session.devices.deliver(inserted))
    assert session.wait_idle(5)
    after = published[1:]
    assert [step for step, _ in after] == [Step.WORKING, Step.ERROR]  # no reader configured
    assert all(name.startswith("session") for _, name in after), after


def test_a_touch_returns_while_sqlite_takes_the_number(session, monkeypatch):
    busy, release = threading.Event(), threading.Event()
    ran_on: list[str] = []
    queue = session.services.tickets
    real_issue = queue.issue

    def slow_issue(*args, **kwargs):       # another process holds the table's write lock
        ran_on.append(threading.current_thread().name)
        busy.set()
        release.wait(10)
        return real_issue(*args, **kwargs)

    monkeypatch.setattr(queue, "issue", slow_issue)
    for action, args in [("start", {}), ("choose", {"option": "ticket"}), ("skip", {})]:
        assert session.send(action, **args)
    on_thread("ui", lambda: session.send("choose", service="general"))
    assert busy.wait(5)
    assert session.state.step == Step.WORKING and session.state.message_id == "issuing_ticket"
    on_thread("ui", lambda: session.send("language", language="zh_CN"))  # the lock is free
    assert session.state.language == "zh_CN" and not release.is_set()
    release.set()
    assert session.wait_idle(5)
    assert session.state.step == Step.TICKET_ISSUED and session.state.view["number"] == "A001"
    assert ran_on and ran_on[0].startswith("session")
