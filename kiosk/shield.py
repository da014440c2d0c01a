"""The privacy shield: while a PIN pad or a balance is on screen, the kiosk's camera checks
for a second person close enough to see it, and the session hides the screen meanwhile.

A few checks a second, never more: the camera's latest preview frame (the same camera that
reads QR codes) is counted for faces and dropped; nothing of it is kept or sent. Two checks
in a row decide, so one odd frame neither raises nor lowers the shield. The session is told
with `send("onlooker", present=..., faces=...)` and journals counts only.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from .session.states import State, Step

log = logging.getLogger(__name__)

# Steps that show a PIN pad or money the customer may not want others to see.
SENSITIVE_STEPS = frozenset({Step.PIN, Step.ACCOUNTS, Step.TRANSACTIONS,
                             Step.STATEMENT_PREVIEW, Step.AMOUNT})
AGREE = 2   # checks in a row that must agree before the shield goes up or down


class OnlookerShield:
    def __init__(self, send: Callable[..., Any], frame: Callable[[], Any],
                 count: Callable[[Any], tuple[int, int]], *, checks_per_s: float = 4.0):
        """`frame()` gives the camera's latest frame or None; `count(frame)` gives (faces,
        onlookers); `send` is the session's."""
        self._send = send
        self._frame = frame
        self._count = count
        self._period = 1.0 / checks_per_s
        self._active = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._raised = False
        self._streak = 0
        self.checks = 0   # frames looked at (the benchmark and tests read it)

    def on_state(self, state: State) -> None:
        """Session listener: look only while something sensitive is on screen."""
        if state.step in SENSITIVE_STEPS:
            self._active.set()
        else:
            self._active.clear()
            if self._raised:
                self._set(False, 0)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="privacy-shield",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._active.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._active.wait()
            if self._stop.is_set():
                return
            self.check()
            self._stop.wait(self._period)

    def check(self) -> None:
        """One look at the latest frame."""
        frame = self._frame()
        if frame is None:
            return
        try:
            faces, onlookers = self._count(frame)
        except Exception:
            log.exception("privacy shield: face check failed")
            return
        finally:
            del frame
        self.checks += 1
        wanted = onlookers > 0
        self._streak = self._streak + 1 if wanted != self._raised else 0
        if self._streak >= AGREE and self._active.is_set():
            self._set(wanted, faces)

    def _set(self, present: bool, faces: int) -> None:
        self._raised, self._streak = present, 0
        self._send("onlooker", present=present, faces=faces)
