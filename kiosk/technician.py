"""Technician mode: who may enter (card or hidden gesture, then PIN), device counters, and the
diagnostics bundle.

- `TechnicianGate`: a technician card (PAN list in config) or the hidden corner gesture opens
  the PIN prompt; the PIN is checked against a salted hash; after `max_failures` wrong PINs the
  mode is locked for `lockout_s` (kept on disk, so a reboot does not reset it). Every entry,
  failure and lockout is journaled.
- `DeviceCounters`: cards read, receipts printed, paper used, codes scanned, faults.
- `export_bundle`: logs, configuration with secrets removed, statuses and alerts in one zip.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import json
import logging
import re
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from drivers.base import DeviceEvent

from .alerts import AlertCenter, AlertChange, Severity
from .alerts.faults import Fault
from .console.passwords import verify_password
from .events import EventBus
from drivers.privacy import mask_code_text, mask_number, scrub
from .technician_lockout import TechnicianLockout

log = logging.getLogger(__name__)

CORNERS = ("tl", "tr", "bl", "br")


def corner_of(x: float, y: float, width: float, height: float, margin: float = 0.12
              ) -> str | None:
    """Which screen corner a touch is in (Kivy coordinates: y grows upwards), or None."""
    left, right = x < width * margin, x > width * (1 - margin)
    bottom, top = y < height * margin, y > height * (1 - margin)
    if top and left:
        return "tl"
    if top and right:
        return "tr"
    if bottom and left:
        return "bl"
    if bottom and right:
        return "br"
    return None


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    tries_left: int
    locked_for_s: float = 0.0


CARD_DIGEST = "hmac-sha256:"


def card_digest(pan: str, key: bytes) -> str:
    """What `[technician] cards` holds for a card: a keyed hash of its number, never the number."""
    digits = "".join(ch for ch in pan if ch.isdigit())
    return CARD_DIGEST + hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


class TechnicianGate:
    """Who may open technician mode: a technician card or the hidden corner press, then the
    PIN. Wrong PINs and the lockout are kept in the journal (kiosk.technician_lockout)."""

    def __init__(self, section: Any, *, journal: Any | None = None,
                 alerts: AlertCenter | None = None, card_key: bytes = b"",
                 clock: Callable[[], float] = time.monotonic,
                 lockout: TechnicianLockout | None = None):
        self.section = section
        self.journal = journal
        self.alerts = alerts
        self._clock = clock
        self._lock = threading.Lock()
        self._card_key = card_key
        self._cards = frozenset(c.lower() for c in section.cards)
        if self._cards and not card_key:
            log.warning("[technician] cards are configured but no card_key: "
                        "technician cards are not recognised")
        self._gesture: list[tuple[str, float]] = []
        self._via = ""
        self.lockout = lockout or TechnicianLockout(journal, max_failures=section.max_failures,
                                                    lockout_s=section.lockout_s)

    @classmethod
    def from_config(cls, config: Any, *, journal: Any | None = None,
                    alerts: AlertCenter | None = None) -> "TechnicianGate":
        section = config.technician
        return cls(section, journal=journal, alerts=alerts,
                   card_key=bytes.fromhex(section.card_key) if section.card_key else b"")

    @property
    def via(self) -> str:
        return self._via

    # -- how the PIN prompt is reached -------------------------------------------------------
    def is_technician_card(self, pan: str) -> bool:
        """True for a card in `[technician] cards` (compared as keyed hashes)."""
        if not self._card_key or not self._cards:
            return False
        digest = card_digest(pan, self._card_key)
        return any(hmac.compare_digest(digest, c) for c in self._cards)

    def card_presented(self, pan: str) -> bool:
        """True when the card is a technician card: show the PIN prompt."""
        known = self.is_technician_card(pan)
        if known:
            self._via = f"card {mask_number(pan)}"
            log.info("technician card %s presented", mask_number(pan))
        return known

    def corner_held(self, corner: str | None, held_s: float) -> bool:
        """A press in a corner, held `held_s` seconds: True (show the PIN prompt) when it is the
        configured corner held long enough."""
        section = self.section
        if corner != section.long_press_corner or held_s < section.long_press_s:
            return False
        self._via = f"corner {corner}"
        return True

    def corner_touched(self, corner: str | None) -> bool:
        """Feed one touch; True when the hidden gesture is complete: show the PIN prompt."""
        now = self._clock()
        if corner is None:
            self._gesture.clear()
            return False
        window = self.section.gesture_window_s
        self._gesture = [(c, t) for c, t in self._gesture if now - t <= window]
        self._gesture.append((corner, now))
        wanted = list(self.section.gesture)
        if [c for c, _ in self._gesture[-len(wanted):]] == wanted:
            self._gesture.clear()
            self._via = "gesture"
            return True
        return False

    # -- the PIN ---------------------------------------------------------------------------
    @property
    def locked_for_s(self) -> float:
        return self.lockout.locked_for_s()

    def check_pin(self, pin: str) -> PinCheck:
        """Check the technician PIN (scrypt: slow on purpose, call it off the UI thread); the
        PIN itself is never logged or journaled."""
        with self._lock:
            locked = self.lockout.locked_for_s()
            if locked:
                return PinCheck(False, 0, locked)
            if not self._via:  # the prompt only follows a technician card or the gesture
                log.warning("technician PIN refused: no technician card or gesture first")
                return PinCheck(False, self.lockout.tries_left)
            via = self._via
            if self.section.pin_hash and verify_password(pin, self.section.pin_hash):
                self.lockout.succeeded()
                self._journal("technician.entry", via=via)
                log.warning("technician mode entered via %s", via)
                return PinCheck(True, self.section.max_failures)
            left = self.lockout.failed(via=via)
        log.warning("wrong technician PIN via %s, %d tries left", via, left)
        if left == 0:
            if self.alerts is not None:
                self.alerts.raise_fault(Fault("technician.pin", "technician.pin.locked",
                                              Severity.CRITICAL,
                                              "technician PIN locked after "
                                              f"{self.section.max_failures} wrong entries"),
                                        device="technician")
            return PinCheck(False, 0, float(self.section.lockout_s))
        return PinCheck(False, left)

    def leave(self, reason: str = "button") -> None:
        self._journal("technician.exit", via=self._via or "unknown", reason=reason)
        self._via = ""

    def cancel(self) -> None:
        """The PIN prompt was left without a PIN."""
        self._via = ""

    def _journal(self, kind: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(kind, **fields)


class DeviceCounters:
    """Counts since start: cards read, ID cards read, receipts printed, paper used, faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = {"cards_read": 0, "id_cards_read": 0, "receipts_printed": 0,
                        "pages_printed": 0, "pages_since_roll_change": 0, "codes_scanned": 0,
                        "faults": 0}
        self._unsubscribe: list[Callable[[], None]] = []

    def attach(self, bus: EventBus) -> None:
        self._unsubscribe.append(bus.subscribe(self._on_device, DeviceEvent))
        self._unsubscribe.append(bus.subscribe(self._on_alert, AlertChange))

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def new_paper_roll(self) -> None:
        with self._lock:
            self._counts["pages_since_roll_change"] = 0

    def _add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def _on_device(self, event: DeviceEvent) -> None:
        if event.name == "MediaInsertedEvent":
            self._add("id_cards_read" if event.kind == "idcard" else "cards_read")
        elif event.name == "MediaPresentedEvent" and event.kind == "printer":
            self._add("receipts_printed")
            self._add("pages_printed", int(event.data.get("pages", 1)))
            self._add("pages_since_roll_change", int(event.data.get("pages", 1)))
        elif event.name == "CodeReadEvent":
            self._add("codes_scanned")

    def _on_alert(self, change: AlertChange) -> None:
        if change.action == "raised" and change.alert.kind == "fault":
            self._add("faults")


