"""The window keeps drawing while the session's side effects are slow: a queue number taken
from a SQLite table another process holds (the stand-in only makes the real call wait)."""
from __future__ import annotations

import threading

from kiosk.session.states import Step


def test_frames_keep_coming_while_sqlite_is_slow(ui, monkeypatch):
    from kivy.clock import Clock
    busy, release = threading.Event(), threading.Event()
    queue = ui.core.tickets
    real_issue = queue.issue

    def slow_issue(*args, **kwargs):
        busy.set()
        release.wait(10)
        return real_issue(*args, **kwargs)

    monkeypatch.setattr(queue, "issue", slow_issue)
    try:
        ui.wait_step(Step.ATTRACT)
        ui.tap_msg("Start")
        menu = ui.wait_step(Step.MENU)
        ui.tap(menu.ids.more)
        ui.wait(lambda: ui.session.state.view.get("page") == 2, "page 2")
        ui.pump(2)
        ui.tap_msg("service_open_account")
        ui.wait_step(Step.IDENTIFY)
        ui.tap_msg("Continue without")            # the number is taken now
        assert busy.wait(5) and not release.is_set()
        frames = Clock.frames
        working = ui.wait_step(Step.WORKING)
        ui.pump(10)
        assert Clock.frames >= frames + 10 and not release.is_set()
        assert ui.tr("issuing_ticket") in ui.visible_texts() and working is not None
    finally:
        release.set()
    ui.wait_step(Step.TICKET_ISSUED, timeout=15)
