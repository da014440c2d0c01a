"""Technician mode as a session step: entered from the attract screen only (a technician card
or the hidden corner press), PIN first, then self-tests, device actions, log and bundle.

While it lasts the session starts no customer flow: device events go here and are ignored,
except the technician card's removal, which ends the mode. Leaving (exit, card removed, idle)
returns to the attract screen after every device is re-checked. The PIN check and every action
run on the session's worker (scrypt and self-tests block).
"""
from __future__ import annotations

import logging
from typing import Any

from ..alerts.staff_text import self_test_line
from ..host.models import Bilingual
from .context import SessionContext
from .states import Step

log = logging.getLogger(__name__)

LOG_LINES = 200


def corner_press(session: SessionContext, corner: str = "", held_s: float = 0.0) -> None:
    """The hidden way in: a long press in the configured corner of the attract screen."""
    desk = session.services.technician
    if desk is not None and desk.gate.corner_held(str(corner), float(held_s)):
        enter(session, via_card=False)


def enter(session: SessionContext, *, via_card: bool) -> None:
    """Technician mode from the attract screen: a technician card, or the corner press."""
    session.start_flow("technician", via_card=via_card)


class TechnicianMode:
    name = "technician"
    exclusive = True      # the session hands it every device event
    holds_card = False
    holds_idcard = False

    def __init__(self, session: SessionContext, *, via_card: bool = False):
        self.s = session
        self.desk = desk = session.services.technician
        self.via_card = via_card
        self.view: dict[str, Any] = {"phase": "pin", "via": desk.who, "checking": False,
                                     "tries_left": desk.gate.lockout.tries_left,
                                     "locked_for_s": 0, "result": "", "log": [], "bundle": "",
                                     "devices": list(desk.devices.enabled_names()),
                                     "out_of_service": desk.out_of_service()}
        self.identification = None

    def begin(self) -> None:
        self.desk.begin()
        self.view["locked_for_s"] = int(self.desk.gate.locked_for_s + 0.999)
        self.show()

    # -- the step ----------------------------------------------------------------------------
    def show(self) -> None:
        on: dict[str, Any] = {"exit": lambda: self.leave("button"),
                              "end": lambda: self.leave("button"),
                              "timeout": lambda: self.leave("idle")}
        if self.view["phase"] == "pin":
            on["pin"] = self._pin
        else:
            on.update(self_test=self._self_test, device=self._device, log=self._log,
                      export=self._export)
        self.s.show(Step.TECHNICIAN, message_id="out_of_service", on=on,
                    timeout=self.desk.idle_timeout_s, **self.view)

    def _run(self, task: str, job: Any, done: Any) -> None:
        self.view["checking"] = True
        self.show()

        def finished(result: Any) -> None:
            self.view["checking"] = False
            done(result)
            self.show()

        def failed(exc: BaseException) -> None:
            log.warning("technician %s failed: %s", task, exc)
            self.view.update(checking=False, result=f"{task}: failed: {exc}")
            self.show()

        self.s.work(task, job, finished, failed=failed, show=False)

    # -- actions -----------------------------------------------------------------------------
    def _pin(self, pin: str = "") -> None:
        if self.view["checking"]:
            return
        self._run("technician_pin", lambda: self.desk.gate.check_pin(str(pin)), self._checked)

    def _checked(self, check: Any) -> None:
        if check.ok:
            self.view.update(phase="open", tries_left=check.tries_left, locked_for_s=0)
        else:
            self.view.update(tries_left=check.tries_left,
                             locked_for_s=int(check.locked_for_s + 0.999))

    def _self_test(self, device: str = "") -> None:
        def done(result: Any) -> None:
            # in both languages: the engine picks the kiosk's, again on a language switch
            self.view["result"] = Bilingual(*(
                self_test_line(language, result.device, result.ok, result.said, result.summary)
                for language in ("zh_CN", "en")))
        self._run("technician_self_test", lambda: self.desk.self_test(str(device)), done)

    def _device(self, device: str = "", do: str = "") -> None:
        self._run("technician_action", lambda: self.desk.device_action(str(device), str(do)),
                  lambda line: self.view.update(result=line,
                                                out_of_service=self.desk.out_of_service()))

    def _log(self) -> None:
        self._run("technician_log", lambda: self.desk.log_lines(LOG_LINES),
                  lambda lines: self.view.update(log=list(lines)))

    def _export(self) -> None:
        self._run("technician_export", self.desk.export,
                  lambda path: self.view.update(bundle=path, result=f"written: {path}"))

    # -- leaving -----------------------------------------------------------------------------
    def on_device_event(self, event: Any) -> bool:
        """Every device event is ours while the mode lasts: no customer flow may start."""
        if self.via_card and event.name == "MediaRemovedEvent" and event.device == "chipcard":
            self.leave("card_removed")
        return True

    def on_status(self, event: Any) -> None:
        """Device statuses show on the technician's panel; nothing to decide here."""

    def leave(self, reason: str) -> None:
        log.warning("technician mode ends (%s)", reason)
        back = lambda _=None: self.s.end("technician")  # noqa: E731  (goodbye, then attract)
        self.s.work("rechecking_devices", lambda: self.desk.end(reason), back, failed=back)