# -- diagnostics bundle ------------------------------------------------------------------------
_SECRET_KEY = re.compile(r"password|secret|key|token|hash|pin|staff|cards|webhook", re.I)
REDACTED = "[redacted]"


def _strip_userinfo(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return value


def redact_config(config: Any) -> tuple[dict[str, Any], set[str]]:
    """The configuration as a dict with secrets removed, and the secret values themselves."""
    secrets: set[str] = set()

    def walk(value: Any, key: str) -> Any:
        if _SECRET_KEY.search(key):
            for leaf in _leaves(value):
                if len(leaf) >= 4:
                    secrets.add(leaf)
            return REDACTED if value else value
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            stripped = _strip_userinfo(value)
            if stripped != value:
                secrets.add(urlsplit(value).netloc.rsplit("@", 1)[0])
            return stripped
        return value

    raw = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
           if f.name != "source"}
    data = {k: walk(dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v, k)
            for k, v in raw.items()}
    return data, secrets


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _leaves(v)] + [str(k) for k in value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _leaves(v)]
    return [str(value)] if value not in (None, "") else []


def clean_text(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return scrub(text)


def log_files(config: Any) -> list[Path]:
    folder = config.data_dir / "log"
    return sorted(folder.glob("*.log*")) if folder.is_dir() else []


def recent_log_lines(config: Any, count: int = 200) -> list[str]:
    """The last lines of the kiosk log, masked (the technician log viewer)."""
    path = config.data_dir / "log" / "kiosk.log"
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 256 * 1024))
            lines = fh.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []
    _, secrets = redact_config(config)
    return [clean_text(line, secrets) for line in lines[-count:]]


