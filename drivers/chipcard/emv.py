"""The EMV / UnionPay PBOC read flow, independent of the reader: it only needs `transmit`.

Each step reads only what it needs: `read_identity` selects the application, runs GET
PROCESSING OPTIONS once and reads the AFL records; counters, the chip log and PIN VERIFY are
separate calls on the same selected application. Anything malformed the card sends ends in a
ChipCardError subclass with a reason code, never in another exception.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
import os
from decimal import Decimal
from typing import Callable

from . import apdu as cmd
from . import tlv
from .apdu import Response, exchange
from .card_data import ID_TYPES, Application, CardCounters, ChipCardData, ChipLogEntry, PinResult
from .card_errors import (ApplicationBlockedError, CardBlockedError, CardExpiredError,
                          MalformedCardDataError, NoApplicationError, PinBlockedError,
                          StatusWordError, Track2MismatchError)

log = logging.getLogger(__name__)

UNIONPAY_AIDS = ("A000000333010101",   # debit
                 "A000000333010102",   # credit
                 "A000000333010103",   # quasi-credit
                 "A000000333010106")   # electronic cash
MAX_DIRECTORY_RECORDS = 16
MAX_AFL_RECORDS = 48
MAX_LOG_RECORDS = 50
MAX_PDOL_DATA = 250     # GPO data (83 L + values) must fit a short APDU's Lc
MAX_RECORD = 256        # a log record is one short APDU response
CURRENCY_EXPONENT = {156: 2, 344: 2, 446: 2, 840: 2, 978: 2, 392: 0, 410: 0}

# Terminal values for PDOL entries (see emv-pboc notes): no EC transaction, zero amount, CNY.
_NUMERIC_TAGS = {"9F02", "9F03", "5F2A", "9F1A", "9A", "9C", "9F21", "5F36"}
_TERMINAL_FIXED = {
    "9F7A": b"\x00",               # EC terminal support indicator: not an EC transaction
    "9F02": bytes(6), "9F03": bytes(6),
    "5F2A": b"\x01\x56", "9F1A": b"\x01\x56",
    "DF69": b"\x00",               # SM algorithm support: not requested
    "9C": b"\x31",                 # transaction type: balance inquiry (no money moves)
    "95": bytes(5),
    "9F35": b"\x14",               # terminal type: unattended, financial institution
    "9F33": bytes.fromhex("E0E1C8"),
    "9F40": bytes.fromhex("6000F0A001"),
}

Transmit = Callable[[bytes], Response]


def _bcd_digits(raw: bytes) -> str:
    return raw.hex().upper()


def _parse_date(digits: str, *, last_day: bool = False) -> dt.date | None:
    """YYMMDD or YYMM (BCD text) -> date; None when not a date."""
    if not digits.isdigit() or len(digits) not in (4, 6):
        return None
    year, month = 2000 + int(digits[:2]), int(digits[2:4])
    if not 1 <= month <= 12:
        return None
    day = int(digits[4:6]) if len(digits) == 6 else (calendar.monthrange(year, month)[1]
                                                      if last_day else 1)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _text(raw: bytes) -> str:
    raw = raw.strip(b"\x00\xff ")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return raw.decode("gb18030", "replace")


def _bcd_amount(raw: bytes | None, currency: int | None) -> Decimal | None:
    if raw is None:
        return None
    digits = _bcd_digits(raw)
    if not digits.isdigit():
        return None
    exponent = CURRENCY_EXPONENT.get(currency or 156, 2)
    return Decimal(int(digits)).scaleb(-exponent)


def _bcd_int(raw: bytes | None) -> int | None:
    if not raw:
        return None
    digits = _bcd_digits(raw)
    return int(digits) if digits.isdigit() else None


def terminal_value(tag: str, length: int, today: dt.date, unpredictable: bytes) -> bytes:
    """What the kiosk puts into a PDOL entry: numeric values right-aligned, others left."""
    if tag == "9A":
        value = bytes.fromhex(f"{today:%y%m%d}")
    elif tag == "9F37":
        value = unpredictable
    else:
        value = _TERMINAL_FIXED.get(tag, b"")
    if tag in _NUMERIC_TAGS:
        return value.rjust(length, b"\x00")[-length:] if length else b""
    return value.ljust(length, b"\x00")[:length]


def _application(entry: tlv.Tlv | list[tlv.Tlv], aid_tag: str = "4F") -> Application | None:
    nodes = entry.children if isinstance(entry, tlv.Tlv) else entry
    aid = tlv.find(nodes, aid_tag)
    if aid is None or not 5 <= len(aid.value) <= 16:
        return None
    label = tlv.find(nodes, "50")
    priority = tlv.find(nodes, "87")
    preferred = tlv.find(nodes, "9F12")
    return Application(aid=aid.value.hex().upper(),
                       label=_text(label.value) if label else "",
                       priority=(priority.value[0] & 0x0F) if priority and priority.value else 0,
                       preferred_name=_text(preferred.value) if preferred else "")


class EmvSession:
    """One card insertion: remembers the selected application and whether GPO ran."""

    def __init__(self, transmit: Transmit, *, atr: str = "",
                 reset: Callable[[], None] | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 unpredictable: Callable[[int], bytes] = os.urandom):
        self._transmit = transmit
        self._reset = reset
        self._today = today
        self._unpredictable = unpredictable
        self.atr = atr
        self.applications: tuple[Application, ...] = ()
        self.selected: Application | None = None
        self._fci: list[tlv.Tlv] = []
        self._last_select: tuple[str, list[tlv.Tlv]] | None = None
        self._afl: list[tuple[int, int, int]] | None = None

    @classmethod
    def over_raw(cls, raw: Callable[[bytes], bytes], **kwargs: object) -> "EmvSession":
        """A session over a bare transmit (bytes -> response bytes), T=0 rules included."""
        return cls(lambda apdu: exchange(raw, apdu), **kwargs)  # type: ignore[arg-type]

    def _send(self, apdu: bytes) -> Response:
        return self._transmit(apdu)

    # -- application selection ----------------------------------------------------------------
    def list_applications(self) -> list[Application]:
        """PSE, then PPSE, then the UnionPay AID list; blocked applications left out."""
        apps = self._directory(cmd.PSE)
        if not apps:
            apps = self._directory(cmd.PPSE)
        blocked = False
        if not apps:
            apps, blocked = self._aid_list()
        if not apps:
            if blocked:
                raise ApplicationBlockedError("the card's UnionPay application is blocked",
                                              sw=cmd.SW_WARNING_BLOCKED)
            raise NoApplicationError("no UnionPay application on the card")
        apps.sort(key=lambda a: a.priority or 16)
        self.applications = tuple(apps)
        return apps

    def _select(self, name: bytes) -> Response:
        self._last_select = None  # any SELECT replaces the card's current selection
        resp = self._send(cmd.select_by_name(name))
        # PPSE is a contactless directory: a contact card may simply not support it
        if resp.sw == cmd.SW_FUNCTION_NOT_SUPPORTED and name != cmd.PPSE:
            raise CardBlockedError("the card is blocked (SELECT answered 6A81)", sw=resp.sw)
        return resp

    def _directory(self, name: bytes) -> list[Application]:
        resp = self._select(name)
        if resp.sw == cmd.SW_CLASS_NOT_SUPPORTED and name == cmd.PSE and self._reset:
            log.info("PSE answered 6E00: warm reset and one retry")
            self._reset()
            resp = self._select(name)
        if not resp.ok:
            return []
        fci = tlv.parse(resp.data)
        entries = [e for bf0c in tlv.find_all(fci, "BF0C") for e in bf0c.find_all("61")]
        sfi_node = tlv.find(fci, "88")
        if not entries and name == cmd.PSE and sfi_node is not None and sfi_node.value:
            sfi = sfi_node.value[-1]
            if not 1 <= sfi <= 30:
                raise MalformedCardDataError(f"PSE names directory SFI {sfi}")
            for record in range(1, MAX_DIRECTORY_RECORDS + 1):
                rec = self._send(cmd.read_record(sfi, record))
                if not rec.ok:
                    break
                entries.extend(tlv.find_all(tlv.parse(rec.data), "61"))
        return [app for app in (_application(e) for e in entries) if app is not None]

    def _aid_list(self) -> tuple[list[Application], bool]:
        apps: list[Application] = []
        blocked = False
        for aid in UNIONPAY_AIDS:
            resp = self._select(bytes.fromhex(aid))
            if resp.sw == cmd.SW_WARNING_BLOCKED:
                blocked = True
                continue
            if not resp.ok:
                continue
            fci = tlv.parse(resp.data)
            app = _application(fci, "84") or Application(aid)
            apps.append(app)
            self._last_select = (app.aid, fci)
        return apps, blocked

    def select_application(self, choose_application:
                           Callable[[list[Application]], Application] | None = None
                           ) -> Application:
        apps = self.list_applications()
        app = apps[0]
        if len(apps) > 1 and choose_application is not None:
            app = choose_application(list(apps))
            if app not in apps:
                raise ValueError(f"choose_application returned {app!r}, not one of the offered")
        if self._last_select and self._last_select[0] == app.aid:
            fci = self._last_select[1]
        else:
            resp = self._select(bytes.fromhex(app.aid))
            if resp.sw == cmd.SW_WARNING_BLOCKED:
                raise ApplicationBlockedError(f"application {app.display_name} is blocked",
                                              sw=resp.sw)
            if not resp.ok:
                raise StatusWordError(f"SELECT {app.aid} answered {resp.sw:04X}", sw=resp.sw)
            fci = tlv.parse(resp.data)
        if tlv.find(fci, "6F") is None:
            raise MalformedCardDataError(f"SELECT {app.aid} returned no FCI template")
        label = tlv.find(fci, "50")
        if label is not None and not app.label:
            app = Application(app.aid, _text(label.value), app.priority, app.preferred_name)
        self.selected, self._fci, self._afl = app, fci, None
        self._last_select = None
        return app

    # -- GET PROCESSING OPTIONS ----------------------------------------------------------------
    def _processing_options(self) -> list[tuple[int, int, int]]:
        if self._afl is not None:
            return self._afl
        pdol_node = tlv.find(self._fci, "9F38")
        pdol = (tlv.parse_dol(pdol_node.value, max_total=MAX_PDOL_DATA)
                if pdol_node is not None else [])
        today, rnd = self._today(), self._unpredictable(4)
        data = b"".join(terminal_value(tag, length, today, rnd) for tag, length in pdol)
        resp = self._send(cmd.get_processing_options(data))
        if resp.sw == cmd.SW_CONDITIONS:
            raise StatusWordError("the card refused GET PROCESSING OPTIONS (6985)", sw=resp.sw)
        if not resp.ok:
            raise StatusWordError(f"GET PROCESSING OPTIONS answered {resp.sw:04X}", sw=resp.sw)
        nodes = tlv.parse(resp.data)
        if nodes and nodes[0].tag == "80":
            afl_raw = nodes[0].value[2:]
            if len(nodes[0].value) < 2:
                raise MalformedCardDataError("GPO format 1 without AIP")
        elif nodes and nodes[0].tag == "77":
            afl_node = nodes[0].find("94")
            if nodes[0].find("82") is None or afl_node is None:
                raise MalformedCardDataError("GPO format 2 without AIP or AFL")
            afl_raw = afl_node.value
        else:
            raise MalformedCardDataError("GPO answer is neither format 1 (80) nor 2 (77)")
        self._afl = parse_afl(afl_raw)
        return self._afl

    # -- identity ------------------------------------------------------------------------------
    def read_identity(self, choose_application:
                      Callable[[list[Application]], Application] | None = None) -> ChipCardData:
        app = self.select_application(choose_application)
        afl = self._processing_options()
        values: dict[str, bytes] = {}
        for sfi, first, last in afl:
            for record in range(first, last + 1):
                resp = self._send(cmd.read_record(sfi, record))
                if not resp.ok:
                    raise StatusWordError(f"READ RECORD {sfi}.{record} (in the AFL) answered "
                                          f"{resp.sw:04X}", sw=resp.sw)
                nodes = tlv.parse(resp.data)
                if sfi <= 10 and (len(nodes) != 1 or nodes[0].tag != "70"):
                    raise MalformedCardDataError(f"record {sfi}.{record} is not a 70 template")
                for tag, value in tlv.primitives(nodes).items():
                    values.setdefault(tag, value)
        return self._identity(app, values)

    def _identity(self, app: Application, values: dict[str, bytes]) -> ChipCardData:
        pan = track_pan = None
        service_code = track_expiry = None
        if "5A" in values:
            pan = _bcd_digits(values["5A"]).rstrip("F")
        if "57" in values:
            track = _bcd_digits(values["57"]).rstrip("F")
            track_pan, sep, rest = track.partition("D")
            if not sep or len(rest) < 7:
                raise MalformedCardDataError("Track 2 equivalent data has no separator/expiry")
            track_expiry, service_code = rest[:4], rest[4:7]
        if pan and track_pan and pan != track_pan:
            raise Track2MismatchError("Track 2 names a different card number than tag 5A")
        pan = pan or track_pan
        if not pan or not pan.isdigit() or not 12 <= len(pan) <= 19:
            raise MalformedCardDataError("the card carries no valid card number")
        expiry = None
        if "5F24" in values:
            expiry = _parse_date(_bcd_digits(values["5F24"]))
        elif track_expiry:
            expiry = _parse_date(track_expiry, last_day=True)
        if expiry is None:
            raise MalformedCardDataError("the card carries no valid expiry date")
        name_raw = values.get("9F0B") or values.get("5F20") or b""
        id_raw = values.get("9F61")
        id_type = values.get("9F62")
        data = ChipCardData(
            atr=self.atr, aid=app.aid, label=app.display_name, pan=pan,
            pan_sequence=_bcd_digits(values["5F34"]) if values.get("5F34") else None,
            expiry=expiry,
            effective=_parse_date(_bcd_digits(values["5F25"])) if "5F25" in values else None,
            name=_text(name_raw).rstrip("/ ").strip(),
            cardholder_id=_text(id_raw) or None if id_raw else None,
            cardholder_id_type=ID_TYPES.get(id_type[0], "other") if id_type else None,
            service_code=service_code, applications=self.applications)
        if expiry < self._today():
            exc = CardExpiredError(f"the card expired on {expiry:%Y-%m-%d}")
            exc.card_data = data  # type: ignore[attr-defined]
            raise exc
        log.info("chip card read: %r", data)
        return data

    # -- GET DATA ------------------------------------------------------------------------------
    def get_data(self, tag: str) -> bytes | None:
        resp = self._send(cmd.get_data(tag))
        if not resp.ok:
            return None
        node = tlv.find(tlv.parse(resp.data), tag)
        if node is None:
            raise MalformedCardDataError(f"GET DATA {tag} answered without tag {tag}")
        return node.value

    def _ensure_selected(self) -> None:
        if self.selected is None:
            self.select_application()

    def read_counters(self) -> CardCounters:
        """PIN tries left (9F17), ATC (9F36), electronic-cash balance (9F79)."""
        self._ensure_selected()
        tries = self.get_data("9F17")
        atc = self.get_data("9F36")
        ec = self.get_data("9F79")
        return CardCounters(
            pin_tries=tries[0] if tries else None,
            atc=int.from_bytes(atc, "big") if atc else None,
            ec_balance=_bcd_amount(ec, 156))

    # -- chip transaction log -----------------------------------------------------------------
    def read_log(self) -> list[ChipLogEntry]:
        """The chip's own log (9F4D/9F4F); the account statement comes from the host."""
        self._ensure_selected()
        entry_node = tlv.find(self._fci, "9F4D")
        entry = entry_node.value if entry_node is not None else self.get_data("9F4D")
        if not entry:
            return []
        if len(entry) != 2 or not 1 <= entry[0] <= 30:
            raise MalformedCardDataError(f"log entry 9F4D is {entry.hex().upper()}")
        sfi, count = entry[0], min(entry[1], MAX_LOG_RECORDS)
        fmt = self.get_data("9F4F")
        if not fmt:
            raise MalformedCardDataError("the card has a log but no log format 9F4F")
        dol = tlv.parse_dol(fmt, max_total=MAX_RECORD)
        entries: list[ChipLogEntry] = []
        for record in range(1, count + 1):
            resp = self._send(cmd.read_record(sfi, record))
            if not resp.ok:
                break
            entries.append(_log_entry(tlv.split_dol_values(dol, resp.data)))
        return entries

    # -- offline PIN ---------------------------------------------------------------------------
    def verify_pin(self, pin: str) -> PinResult:
        """Offline plaintext PIN VERIFY. The PIN is never logged; the command buffer is wiped."""
        if self.selected is None:
            self.select_application()
        self._processing_options()
        tries = self.get_data("9F17")
        if tries is not None and tries[:1] == b"\x00":
            raise PinBlockedError("the PIN try counter is 0", sw=None)
        command = cmd.verify_plaintext_pin(pin)
        try:
            resp = self._send(bytes(command))
        finally:
            command[:] = bytes(len(command))
        if resp.ok:
            return PinResult(ok=True, tries_left=None)
        if resp.sw1 == 0x63 and resp.sw2 & 0xF0 == 0xC0:
            left = resp.sw2 & 0x0F
            if left == 0:
                raise PinBlockedError("wrong PIN, no tries left", sw=resp.sw)
            return PinResult(ok=False, tries_left=left)
        if resp.sw in cmd.SW_PIN_BLOCKED:
            raise PinBlockedError(f"the PIN is blocked ({resp.sw:04X})", sw=resp.sw)
        raise StatusWordError(f"VERIFY answered {resp.sw:04X}", sw=resp.sw)


