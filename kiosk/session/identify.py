"""Identification: bank card + PIN, resident ID card, or a mobile-banking appointment code.

The card is read on a worker (chip card driver `read_identity`), the host says whose card it is,
then the PIN is taken on a keypad whose digits are shuffled each time it is shown. The PIN
digits live in `CustomerData.pin_digits` only until the PIN block is built.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from drivers.errors import NoDeviceError, TransportError
from drivers.privacy import mask_number

from ..device_conditions import services_offered
from .card_applications import application_view
from .context import SessionContext
from .failures import COUNTER, Failure, UnavailableError, describe
from .pin_entry import PinEntry
from .services import host, require
from . import technician
from .states import Step

log = logging.getLogger(__name__)

RETRY_PAUSE_S = 0.3
# Payload refusals that mean "this is some other kind of code", not a damaged appointment.
WRONG_KIND = ("unknown_format", "wrong_symbology", "not_accepted")
CARD_STATUS_FAULTS = {"expired": "card_expired", "lost": "card_lost", "blocked": "card_blocked"}
TECHNICIAN_CARD = object()   # what the card read returns for a technician's card


class Identification(PinEntry):
    """Runs inside a flow (`then`): shows IDENTIFY, reads what the customer presents, and
    calls `then.identified()` once the service's need is met."""

    def __init__(self, session: SessionContext, then: Any, *, card_inserted: bool = False,
                 technician_card: bool = False):
        self.s = session
        self.then = then
        self.needs = then.needs
        self.card_inserted = card_inserted
        # a card inserted on the attract screen may be a technician's (kiosk.session.technician)
        self.technician_card = technician_card
        self._choice: dict[str, Any] = {}
        then.identification = self

    @staticmethod
    def satisfied(session: SessionContext, needs: str) -> bool:
        d = session.data
        return {"none": True, "card_pin": d.pin_verified, "card": bool(d.card_identity),
                "idcard": bool(d.id_number),
                "optional": bool(d.card_identity or d.id_number or d.appointment)}[needs]

    def wanted(self) -> list[str]:
        return {"card_pin": ["card"], "card": ["card"], "idcard": ["idcard"],
                "optional": ["card", "idcard", "qr"]}.get(self.needs, [])

    def methods(self) -> list[str]:
        """The wanted methods whose devices work now (a broken reader is not offered)."""
        devices = self.s.services.devices
        if devices is None:
            return self.wanted()
        offered = services_offered(devices.statuses())
        return [m for m in self.wanted() if m in offered]

    def start(self, code_problem: str = "") -> None:
        if self.card_inserted or ("card" in self.wanted() and self.s.card_inside):
            self.read_card()
            return
        methods = self.methods()
        if not methods:
            message = {"card": "card_reader_unavailable", "idcard": "idcard_reader_unavailable"}
            self.s.fail(Failure(message.get(self.wanted()[0], "device_unavailable"), COUNTER))
            return
        message = {"card_pin": "identify_card", "card": "identify_card",
                   "idcard": "identify_idcard"}.get(self.needs, "identify_optional")
        on = {"back": self._back}
        if self.needs == "optional":
            on["skip"] = self._done
        self.s.show(Step.IDENTIFY, message_id=message, on=on, methods=methods,
                    purpose=getattr(self.then, "name", ""), code_problem=code_problem)

    def _back(self) -> None:
        self.then.identification = None
        self.s.show_menu()

    def _done(self) -> None:
        self.then.identification = None
        self.then.identified()

    # -- device events while identifying ----------------------------------------------------
    def on_status(self, event: Any) -> None:
        """A reader failed or came back while the customer chooses how to identify."""
        if event.field == "device" and self.s.state.step == Step.IDENTIFY \
                and self.s.state.view.get("methods") != self.methods():
            self.start()

    def on_device_event(self, event: Any) -> bool:
        if self.s.state.step != Step.IDENTIFY:
            return False
        methods = self.methods()
        if event.name == "MediaInsertedEvent" and event.device == "chipcard" and "card" in methods:
            self.read_card()
            return True
        if event.name == "MediaInsertedEvent" and event.device == "idcard" and "idcard" in methods:
            self.read_idcard()
            return True
        if event.name == "CodeReadEvent" and "qr" in methods:
            self.read_code(str(event.data.get("text", "")), str(event.data.get("symbology", "")))
            return True
        return False

    # -- bank card ----------------------------------------------------------------------------
    def read_card(self) -> None:
        self.s.data.card_present = True
        gen = self.s.generation

        def job() -> tuple[Any, Any]:
            reader = require(self.s, "chipcard")
            choose = lambda apps: self._choose(apps, gen)  # noqa: E731
            try:
                identity = reader.read_identity(choose_application=choose)
            except TransportError as exc:
                # A contact glitch as the card settles: read once more before bothering the
                # customer; a reader that is really gone fails again.
                if isinstance(exc, NoDeviceError) or not self.s.alive(gen):
                    raise
                log.info("card read failed once, reading again: %s", exc)
                time.sleep(RETRY_PAUSE_S)
                identity = reader.read_identity(choose_application=choose)
            pan = str(identity.pan)
            desk = self.s.services.technician
            if self.technician_card and desk is not None and desk.gate.card_presented(pan):
                return identity, TECHNICIAN_CARD, None
            card = host(self.s).identify_card(pan, getattr(identity, "pan_sequence", None))
            return identity, card, reader.pin_tries()

        self.s.work("reading_card", job, self._card_read, retry=self.start)

    def _choose(self, applications: list[Any], gen: int) -> Any:
        """Called on the worker by the driver for a card with several applications."""
        chosen = threading.Event()

        def choose(index: int = 0) -> None:
            if 0 <= int(index) < len(applications):
                self._choice["index"] = int(index)
                chosen.set()

        labels = [application_view(i, a) for i, a in enumerate(applications)]
        self.s.show(Step.CHOOSE_APPLICATION, message_id="choose_card_application",
                    on={"choose": choose}, applications=labels)
        while not chosen.wait(0.05):
            if not self.s.alive(gen) or self.s.state.step != Step.CHOOSE_APPLICATION:
                raise UnavailableError("application choice abandoned", "card_unreadable")
        self.s.show(Step.WORKING, message_id="reading_card", timeout=None, busy=True,
                    task="reading_card", progress=None)
        return applications[self._choice["index"]]

    def _card_read(self, result: tuple[Any, Any, int | None]) -> None:
        identity, card, chip_tries = result
        if card is TECHNICIAN_CARD:
            technician.enter(self.s, via_card=True)
            return
        data = self.s.data
        data.pan = str(identity.pan)
        data.pan_sequence = getattr(identity, "pan_sequence", None)
        data.card_identity = card
        log.info("card %s identified, status %s", mask_number(data.pan), card.card_status)
        self.s.journal("card.identified", card=mask_number(data.pan), status=card.card_status)
        data.pin_tries_left = chip_tries   # the chip's own count when it gives one (9F17)
        fault = CARD_STATUS_FAULTS.get(card.card_status) or \
            ("pin_locked" if chip_tries == 0 and self.needs == "card_pin" else None)
        if fault:
            self.s.fail(Failure(fault, COUNTER))
            return
        if self.needs == "card_pin":
            self.ask_pin()
        else:
            self._done()

    # -- ID card ------------------------------------------------------------------------------
    def read_idcard(self) -> None:
        def job() -> Any:
            return require(self.s, "idcard").read_card(wait=1.0)

        self.s.work("reading_idcard", job, self._idcard_read, retry=self.start)

    def _idcard_read(self, record: Any) -> None:
        checks = record.checks() if hasattr(record, "checks") else None
        if checks is not None and not checks.ok:
            log.warning("ID card %s refused: %s", record.id_masked, "; ".join(checks.problems))
            message = "idcard_expired" if checks.expired and len(checks.problems) == 1 \
                else "idcard_unreadable"
            self.s.fail(Failure(message, ("retry", "ticket", "end")), retry=self.start)
            return
        data = self.s.data
        data.id_record = record
        data.id_number = record.id_number
        data.id_name = record.name or getattr(record, "name_en", "")
        data.idcard_present = True
        self.s.journal("idcard.read", id=record.id_masked)
        self._done()

    # -- appointment code ---------------------------------------------------------------------
    def read_code(self, text: str, symbology: str) -> None:
        from drivers.barcode.scanned_codes import Appointment, PayloadError, parse_payload
        try:
            payload = parse_payload(text, symbology or "QRCODE")
        except PayloadError as exc:
            log.info("code refused: %s", exc.reason)
            if exc.reason in WRONG_KIND:  # a payment code, a bill, a link: say so, keep watching
                self.start(code_problem="qr_wrong_kind")
                return
            self.s.fail(Failure("appointment_invalid", ("retry", "ticket", "end")), retry=self.start)
            return
        if not isinstance(payload, Appointment):
            log.info("code refused: a %s code, not an appointment", payload.kind)
            self.start(code_problem="qr_wrong_kind")
            return
        if payload.branch != self.s.config.kiosk.branch:
            self.s.fail(Failure("appointment_invalid", ("retry", "ticket", "end")), retry=self.start)
            return
        if payload.date < dt.date.today():
            self.s.fail(Failure("appointment_expired", ("ticket", "end")))
            return
        self.s.data.appointment = payload
        self.s.journal("appointment.scanned", code=payload.code)
        self._done()
