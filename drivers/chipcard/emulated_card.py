"""A PBOC card's behaviour for one profile: command APDU in, response APDU out.

It answers SELECT (PSE, PPSE, AID), READ RECORD, GET PROCESSING OPTIONS, GET DATA, VERIFY and
GET RESPONSE with the status words a real card uses; a T=0 profile answers 61xx/6Cxx the way
T=0 cards do. Card memory (PIN tries, ATC) survives power cycles and re-insertion.
"""
from __future__ import annotations

import logging
import threading

from . import tlv
from .card_profile import AppProfile, CardProfile

log = logging.getLogger(__name__)

SW_OK = b"\x90\x00"

# Issuer data every profile shares unless it overrides the tag in `values`.
STATIC_VALUES = {
    "9F07": "FF00",                                       # usage control
    "8E": "000000000000000042031E031F00",                 # CVM list: offline PIN, signature
    "9F0D": "D86004A800", "9F0E": "0010980000", "9F0F": "D86804F800",
    "8C": "9F02069F03069F1A0295055F2A029A039C019F3704",   # CDOL1
    "8D": "8A029F02069F03069F1A0295055F2A029A039C019F3704",
    "9F08": "0030",
}
LOG_FORMAT = "9A039F21039F02069F03069F1A025F2A029F4E149C019F3602"


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


def _bcd(digits: str) -> bytes:
    if len(digits) % 2:
        digits += "F"
    return bytes.fromhex(digits)


class _AppState:
    def __init__(self, app: AppProfile):
        self.app = app
        self.atc = app.atc
        self.last_online_atc = max(app.atc - 1, 0)


