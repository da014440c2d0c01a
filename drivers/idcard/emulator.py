"""An ID card reader with a SAM on a pseudo-terminal, speaking the real serial protocol.

The cards it can hold are invented people described by JSON files (drivers/idcard/people/):
`{"id", "label", "card_type", "fields": {text-block fields}, "extra_address", "fingerprint"}`.
Faults are panel actions: stray bytes between frames, a corrupted checksum, SAM/card failures
(SW3 60, 41, 31), a card taken away mid-read, unplug and replug. Like a real reader it only
understands the host at its own baud rate (it reads the rate the driver set on the pty).
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import termios
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..resources import shipped

from ..emulation import EmulatorAction, PtyEmulator
from .errors import SW3_CARD_FOUND, SW3_FIELD_EMPTY, SW3_OK, FrameError
from .frames import (FIND_CARD, READ_BASE, READ_BASE_FINGERPRINT, READ_EXTRA_ADDRESS, SAM_ID,
                     SAM_RESET, SAM_STATUS, SELECT_CARD, FrameDecoder, build_reply,
                     join_base_message)
from .record import EXTRA_ADDRESS_LEN
from .text_layout import CARD_TYPES, pack

log = logging.getLogger(__name__)

PEOPLE_DIR = shipped("drivers.idcard", "people")
# an invented SAM ID: 05.01-20240101-0000012345-0123456789
SAM_ID_BYTES = bytes.fromhex("05000100E5D634013930000015CD5B07")
FAULT_CODES = ("41", "31", "60")
SAM_FAULTS = ("60", "66", "none")
PHOTO_LEN = FINGERPRINT_LEN = 1024


@dataclass(frozen=True)
class Person:
    """One invented card holder the emulator can lay on the reader."""
    id: str
    card_type: str
    fields: dict[str, str]
    label: str = ""
    extra_address: str = ""
    fingerprint: bool = False
    text: bytes = field(default=b"", repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Person":
        if data.get("card_type") not in CARD_TYPES:
            raise ValueError(f"person {data.get('id')!r}: card_type must be one of {CARD_TYPES}")
        person = cls(id=data["id"], card_type=data["card_type"], fields=dict(data["fields"]),
                     label=data.get("label", ""), extra_address=data.get("extra_address", ""),
                     fingerprint=bool(data.get("fingerprint", False)))
        return cls(**{**person.__dict__, "text": pack(person.card_type, person.fields)})

    def photo(self) -> bytes:
        """A WLT-looking opaque blob, the same for the same person."""
        return _blob(b"WLf", self.id + "/photo", PHOTO_LEN)

    def fingerprint_data(self) -> bytes:
        return _blob(b"C", self.id + "/finger", FINGERPRINT_LEN) if self.fingerprint else b""


def _blob(head: bytes, seed: str, size: int) -> bytes:
    out = bytearray(head)
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def load_people(source: str | Path = PEOPLE_DIR) -> dict[str, Person]:
    """People from a folder of JSON files, or from one JSON file holding a list of them."""
    source = Path(source)
    if source.is_dir():
        items = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(source.glob("*.json"))]
    else:
        items = json.loads(source.read_text(encoding="utf-8"))
    people = {}
    for item in items:
        person = Person.from_dict(item)
        people[person.id] = person
    if not people:
        raise ValueError(f"no people in {source}")
    return people


class IdCardReaderEmulator(PtyEmulator):
    kind = "idcard"

    def __init__(self, link: str | Path, baud: int = 115200, pace: bool = True, *,
                 people: dict[str, Person] | None = None, person: str = "",
                 stray_bytes: bool = False, seed: int = 0):
        super().__init__(link, baud=baud, pace=pace)
        self.people = people if people is not None else load_people()
        self.card: Person | None = None
        self.stray_bytes = stray_bytes
        self.commands_seen = 0
        self._speed = getattr(termios, f"B{baud}")
        self._rng = random.Random(seed)
        self._decoder = FrameDecoder()
        self._selected = False
        self._corrupt_next = False
        self._fail_next_read: int | None = None
        self._take_away = False
        self._sam_fault: int | None = None
        if person:
            self.action_place_card(person)

    @classmethod
    def from_config(cls, section: Any, config: Any) -> "IdCardReaderEmulator":
        emu = section.emulator
        people = load_people(config.path(emu.people)) if getattr(emu, "people", "") else None
        baud = 115200 if section.baud == "auto" else int(section.baud)
        return cls(config.path(section.port), baud=baud, pace=emu.pace, people=people,
                   person=emu.person, stray_bytes=getattr(emu, "stray_bytes", False))

    # -- panel ---------------------------------------------------------------------------
    def actions(self) -> list[EmulatorAction]:
        return [
            EmulatorAction("place_card", "emu.idcard.place_card", tuple(sorted(self.people))),
            EmulatorAction("remove_card", "emu.idcard.remove_card"),
            EmulatorAction("fail_next_read", "emu.idcard.fail_next_read", FAULT_CODES),
            EmulatorAction("take_away_mid_read", "emu.idcard.take_away_mid_read"),
            EmulatorAction("sam_fault", "emu.idcard.sam_fault", SAM_FAULTS),
            EmulatorAction("corrupt_next_reply", "emu.idcard.corrupt_next_reply"),
            EmulatorAction("stray_bytes", "emu.idcard.stray_bytes", ("on", "off")),
            EmulatorAction("unplug", "emu.unplug"),
            EmulatorAction("replug", "emu.replug"),
        ]

    def action_place_card(self, person_id: str) -> None:
        if person_id not in self.people:
            raise ValueError(f"no person {person_id!r} (known: {', '.join(sorted(self.people))})")
        self._selected = False
        self.card = self.people[person_id]
        log.info("idcard emulator: card of %s laid on the reader", person_id)

    def action_remove_card(self) -> None:
        self.card = None
        self._selected = False
        log.info("idcard emulator: card taken away")

    def action_fail_next_read(self, code: str) -> None:
        self._fail_next_read = int(code, 16)

    def action_sam_fault(self, code: str) -> None:
        """A lasting SAM fault ("60", "66") answered to SAM status and reads; "none" clears it."""
        self._sam_fault = None if code == "none" else int(code, 16)

    def action_take_away_mid_read(self) -> None:
        self._take_away = True

    def action_corrupt_next_reply(self) -> None:
        self._corrupt_next = True

    def action_stray_bytes(self, state: str = "on") -> None:
        self.stray_bytes = state == "on"

    def action_unplug(self) -> None:
        self.unplug()

    def action_replug(self) -> None:
        self.replug()

    def _plug(self) -> None:
        self._decoder = FrameDecoder()
        super()._plug()

    # -- protocol ------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        if not self._line_speed_matches():
            return  # at the wrong baud rate a reader sees only noise and stays silent
        self._decoder.feed(data)
        while True:
            try:
                payload = self._decoder.next_payload()
            except FrameError:
                self._reply(0x10)
                continue
            if payload is None:
                return
            self.commands_seen += 1
            if len(payload) < 2:
                self._reply(0x11)
                continue
            self._answer(payload[0], payload[1])

    def _line_speed_matches(self) -> bool:
        master = self._master
        if master is None:
            return False
        try:
            attrs = termios.tcgetattr(master)  # a pty master reports the slave's settings
        except termios.error:
            return False
        return attrs[5] == self._speed

    def _answer(self, cmd: int, para: int) -> None:
        key = (cmd, para)
        card = self.card
        if key in ((SAM_STATUS.cmd, SAM_STATUS.para), (SAM_RESET.cmd, SAM_RESET.para)):
            self._reply(self._sam_fault or SW3_OK)
        elif key == (SAM_ID.cmd, SAM_ID.para):
            self._reply(SW3_OK, SAM_ID_BYTES)
        elif key == (FIND_CARD.cmd, FIND_CARD.para):
            if card:
                self._reply(SW3_CARD_FOUND, bytes(4))
            else:
                self._reply(0x80)
        elif key == (SELECT_CARD.cmd, SELECT_CARD.para):
            self._selected = card is not None
            if card:
                self._reply(SW3_OK, bytes(8))
            else:
                self._reply(0x81)
        elif key in ((READ_BASE.cmd, READ_BASE.para),
                     (READ_BASE_FINGERPRINT.cmd, READ_BASE_FINGERPRINT.para)):
            self._read_base(card, with_fingerprint=para == READ_BASE_FINGERPRINT.para)
        elif key == (READ_EXTRA_ADDRESS.cmd, READ_EXTRA_ADDRESS.para):
            if card is None or not self._selected:
                self._reply(0x41)
            elif not card.extra_address:
                self._reply(SW3_FIELD_EMPTY)
            else:
                raw = card.extra_address.encode("utf-16-le")[:EXTRA_ADDRESS_LEN]
                pad = " ".encode("utf-16-le") * ((EXTRA_ADDRESS_LEN - len(raw)) // 2)
                self._reply(SW3_OK, raw + pad)
        else:
            self._reply(0x21)

    def _read_base(self, card: Person | None, with_fingerprint: bool) -> None:
        if self._sam_fault:
            self._reply(self._sam_fault)
            return
        if self._take_away:
            self._take_away = False
            self.action_remove_card()
            self._reply(0x41)
            return
        if self._fail_next_read is not None:
            code, self._fail_next_read = self._fail_next_read, None
            self._reply(code)
            return
        if card is None or not self._selected:
            self._reply(0x41)
            return
        finger = card.fingerprint_data() if with_fingerprint else None
        self._reply(SW3_OK, join_base_message(card.text, card.photo(), finger))

    def _reply(self, sw3: int, data: bytes = b"") -> None:
        frame = bytearray(build_reply(sw3, data))
        if self._corrupt_next:
            self._corrupt_next = False
            frame[-1] ^= 0x5A
        if self.stray_bytes:  # junk ahead of the frame, including half a preamble
            frame[:0] = self._rng.choice((b"\x00", b"\xAA", b"\xAA\xAA\x96", b"\xFF\x69"))
        self.write(bytes(frame))
