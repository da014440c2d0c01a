"""The kiosk's typed configuration, loaded from TOML and validated at start-up.

Relative paths in the file are relative to the file's own folder (those of the built-in demo
configuration, which ships inside the package, to the working directory); data files default to
the folder kiosk.data_dir names (written `{data_dir}/...`). Without --config the file named by
$KIOSK_CONFIG is read, else the built-in demo. Each section is a frozen
dataclass; `load_config` refuses a bad file with a ConfigError naming file, key, what was found
and what was expected.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .addresses import parse_host_port
from .config_schema import ConfigError, ConfigErrors, build, file_field, secret_field
from .resources import DEFAULTS_DIR, FONT

REPO_ROOT = Path(__file__).resolve().parent.parent  # the checkout: tests and dev tools only
DEFAULT_CONFIG = DEFAULTS_DIR / "kiosk.toml"
PRODUCTION_EXAMPLE = DEFAULTS_DIR / "production.example.toml"
CONFIG_ENV = "KIOSK_CONFIG"

Language = Literal["zh_CN", "en"]
DATA_DIR = "{data_dir}"
KIOSK_ID = re.compile(r"[A-Za-z0-9-]{1,16}")  # it is part of every MQTT topic and file name
TEST_TERMINAL_KEY = "0123456789ABCDEFFEDCBA9876543210"


def _address_problem(value: str) -> str | None:
    try:
        parse_host_port(value)
    except ValueError:
        return "HOST:PORT, e.g. 10.20.30.40:8583"
    return None


@dataclass(frozen=True)
class KioskSection:
    id: str = "KSK-0001"
    branch: str = "310101001"
    data_dir: str = "../var"
    counters: int = 2  # counters serving the queue: the estimated wait on tickets divides by it
    bank_name: str = "示例银行"       # on the screens' header and on every slip
    bank_name_en: str = "Sample Bank"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # production: the console serves only over TLS, the broker link refuses a password in clear
    profile: Literal["development", "production"] = "development"

    def validate(self) -> tuple[str, str] | None:
        if not KIOSK_ID.fullmatch(self.id):
            return "id", "a kiosk id of 1 to 16 letters, digits or '-' (it names MQTT topics)"
        if not 1 <= self.counters <= 50:
            return "counters", "between 1 and 50 counters"
        return None


@dataclass(frozen=True)
class UiSection:
    language: Language = "zh_CN"
    fullscreen: bool = False
    borderless: bool = False
    width: int = 1280
    height: int = 800
    show_cursor: bool = True
    multitouch_emulation: bool = False
    font: str = str(FONT)  # shipped inside the package
    idle_timeout_s: float = 60.0
    elderly_timeout_factor: float = 2.0
    elderly_text_scale: float = 1.4
    more_time_s: float = 20.0           # the "need more time?" countdown (x elderly factor)
    page_size: int = 6                  # choices per screen
    elderly_page_size: int = 4          # fewer choices per screen in elderly mode
    deposit_suggestion_fen: int = 5_000_000  # idle balance from which deposits are suggested
    simulator_panel: bool = True

    def validate(self) -> tuple[str, str] | None:
        if not 320 <= self.width <= 7680:
            return "width", "a width in pixels between 320 and 7680"
        if not 240 <= self.height <= 4320:
            return "height", "a height in pixels between 240 and 4320"
        if self.idle_timeout_s < 5:
            return "idle_timeout_s", "at least 5 seconds"
        return None


@dataclass(frozen=True)
class ChipCardEmulatorSection:
    profile: str = "unionpay_debit"
    latency_ms: int = 30
    vpcd_port: int = 35963
    vpcd_host: str = "127.0.0.1"

    def validate(self) -> tuple[str, str] | None:
        if not 0 <= self.latency_ms <= 2000:
            return "latency_ms", "0 to 2000 milliseconds per APDU"
        if not 35963 <= self.vpcd_port <= 35963 + 15:
            return "vpcd_port", "a vsmartcard-vpcd slot port (35963 for slot 00, 35964 for 01...)"
        return None


@dataclass(frozen=True)
class ChipCardSection:
    enabled: bool = True
    backend: Literal["emulator", "pcsc"] = "emulator"
    reader: str = "Virtual PCD 00 00"  # exact name or fnmatch pattern, e.g. "*ACS ACR38*"
    timeout_s: float = 5.0
    apdu_timeout_s: float = 3.0
    emulator: ChipCardEmulatorSection = field(default_factory=ChipCardEmulatorSection)

    def validate(self) -> tuple[str, str] | None:
        if not self.reader:
            return "reader", "a PC/SC reader name or pattern"
        if self.timeout_s <= 0:
            return "timeout_s", "a positive number of seconds"
        if not 0 < self.apdu_timeout_s <= 30:
            return "apdu_timeout_s", "more than 0 and at most 30 seconds"
        return None


@dataclass(frozen=True)
class IdCardEmulatorSection:
    person: str = ""  # empty: the panel chooses
    pace: bool = True
    people: str = ""  # folder of person JSON files or one JSON list; empty: the shipped set
    stray_bytes: bool = False


@dataclass(frozen=True)
class SerialDeviceSection:
    """A device on a serial line: the real port, or its emulator's pseudo-terminal. Each kind
    gives its own defaults and adds its own settings and checks."""
    enabled: bool = True
    backend: Literal["emulator", "serial"] = "emulator"
    port: str = ""
    baud: int = 9600
    poll_interval_s: float = 0.25
    timeout_s: float = 2.0

    def validate(self) -> tuple[str, str] | None:
        if self.poll_interval_s <= 0 or self.timeout_s <= 0:
            return "poll_interval_s" if self.poll_interval_s <= 0 else "timeout_s", \
                "a positive number of seconds"
        return None


@dataclass(frozen=True)
class IdCardSection(SerialDeviceSection):
    port: str = "{data_dir}/run/idcard.pty"
    baud: int | Literal["auto"] = "auto"
    fingerprint: bool = False
    extra_address: bool = True
    emulator: IdCardEmulatorSection = field(default_factory=IdCardEmulatorSection)

    def validate(self) -> tuple[str, str] | None:
        if self.baud != "auto" and self.baud <= 0:
            return "baud", "a positive baud rate or \"auto\""
        if not 0.05 <= self.poll_interval_s <= 5:
            return "poll_interval_s", "between 0.05 and 5 seconds"
        return super().validate()


@dataclass(frozen=True)
class PrinterEmulatorSection:
    paper_lines: int = 2000
    near_end_lines: int = 300
    output_dir: str = "{data_dir}/receipts"
    pace: bool = True

    def validate(self) -> tuple[str, str] | None:
        if self.paper_lines < 1:
            return "paper_lines", "at least 1 line of paper"
        if self.near_end_lines < 0:
            return "near_end_lines", "0 or more lines"
        return None


@dataclass(frozen=True)
class PrinterSection(SerialDeviceSection):
    port: str = "{data_dir}/run/printer.pty"
    baud: int = 115200
    status_timeout_ms: int = 50
    poll_interval_s: float = 2.0
    timeout_s: float = 10.0
    paper_width_chars: int = 48
    paper_width_dots: int = 576
    cutter: bool = True
    qr: bool = True
    code_page: Literal["gb18030"] = "gb18030"
    emulator: PrinterEmulatorSection = field(default_factory=PrinterEmulatorSection)

    def validate(self) -> tuple[str, str] | None:
        if not 1 <= self.status_timeout_ms <= 2000:
            return "status_timeout_ms", "1 to 2000 milliseconds (50 suits a real printer)"
        if self.baud not in (9600, 19200, 38400, 57600, 115200):
            return "baud", "one of 9600, 19200, 38400, 57600, 115200"
        if not 16 <= self.paper_width_chars <= 80:
            return "paper_width_chars", "16 to 80 characters (48 for 80 mm, 32 for 58 mm)"
        if self.paper_width_dots % 8 or not 128 <= self.paper_width_dots <= 1024:
            return "paper_width_dots", "a multiple of 8 from 128 to 1024 (576 for 80 mm)"
        return super().validate()


@dataclass(frozen=True)
class CameraEmulatorSection:
    video: str = ""  # empty: a generated idle scene; codes come from the panel
    clip: str = ""  # the clip the emulator rewrites and the driver reads; "" = <data_dir>/run


@dataclass(frozen=True)
class CameraSection:
    enabled: bool = True
    backend: Literal["emulator", "opencv"] = "emulator"
    source: str = "0"  # index, /dev/video path, URL or video file
    width: int = 1280
    height: int = 720
    fps: int = 30
    stale_after_s: float = 3.0
    symbologies: list[str] = field(default_factory=lambda: ["QRCODE"])
    decode_width: int = 640  # frames are downscaled to this width before decoding; 0 = full
    roi: list[float] = field(default_factory=list)  # [x, y, w, h] fractions; empty = whole frame
    repeat_window_s: float = 3.0  # the same code again within this time is not a new read
    preview_width: int = 640  # frames handed to the screen are downscaled to this; 0 = full
    timeout_s: float = 5.0
    fourcc: str = "MJPG"  # pixel format asked of a V4L2 camera (the `format` status: granted)
    emulator: CameraEmulatorSection = field(default_factory=CameraEmulatorSection)

    def validate(self) -> tuple[str, str] | None:
        if self.roi and (len(self.roi) != 4 or not all(0 <= v <= 1 for v in self.roi)):
            return "roi", "[x, y, w, h] as fractions of the frame between 0 and 1"
        if not 0 <= self.decode_width <= 4096:
            return "decode_width", "0 (full resolution) or a width in pixels up to 4096"
        if self.stale_after_s <= 0 or self.fps <= 0:
            return "stale_after_s", "a positive number of seconds (and fps above 0)"
        if len(self.fourcc) != 4 or not self.fourcc.isascii():
            return "fourcc", "a four-character pixel format such as MJPG or YUYV"
        return None


@dataclass(frozen=True)
class ScannerSection(SerialDeviceSection):
    port: str = "{data_dir}/run/scanner.pty"
    poll_interval_s: float = 0.05  # how often buffered scanner bytes are read
    framing: Literal["cr", "crlf", "lf"] = "cr"
    prefix: str = ""
    suffix: str = ""
    trigger: bool = False
    repeat_window_s: float = 1.0


@dataclass(frozen=True)
class DevicesSection:
    chipcard: ChipCardSection = field(default_factory=ChipCardSection)
    idcard: IdCardSection = field(default_factory=IdCardSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    camera: CameraSection = field(default_factory=CameraSection)
    scanner: ScannerSection = field(default_factory=ScannerSection)
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0


@dataclass(frozen=True)
class HostSection:
    backend: Literal["sandbox", "iso8583"] = "sandbox"
    database: str = "{data_dir}/sandbox.db"
    address: str = "127.0.0.1:8583"
    timeout_s: float = 10.0
    terminal_id: str = "KSK00001"
    terminal_key_hex: str = secret_field(TEST_TERMINAL_KEY)  # the default is a TEST KEY
    pin_max_tries: int = 3
    state: str = "{data_dir}/host_state.db"  # STAN counter, reversal queue, held transfers
    acquirer_id: str = "31010000"
    reversal_timeout_s: float = 5.0
    # Mutual TLS for the ISO 8583 link (PEM files): the bank CA, and this terminal's certificate
    # (common name = terminal_id) and key. Plain TCP only with plaintext_demo = true.
    tls_ca: str = file_field()
    tls_cert: str = file_field()
    tls_key: str = file_field()
    plaintext_demo: bool = False

    def validate(self) -> tuple[str, str] | None:
        if _address_problem(self.address):
            return "address", _address_problem(self.address)
        if (self.backend == "iso8583" and not self.plaintext_demo
                and not (self.tls_ca and self.tls_cert and self.tls_key)):
            return "tls_cert", ("tls_ca, tls_cert and tls_key for mutual TLS to the bank host "
                                "(plain TCP only with plaintext_demo = true, in a demo profile)")
        if len(self.terminal_id) != 8:
            return "terminal_id", "a terminal id of exactly 8 characters (ISO 8583 field 41)"
        try:
            if len(bytes.fromhex(self.terminal_key_hex)) != 16:
                raise ValueError
        except ValueError:
            return "terminal_key_hex", "32 hex digits (a 128-bit SM4 key)"
        if self.pin_max_tries < 1:
            return "pin_max_tries", "at least 1"
        if self.timeout_s <= 0:
            return "timeout_s", "a positive number of seconds"
        return None


@dataclass(frozen=True)
class JournalSection:
    path: str = "{data_dir}/journal.db"
    # signed (rows, last MAC, time) marks in a second place, beside the data folder, not in it
    checkpoints: str = "{data_dir}-audit/journal_checkpoints.db"
    checkpoint_interval_s: float = 1.0    # at most one checkpoint write this often

    def validate(self) -> tuple[str, str] | None:
        if not 0.01 <= self.checkpoint_interval_s <= 3600:
            return "checkpoint_interval_s", "0.01 to 3600 seconds"
        return None


@dataclass(frozen=True)
class KeysSection:
    """Where the journal, checkpoint and card keys live (see kiosk/keys.py): never in data_dir."""
    folder: str = "{data_dir}-keys"     # $CREDENTIALS_DIRECTORY/<name> wins when it exists
    generate: bool = True               # demo: create missing keys (0600); production: false


@dataclass(frozen=True)
class RiskSection:
    large_transfer_fen: int = 5_000_000      # above this: held for staff confirmation
    held_wait_s: float = 600.0               # the customer waits this long for staff at most
    daily_limit_fen: int = 10_000_000        # kiosk limit per card per day
    structuring_ratio: float = 0.9           # "just under" the threshold: at least this share
    structuring_count: int = 3               # this many just-under transfers in the window: flag
    structuring_window_h: float = 24.0

    def validate(self) -> tuple[str, str] | None:
        if self.large_transfer_fen <= 0:
            return "large_transfer_fen", "a positive amount in fen"
        if self.held_wait_s < 60:
            return "held_wait_s", "at least 60 seconds (staff need time to come)"
        if not 0 < self.structuring_ratio < 1:
            return "structuring_ratio", "a share between 0 and 1"
        if self.structuring_count < 2:
            return "structuring_count", "at least 2"
        return None


@dataclass(frozen=True)
class AlertsSection:
    outbox: str = "{data_dir}/alerts.db"
    history_days: int = 90          # resolved alerts older than this are pruned at start-up
    host_check_s: float = 30.0      # an echo test to the bank host this often
    host_down_after: int = 2        # this many failed exchanges in a row: "host link down"
    clock_skew_limit_s: float = 120.0   # the kiosk's clock this far from the host's: an alert
    reversal_backlog_max: int = 2   # more reversals than this still due: an alert...
    reversal_backlog_age_s: float = 600.0   # ...or the oldest due for longer than this

    def validate(self) -> tuple[str, str] | None:
        if self.history_days < 1:
            return "history_days", "at least 1 day"
        if self.host_check_s <= 0:
            return "host_check_s", "a positive number of seconds"
        if self.host_down_after < 1:
            return "host_down_after", "at least 1 failed exchange"
        if self.clock_skew_limit_s <= 0:
            return "clock_skew_limit_s", "a positive number of seconds"
        if self.reversal_backlog_max < 0:
            return "reversal_backlog_max", "0 or more reversals"
        if self.reversal_backlog_age_s <= 0:
            return "reversal_backlog_age_s", "a positive number of seconds"
        return None


@dataclass(frozen=True)
class FleetSection:
    enabled: bool = False
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    username: str = ""
    password: str = secret_field()
    tls_ca: str = file_field()      # CA file; mqtts:// without it uses the system CAs
    topic_prefix: str = "bank"      # topics: {prefix}/{branch}/{kiosk}/status, .../event/{device}
    keepalive_s: int = 30
    inflight_max: int = 100         # outbox rows published but not yet acknowledged

    def validate(self) -> tuple[str, str] | None:
        if not self.mqtt_url.startswith(("mqtt://", "mqtts://")):
            return "mqtt_url", "a URL like mqtt://host:1883 or mqtts://host:8883"
        if not 5 <= self.keepalive_s <= 600:
            return "keepalive_s", "between 5 and 600 seconds"
        return None


@dataclass(frozen=True)
class ConsoleSection:
    enabled: bool = False
    listen: str = "127.0.0.1:8080"
    staff: dict[str, str] = field(default_factory=dict)  # user -> password hash
    roles: dict[str, str] = field(default_factory=dict)  # user -> ops | auditor | branch:CODE
    session_ttl_s: int = 8 * 3600
    history_limit: int = 200        # resolved alerts shown on the history panel
    database: str = "{data_dir}/console.db"  # sessions (kept across restarts), audit trail
    tls_cert: str = ""              # PEM files: the console serves https itself
    tls_key: str = ""
    command_timeout_s: int = 120    # a staff action the kiosk has not confirmed by then: failed
    branches: dict[str, str] = field(default_factory=dict)   # branch code -> name staff know
    positions: dict[str, str] = field(default_factory=dict)  # kiosk id -> place in the lobby
    regions: dict[str, str] = field(default_factory=dict)    # branch code -> region's name
    # the fleet service's PostgreSQL (libpq DSN): availability and acknowledgement reports
    fleet_dsn: str = secret_field()

    def validate(self) -> tuple[str, str] | None:
        # an unknown role would count as ops (sees and acts on every branch): refused
        for user, role in self.roles.items():
            if role not in ("ops", "auditor") and not (role.startswith("branch:") and role[7:]):
                return f"roles.{user}", "ops, auditor or branch:CODE"
        if bool(self.tls_cert) != bool(self.tls_key):
            return "tls_cert", "both tls_cert and tls_key, or neither"
        if _address_problem(self.listen):
            return "listen", _address_problem(self.listen)
        return None


@dataclass(frozen=True)
class NotifySection:
    enabled: bool = False
    # who posts to the group robots: "fleet" (the fleet service, centrally, rate limited per
    # robot), "kiosk" (this kiosk itself: a single branch without a fleet service), or "auto":
    # the fleet service whenever [fleet] is enabled
    sent_by: Literal["auto", "kiosk", "fleet"] = "auto"
    min_severity: Literal["info", "warning", "fault", "critical"] = "fault"
    wecom_webhook: str = secret_field()     # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...
    dingtalk_webhook: str = secret_field()  # https://oapi.dingtalk.com/robot/send?access_token=...
    dingtalk_secret: str = secret_field()   # SEC...: messages are signed (timestamp + HMAC-SHA256)
    timeout_s: float = 5.0
    retries: int = 3
    # central (kiosk fleet-service): a WeCom robot per branch, the webhooks above for the rest
    branch_webhooks: dict[str, str] = field(default_factory=dict)
    per_robot_per_minute: int = 20  # robots throttle past ~20 a minute: the rest as a digest
    region_webhook: str = ""        # WeCom robot of the region: second escalation
    escalate_after_s: list[int] = field(default_factory=lambda: [600, 1800])  # unacknowledged
    # the language of the group messages (the catalogs'), and per branch where it differs
    language: Language = "zh_CN"
    branch_languages: dict[str, Language] = field(default_factory=dict)


@dataclass(frozen=True)
class TechnicianSection:
    # keyed hashes of technician card numbers ("hmac-sha256:<hex>", from `kiosk technician
    # card-hash`), never the numbers; the key (hex, 32 bytes or more) is a credential
    cards: list[str] = field(default_factory=list)
    card_key: str = secret_field()
    pin_hash: str = ""              # scrypt, N >= 2^17: `kiosk console --hash-password`
    max_failures: int = 5
    lockout_s: int = 1800
    long_press_corner: Literal["tl", "tr", "bl", "br"] = "tl"  # the hidden way in
    long_press_s: float = 3.0
    idle_timeout_s: float = 300.0   # technician mode closes itself after this long untouched
    gesture: list[str] = field(default_factory=lambda: ["tl", "tr", "br", "bl", "tl"])
    gesture_window_s: float = 5.0

    def validate(self) -> tuple[str, str] | None:
        if self.max_failures < 1:
            return "max_failures", "at least 1"
        if any(c not in ("tl", "tr", "bl", "br") for c in self.gesture) or len(self.gesture) < 3:
            return "gesture", "at least 3 corners, each one of 'tl', 'tr', 'bl', 'br'"
        if any(not re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", c) for c in self.cards):
            return "cards", ("keyed hashes from `kiosk technician card-hash` "
                             "('hmac-sha256:' + 64 hex digits), never card numbers")
        if self.long_press_s < 1:
            return "long_press_s", "at least 1 second"
        return None


@dataclass(frozen=True)
class ShieldSection:
    enabled: bool = True            # look for onlookers while a PIN pad or balance shows
    checks_per_s: float = 4.0       # at most this many face checks a second
    width: int = 320                # frames shrunk to this width before looking
    near_ratio: float = 0.35        # a face this share of the customer's size is close
    cascade: str = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

    def validate(self) -> tuple[str, str] | None:
        if not 0.2 <= self.checks_per_s <= 10:
            return "checks_per_s", "between 0.2 and 10 checks a second"
        if not 160 <= self.width <= 1280:
            return "width", "a width in pixels between 160 and 1280"
        if not 0.1 <= self.near_ratio <= 1.0:
            return "near_ratio", "a share between 0.1 and 1"
        return None


@dataclass(frozen=True)
class VoiceSection:
    enabled: bool = False           # speak for every customer; larger text and the accessible
                                    # mode speak whatever this says
    volume: float = 0.8             # 0..1, also adjustable on screen
    speed_wpm: int = 150            # espeak-ng words a minute
    cache_dir: str = "{data_dir}/voice"   # synthesised prompts (no customer data: figures
                                          # spoken are amounts and queue numbers)

    def validate(self) -> tuple[str, str] | None:
        if not 0.0 <= self.volume <= 1.0:
            return "volume", "a volume between 0 and 1"
        if not 80 <= self.speed_wpm <= 300:
            return "speed_wpm", "80 to 300 words a minute"
        return None


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = field(default_factory=KioskSection)
    ui: UiSection = field(default_factory=UiSection)
    devices: DevicesSection = field(default_factory=DevicesSection)
    host: HostSection = field(default_factory=HostSection)
    journal: JournalSection = field(default_factory=JournalSection)
    keys: KeysSection = field(default_factory=KeysSection)
    risk: RiskSection = field(default_factory=RiskSection)
    alerts: AlertsSection = field(default_factory=AlertsSection)
    fleet: FleetSection = field(default_factory=FleetSection)
    console: ConsoleSection = field(default_factory=ConsoleSection)
    notify: NotifySection = field(default_factory=NotifySection)
    technician: TechnicianSection = field(default_factory=TechnicianSection)
    voice: VoiceSection = field(default_factory=VoiceSection)
    shield: ShieldSection = field(default_factory=ShieldSection)
    source: Path = field(default=DEFAULT_CONFIG, compare=False)
    base_dir: Path | None = field(default=None, compare=False)  # None: the file's folder

    def font_or_bundled(self) -> Path:
        """[ui] font, or the bundled CJK font when that file is missing (emulated receipts)."""
        font = self.path(self.ui.font)
        if not font.exists():
            log.warning("font %s not found, using %s", font, FONT)
            return FONT
        return font

    def path(self, value: str) -> Path:
        """Resolve a path from the file: relative paths are relative to the file's folder, and
        `{data_dir}` (how the defaults of data files start) stands for kiosk.data_dir;
        `{data_dir}-keys/...` is a folder beside it."""
        if value.startswith(DATA_DIR):
            rest = value[len(DATA_DIR):]
            if rest.startswith("/"):
                return self.data_dir / rest.lstrip("/")
            return self.data_dir.parent / (self.data_dir.name + rest)  # "{data_dir}-keys": beside it
        return self._beside_file(value)

    def port(self, value: str) -> str:
        """A serial device's `port` as its driver opens it: a pyserial URL (socket://,
        rfc2217://) as written, a path resolved like every other path."""
        return value if "://" in value else str(self.path(value))

    @property
    def data_dir(self) -> Path:
        return self._beside_file(self.kiosk.data_dir)

    def _beside_file(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else ((self.base_dir or self.source.parent) / p).resolve()

    @property
    def emulated(self) -> bool:
        """True when any enabled device runs on an emulator (the simulator panel shows)."""
        devs = self.devices
        return any(d.enabled and d.backend == "emulator"
                   for d in (devs.chipcard, devs.idcard, devs.printer, devs.camera, devs.scanner))

    def with_device(self, name: str, **changes: Any) -> "KioskConfig":
        """A copy with one device section changed (used to point a driver at its emulator)."""
        section = replace(getattr(self.devices, name), **changes)
        return replace(self, devices=replace(self.devices, **{name: section}))


def load_config(path: str | Path | None = None, *, resolve: bool = True) -> KioskConfig:
    """Read and validate a configuration file; raise ConfigError on any problem.

    Secret references (credential:NAME, env:NAME; see kiosk.secret_refs) are resolved and the
    checks a service start needs are made (kiosk.config_checks). `resolve=False` is for
    `kiosk diag`, which reads devices only: references are left out and those checks skipped.
    """
    from .config_checks import check_config
    from .secret_refs import references, with_secrets
    if not path:
        path = os.environ.get(CONFIG_ENV) or None
    source = Path(path) if path else DEFAULT_CONFIG
    shown = str(source)
    try:
        with open(source, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(shown, "", None, "an existing TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, "", str(exc), "valid TOML") from exc
    data = dict(data)
    data.pop("source", None)
    data.pop("base_dir", None)
    referenced = references(data)
    data, missing = with_secrets(data, resolve)
    if missing:
        raise ConfigErrors([ConfigError(shown, key, referenced[key], why)
                            for key, why in missing.items()])
    config = build(KioskConfig, data, file=shown, key="")
    config = replace(config, source=source.resolve(), base_dir=None if path else Path.cwd())
    if resolve:
        problems = check_config(config, set(referenced), shown)
        if problems:
            raise ConfigErrors(problems)
    return config


__all__ = ["ConfigError", "KioskConfig", "load_config", "DEFAULT_CONFIG", "PRODUCTION_EXAMPLE",
           "REPO_ROOT"]