def parse_afl(raw: bytes) -> list[tuple[int, int, int]]:
    """AFL -> (sfi, first record, last record) entries; anything out of range is malformed."""
    if not raw or len(raw) % 4:
        raise MalformedCardDataError(f"AFL of {len(raw)} bytes is not a list of 4-byte entries")
    entries = []
    total = 0
    for i in range(0, len(raw), 4):
        sfi, first, last = raw[i] >> 3, raw[i + 1], raw[i + 2]
        if not 1 <= sfi <= 30 or first == 0 or last < first:
            raise MalformedCardDataError(f"AFL entry {raw[i:i + 4].hex().upper()} is invalid")
        total += last - first + 1
        entries.append((sfi, first, last))
    if total > MAX_AFL_RECORDS:
        raise MalformedCardDataError(f"AFL lists {total} records")
    return entries


def _log_entry(values: dict[str, bytes]) -> ChipLogEntry:
    currency = _bcd_int(values.get("5F2A"))
    date = _parse_date(_bcd_digits(values["9A"])) if "9A" in values else None
    time = None
    if "9F21" in values:
        digits = _bcd_digits(values["9F21"])
        if digits.isdigit() and len(digits) == 6:
            h, m, s = int(digits[:2]), int(digits[2:4]), int(digits[4:])
            if h < 24 and m < 60 and s < 60:
                time = dt.time(h, m, s)
    return ChipLogEntry(
        date=date, time=time,
        amount=_bcd_amount(values.get("9F02"), currency),
        amount_other=_bcd_amount(values.get("9F03"), currency),
        currency=currency, country=_bcd_int(values.get("9F1A")),
        merchant=_text(values.get("9F4E", b"")),
        transaction_type=_bcd_int(values.get("9C")),
        atc=int.from_bytes(values["9F36"], "big") if values.get("9F36") else None)