def export_bundle(config: Any, out_dir: str | Path, *,
                  statuses: dict[str, dict[str, str]] | None = None,
                  alerts: AlertCenter | None = None,
                  counters: DeviceCounters | None = None,
                  extra: dict[str, Any] | None = None) -> Path:
    """Write `diag-<kiosk>-<time>.zip` in out_dir: logs, redacted config, statuses, alerts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"diag-{config.kiosk.id}-{stamp}.zip"
    data, secrets = redact_config(config)

    def text(obj: Any) -> str:
        return clean_text(json.dumps(obj, ensure_ascii=False, indent=2, default=str), secrets)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", text({"kiosk": config.kiosk.id, "branch": config.kiosk.branch,
                                           "created": time.time(), "config": str(config.source)}))
        zf.writestr("config.json", text(data))
        zf.writestr("statuses.json", text({"devices": statuses or {},
                                           "counters": counters.snapshot() if counters else {},
                                           **(extra or {})}))
        if alerts is not None:
            zf.writestr("alerts.json", text({
                "active": [a.to_dict() for a in alerts.active()],
                "history": [a.to_dict() for a in alerts.history(500)],
                "unsent_fleet_events": alerts.outbox.unsent_count()}))
        for log_path in log_files(config):
            content = log_path.read_bytes().decode("utf-8", errors="replace")
            zf.writestr(f"logs/{log_path.name}", clean_text(content, secrets))
    log.info("diagnostics bundle written to %s", path)
    return path


# -- self-tests --------------------------------------------------------------------------------
PSE = b"1PAY.SYS.DDF01"
FPS_WINDOW_S = 1.0   # the camera's frame rate is measured over at least this long
WAIT_STEP_S = 0.05


@dataclass(frozen=True)
class SelfTestResult:
    device: str
    ok: bool
    summary: str                     # one masked line for the panel (English)
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    # {"text_id": ..., facts...}: the summary's text and facts, so the staff console shows it in
    # the staff member's language (kiosk.alerts.staff_text.RESULT_TEXT)
    said: dict[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, device: str, ok: bool, text_id: str, details: dict[str, Any] | None = None,
           /, **facts: Any) -> "SelfTestResult":
        from .alerts.staff_text import result_facts
        summary, said = result_facts(text_id, **facts)
        return cls(device, ok, summary, details or {}, said)


class SelfTests:
    """One self-test per device kind, run through the real driver. `run` blocks (up to
    `timeout` s, waiting for a card or a scan): call it from a worker thread, never the UI."""

    def __init__(self, devices: Any, bus: EventBus, config: Any):
        self.devices = devices
        self.bus = bus
        self.config = config

    def run(self, name: str, timeout: float = 15.0) -> SelfTestResult:
        from drivers.errors import DeviceError

        dev = self.devices.device(name)
        if dev is None:
            return SelfTestResult.of(name, False, "selftest.not_configured", device=name)
        test = getattr(self, f"_{dev.kind}", None)
        status = dev.status()
        if test is None:
            result = SelfTestResult.of(name, False, "selftest.no_test", kind=dev.kind)
        elif status.get("device") != "online":
            # a device the manager is reconnecting: say so now instead of waiting for a card
            result = SelfTestResult.of(name, False, "selftest.not_online", {"status": status},
                                       status=" ".join(f"{k}={v}" for k, v in status.items()))
        else:
            try:
                result = test(dev, timeout)
            except DeviceError as exc:
                result = SelfTestResult.of(name, False, "selftest.device_error",
                                           error=scrub(str(exc)))
        log.info("self-test %s: %s %s", name, "ok" if result.ok else "FAILED", result.summary)
        return result

    def _printer(self, dev: Any, timeout: float) -> SelfTestResult:
        from .documents.report import printer_test_page
        from .documents.slip import SlipContext

        ctx = SlipContext.for_kiosk(self.config)
        pages = dev.print_document(printer_test_page(
            ctx, width_chars=dev.capabilities.paper_width_chars))
        paper = dev.status().get("paper", "unknown")
        known = paper in ("full", "low", "out")   # a paper state the catalogs say in words
        return SelfTestResult.of(dev.name, True, "selftest.printed" + (f".{paper}" if known
                                                                       else ""),
                                 {"pages": pages, "paper": paper}, pages=pages, paper=paper)

    def _chipcard(self, dev: Any, timeout: float) -> SelfTestResult:
        from drivers.chipcard.apdu import select_by_name

        atr = dev.wait_for_card(timeout)
        response = dev.transmit(select_by_name(PSE))
        sw = f"{response.sw:04X}"
        # any status word proves the reader and the contacts work; a card without a PSE
        # (6A82) is a fact about the test card, not a reader fault
        found = response.ok
        return SelfTestResult.of(dev.name, True,
                                 "selftest.pse_found" if found else "selftest.no_pse",
                                 {"atr": atr, "pse_sw": sw, "pse_found": found}, atr=atr, sw=sw)

    def _idcard(self, dev: Any, timeout: float) -> SelfTestResult:
        sam_id = getattr(dev, "sam_id", "") or "unknown"
        record = dev.read_card(wait=timeout)
        return SelfTestResult.of(dev.name, True, "selftest.idcard",
                                 {"sam_id": sam_id, "id_masked": record.id_masked},
                                 sam_id=sam_id, id_masked=record.id_masked)

    def _scanner(self, dev: Any, timeout: float) -> SelfTestResult:
        with self._code_watch(dev) as codes:
            switched_on = dev.status().get("scanner") != "on"
            if switched_on:  # a trigger scanner reads only while its aimer is on
                dev.start_scan()
            try:
                log.info("self-test %s: waiting up to %g s for a scan", dev.name, timeout)
                self._wait(lambda: bool(codes), dev, timeout)
            finally:
                if switched_on:
                    dev.stop_scan()
        if not codes:
            return SelfTestResult.of(dev.name, False, "selftest.no_scan", timeout=f"{timeout:g}")
        shown, code = _describe_code(codes[0])
        return SelfTestResult.of(dev.name, True, "selftest.scanned", code, **shown)

    def _camera(self, dev: Any, timeout: float) -> SelfTestResult:
        stats = dev.stats  # a reopened camera starts new stats; these are the ones measured
        started, frames_before = time.monotonic(), stats.frames
        with self._code_watch(dev) as codes:
            dev.repeats.forget()  # a code already held in view counts for this test too
            log.info("self-test %s: waiting up to %g s for a code", dev.name, timeout)
            window = min(timeout, FPS_WINDOW_S)
            self._wait(lambda: bool(codes) and time.monotonic() - started >= window,
                       dev, timeout)
        elapsed = max(time.monotonic() - started, 1e-6)
        frames = stats.frames - frames_before
        details: dict[str, Any] = {"frames": frames, "fps": round(frames / elapsed, 1),
                                   "decode_ms_median": stats.summary()["decode_ms_median"]}
        fps = f"{details['fps']:g}"
        if not frames:
            return SelfTestResult.of(dev.name, False, "selftest.no_picture", details,
                                     seconds=f"{elapsed:.1f}",
                                     camera=dev.status().get("camera", "unknown"))
        if not codes:
            return SelfTestResult.of(dev.name, False, "selftest.no_code", details, fps=fps,
                                     timeout=f"{timeout:g}")
        shown, code = _describe_code(codes[0])
        return SelfTestResult.of(dev.name, True, "selftest.camera", {**details, **code},
                                 fps=fps, decode_ms=details["decode_ms_median"], **shown)

    @contextlib.contextmanager
    def _code_watch(self, dev: Any) -> Iterator[list[DeviceEvent]]:
        """Collect the device's CodeReadEvents from the bus while the block runs."""
        codes: list[DeviceEvent] = []

        def on_event(event: DeviceEvent) -> None:
            if event.device == dev.name and event.name == "CodeReadEvent":
                codes.append(event)
        unsubscribe = self.bus.subscribe(on_event, DeviceEvent)
        try:
            yield codes
        finally:
            unsubscribe()

    @staticmethod
    def _wait(done: Callable[[], bool], dev: Any, timeout: float) -> None:
        """Until done() or `timeout`; stops early when the device drops offline."""
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            if dev.status().get("device") != "online":
                return
            time.sleep(WAIT_STEP_S)


def _describe_code(event: DeviceEvent) -> tuple[dict[str, str], dict[str, Any]]:
    """The facts shown of a read code (symbology, masked and shortened text), and what the
    panel may keep of it."""
    symbology = event.data.get("symbology", "?")
    text = mask_code_text(str(symbology), str(event.data.get("text", "")))
    return {"symbology": str(symbology), "code": text[:40]}, \
        {"symbology": symbology, "length": len(text)}