class EmulatedCard:
    def __init__(self, profile: CardProfile):
        self.profile = profile
        self.pin_tries = profile.pin_tries
        self._apps = [_AppState(a) for a in profile.applications]
        self._lock = threading.Lock()
        self.power_up()

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    def power_up(self) -> None:
        """Power on or reset: the selection and any pending response are lost."""
        self._selected: _AppState | None = None
        self._pse_selected = False
        self._gpo_done = False
        self._pending = b""

    # -- data the card derives from its profile ----------------------------------------------
    def _tag_value(self, app: AppProfile, tag: str) -> bytes:
        holder = app.cardholder
        if tag in app.values:
            return bytes.fromhex(app.values[tag].replace(" ", ""))
        if tag == "5A":
            return _bcd(holder.pan)
        if tag == "57":
            discretionary = "0" * 13
            return _bcd(f"{holder.pan}D{holder.expiry:%y%m}{holder.service_code}{discretionary}")
        if tag == "5F20":
            return holder.name.encode("gbk")
        if tag == "5F24":
            return bytes.fromhex(f"{holder.expiry:%y%m%d}")
        if tag == "5F25" and holder.effective:
            return bytes.fromhex(f"{holder.effective:%y%m%d}")
        if tag == "5F34":
            return bytes.fromhex(holder.pan_sequence)
        if tag == "9F61":
            return holder.id_number.encode("ascii")
        if tag == "9F62":
            return bytes([holder.id_type])
        if tag == "5F28":
            return b"\x01\x56"
        if tag in STATIC_VALUES:
            return bytes.fromhex(STATIC_VALUES[tag])
        raise KeyError(f"profile {self.profile.name}: no value for tag {tag} in {app.aid}")

    def _record(self, app: AppProfile, sfi: int, number: int) -> bytes | None:
        for layout in app.records:
            if layout.sfi == sfi and layout.record == number:
                body = tlv.build((tag, self._tag_value(app, tag)) for tag in layout.tags)
                record = tlv.encode("70", body)
                return record[:len(record) - layout.truncate] if layout.truncate else record
        return None

    def _afl(self, app: AppProfile) -> bytes:
        out = b""
        for layout in sorted(app.records, key=lambda r: (r.sfi, r.record)):
            out += bytes([layout.sfi << 3, layout.record, layout.record, 0])
        return out

    def _fci(self, app: AppProfile) -> bytes:
        a5: list[tuple[str, bytes]] = [("50", app.label.encode("ascii")),
                                       ("87", bytes([app.priority]))]
        if app.pdol:
            a5.append(("9F38", bytes.fromhex(app.pdol)))
        a5.append(("5F2D", b"zhen"))
        if app.preferred_name:
            a5 += [("9F11", b"\x01"), ("9F12", app.preferred_name.encode("ascii"))]
        if app.log_sfi:
            a5.append(("BF0C", tlv.encode("9F4D", bytes([app.log_sfi, 10]))))
        return tlv.encode("6F", tlv.encode("84", bytes.fromhex(app.aid)) +
                          tlv.encode("A5", tlv.build(a5)))

    def _directory_entries(self) -> bytes:
        return b"".join(
            tlv.encode("61", tlv.build([("4F", bytes.fromhex(a.aid)),
                                        ("50", a.label.encode("ascii")),
                                        ("87", bytes([a.priority]))]))
            for a in self.profile.applications)

    def _log_records(self, state: _AppState) -> list[bytes]:
        fmt = tlv.parse_dol(bytes.fromhex(state.app.data.get("9F4F", LOG_FORMAT)))
        records = []
        for i, entry in enumerate(state.app.log):
            values = {
                "9A": bytes.fromhex(f"{entry.date:%y%m%d}"),
                "9F21": bytes.fromhex(f"{entry.time:%H%M%S}"),
                "9F02": bytes.fromhex(f"{int(entry.amount * 100):012d}"),
                "9F03": bytes(6),
                "9F1A": b"\x01\x56", "5F2A": bytes.fromhex(f"{entry.currency:04d}"),
                "9F4E": entry.merchant.encode("gbk"),
                "9C": bytes([entry.transaction_type]),
                "9F36": (state.atc - 1 - i).to_bytes(2, "big"),
            }
            records.append(b"".join(values.get(tag, b"").ljust(length, b"\x00")[:length]
                                    for tag, length in fmt))
        return records

    # -- command dispatch ----------------------------------------------------------------------
    def process(self, apdu: bytes) -> bytes:
        with self._lock:
            if len(apdu) < 4:
                return _sw(0x6700)
            cla, ins = apdu[0], apdu[1]
            if ins == 0xC0 and cla == 0x00:
                return self._get_response(apdu)
            self._pending = b""
            data, le = self._body(apdu)
            if data is None:
                return _sw(0x6700)
            handlers = {(0x00, 0xA4): self._select, (0x00, 0xB2): self._read_record,
                        (0x80, 0xA8): self._gpo, (0x80, 0xCA): self._get_data,
                        (0x00, 0x20): self._verify}
            handler = handlers.get((cla, ins))
            if handler is None:
                known_ins = {i for _, i in handlers}
                return _sw(0x6E00 if ins in known_ins else 0x6D00)
            out = handler(apdu[2], apdu[3], data)
            return self._t0(out, has_data=bool(data), le=le)

    @staticmethod
    def _body(apdu: bytes) -> tuple[bytes | None, int | None]:
        if len(apdu) == 4:
            return b"", None
        if len(apdu) == 5:
            return b"", apdu[4]
        lc = apdu[4]
        if len(apdu) == 5 + lc:
            return apdu[5:], None
        if len(apdu) == 6 + lc:
            return apdu[5:5 + lc], apdu[-1]
        return None, None

    def _t0(self, response: bytes, *, has_data: bool, le: int | None) -> bytes:
        """T=0 cards hand back data of case 4 commands through 61xx and want exact Le."""
        body, sw = response[:-2], response[-2:]
        if self.profile.protocol != "T0" or not body or sw != SW_OK:
            return response
        if has_data:
            self._pending = body
            return self._more()
        wanted = 256 if not le else le
        if wanted != len(body) and len(body) <= 255:
            return bytes([0x6C, len(body)])
        return response

    def _more(self) -> bytes:
        chunk = self.profile.get_response_chunk or 256
        available = min(len(self._pending), chunk)
        return bytes([0x61, available & 0xFF])

    def _get_response(self, apdu: bytes) -> bytes:
        if not self._pending:
            return _sw(0x6985)
        le = apdu[4] if len(apdu) >= 5 else 0
        wanted = le or 256
        chunk = self.profile.get_response_chunk or 256
        if wanted > min(len(self._pending), chunk):
            return bytes([0x6C, min(len(self._pending), chunk) & 0xFF])
        out, self._pending = self._pending[:wanted], self._pending[wanted:]
        return out + (self._more() if self._pending else SW_OK)

    def _select(self, p1: int, p2: int, name: bytes) -> bytes:
        if p1 != 0x04:
            return _sw(0x6A86)
        if self.profile.card_blocked:
            return _sw(0x6A81)
        self._selected, self._pse_selected, self._gpo_done = None, False, False
        if name == b"1PAY.SYS.DDF01" and self.profile.pse:
            self._pse_selected = True
            return tlv.encode("6F", tlv.encode("84", name) + tlv.encode(
                "A5", tlv.encode("88", b"\x01") + tlv.encode("5F2D", b"zhen"))) + SW_OK
        if name == b"2PAY.SYS.DDF01" and self.profile.ppse:
            return tlv.encode("6F", tlv.encode("84", name) + tlv.encode(
                "A5", tlv.encode("BF0C", self._directory_entries()))) + SW_OK
        for state in self._apps:
            if len(name) >= 5 and bytes.fromhex(state.app.aid).startswith(name):
                self._selected = state
                return self._fci(state.app) + (_sw(0x6283) if state.app.blocked else SW_OK)
        return _sw(0x6A82)

    def _read_record(self, number: int, p2: int, _data: bytes) -> bytes:
        if p2 & 0x07 != 0x04:
            return _sw(0x6A86)
        sfi = p2 >> 3
        if self._pse_selected:
            if sfi != 1:
                return _sw(0x6A82)
            if number != 1:
                return _sw(0x6A83)
            return tlv.encode("70", self._directory_entries()) + SW_OK
        state = self._selected
        if state is None:
            return _sw(0x6985)
        if state.app.log_sfi and sfi == state.app.log_sfi:
            records = self._log_records(state)
            return records[number - 1] + SW_OK if 1 <= number <= len(records) else _sw(0x6A83)
        if not any(r.sfi == sfi for r in state.app.records):
            return _sw(0x6A82)
        record = self._record(state.app, sfi, number)
        return record + SW_OK if record is not None else _sw(0x6A83)

    def _gpo(self, p1: int, p2: int, data: bytes) -> bytes:
        state = self._selected
        if state is None or state.app.blocked or self._gpo_done:
            return _sw(0x6985)
        pdol_len = tlv.dol_length(tlv.parse_dol(bytes.fromhex(state.app.pdol)))
        if data[:1] != b"\x83" or len(data) < 2 or data[1] != pdol_len or len(data) != 2 + pdol_len:
            return _sw(0x6700)
        state.atc += 1
        self._gpo_done = True
        aip, afl = bytes.fromhex(state.app.aip), self._afl(state.app)
        if state.app.gpo_format == 1:
            return tlv.encode("80", aip + afl) + SW_OK
        return tlv.encode("77", tlv.encode("82", aip) + tlv.encode("94", afl)) + SW_OK

    def _get_data(self, p1: int, p2: int, _data: bytes) -> bytes:
        state = self._selected
        if state is None:
            return _sw(0x6985)
        tag = bytes([p1, p2]).hex().upper() if p1 else f"{p2:02X}"
        values = {"9F36": state.atc.to_bytes(2, "big"),
                  "9F13": state.last_online_atc.to_bytes(2, "big"),
                  "9F17": bytes([self.pin_tries])}
        if state.app.log_sfi:
            values["9F4D"] = bytes([state.app.log_sfi, 10])
            values["9F4F"] = bytes.fromhex(LOG_FORMAT)
        if tag in state.app.data:
            values[tag] = bytes.fromhex(state.app.data[tag].replace(" ", ""))
        if tag not in values:
            return _sw(0x6A88)
        return tlv.encode(tag, values[tag]) + SW_OK

    def _verify(self, p1: int, p2: int, block: bytes) -> bytes:
        if p2 != 0x80:
            return _sw(0x6A86)
        if self._selected is None:
            return _sw(0x6985)
        if self.pin_tries == 0:
            return _sw(0x6983)
        digits = block.hex().upper()
        length = int(digits[1], 16) if len(block) == 8 and digits[0] == "2" else 0
        pin = digits[2:2 + length]
        if not 4 <= length <= 12 or not pin.isdigit() or set(digits[2 + length:]) - {"F"}:
            return _sw(0x6A80)
        if pin == self.profile.pin:
            self.pin_tries = self.profile.pin_try_limit
            return SW_OK
        self.pin_tries -= 1
        log.info("emulated card %s: wrong PIN, %d tries left", self.profile.name, self.pin_tries)
        return bytes([0x63, 0xC0 | self.pin_tries])
