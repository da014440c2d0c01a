"""ESC/POS commands as pure byte builders, and the parsing of the printer's status bytes.

Nothing here touches a port: every function returns bytes (or reads a status byte), so the
sequences are tested to the byte. Chinese text is GB18030 printed in Chinese mode (FS &), which
is always entered explicitly rather than trusted to the printer's power-on default.
"""
from __future__ import annotations

from dataclasses import dataclass

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
DLE = b"\x10"
EOT = b"\x04"
LF = b"\n"

ALIGNMENTS = {"left": 0, "center": 1, "right": 2}
QR_ERROR_LEVELS = {"L": 48, "M": 49, "Q": 50, "H": 51}

# Characters a GBK-only printer lacks, replaced by the GBK form that prints the same thing.
_GBK_FORMS = str.maketrans({"\u00a5": "\uffe5",   # ¥ -> ￥ (4 bytes in GB18030, 2 in GBK)
                            "\u2022": "\u00b7"})  # • -> ·


def init() -> bytes:
    """ESC @: clear the print buffer and reset every mode."""
    return ESC + b"@"


def chinese_mode(on: bool = True) -> bytes:
    """FS & enters Chinese (double-byte GB18030/GBK) mode; FS . leaves it."""
    return FS + (b"&" if on else b".")


def align(where: str) -> bytes:
    """ESC a n: left, center or right."""
    try:
        return ESC + b"a" + bytes([ALIGNMENTS[where]])
    except KeyError:
        raise ValueError(f"alignment must be one of {sorted(ALIGNMENTS)}, got {where!r}") from None


def bold(on: bool) -> bytes:
    """ESC E n: emphasis on or off."""
    return ESC + b"E" + bytes([1 if on else 0])


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n: character width and height multipliers, 1 to 8 each."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"character size must be 1..8 x 1..8, got {width}x{height}")
    return GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])


def encode_text(text: str, code_page: str = "gb18030") -> bytes:
    """Text bytes for Chinese mode; characters no printer font has become '?'."""
    return text.translate(_GBK_FORMS).encode(code_page, errors="replace")


def text_line(text: str, code_page: str = "gb18030") -> bytes:
    return encode_text(text, code_page) + LF


def feed(lines: int = 1) -> bytes:
    """ESC d n: print the buffer and feed n lines."""
    if not 0 <= lines <= 255:
        raise ValueError(f"feed must be 0..255 lines, got {lines}")
    return ESC + b"d" + bytes([lines])


def cut(partial: bool = True, feed_dots: int = 0) -> bytes:
    """GS V: cut now (GS V 0 full / GS V 1 partial) or feed `feed_dots` and cut (GS V 65/66 n)."""
    if feed_dots:
        if not 0 < feed_dots <= 255:
            raise ValueError(f"cut feed must be 1..255 dots, got {feed_dots}")
        return GS + b"V" + bytes([66 if partial else 65, feed_dots])
    return GS + b"V" + bytes([1 if partial else 0])


def _qr_function(fn: int, payload: bytes) -> bytes:
    n = len(payload) + 2
    return GS + b"(k" + bytes([n & 0xFF, n >> 8, 0x31, fn]) + payload


def qr(data: str, module_size: int = 6, error_level: str = "M") -> bytes:
    """Native QR (GS ( k): model 2, module size, error level, store the data, print it."""
    if not 1 <= module_size <= 16:
        raise ValueError(f"QR module size must be 1..16, got {module_size}")
    if error_level not in QR_ERROR_LEVELS:
        raise ValueError(f"QR error level must be one of L, M, Q, H, got {error_level!r}")
    payload = data.encode("ascii")  # references only: readers disagree on anything else
    if not 0 < len(payload) <= 7089:
        raise ValueError(f"QR data must be 1..7089 bytes, got {len(payload)}")
    return (GS + b"(k" + bytes([4, 0, 0x31, 0x41, 0x32, 0x00])  # model 2
            + _qr_function(0x43, bytes([module_size]))
            + _qr_function(0x45, bytes([QR_ERROR_LEVELS[error_level]]))
            + _qr_function(0x50, b"\x30" + payload)
            + _qr_function(0x51, b"\x30"))


def raster(width_dots: int, rows: list[bytes]) -> bytes:
    """GS v 0: a 1-bit raster image, `rows` of width_dots/8 bytes each (1 = black dot)."""
    width_bytes = (width_dots + 7) // 8
    if any(len(r) != width_bytes for r in rows):
        raise ValueError(f"every raster row must be {width_bytes} bytes")
    height = len(rows)
    return (GS + b"v0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8,
                                    height & 0xFF, height >> 8]) + b"".join(rows))


def status_request(n: int) -> bytes:
    """DLE EOT n: real-time status (1 printer, 2 offline cause, 3 error cause, 4 paper roll)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT status is 1..4, got {n}")
    return DLE + EOT + bytes([n])


def paper_sensor_request() -> bytes:
    """GS r 1: paper sensor status, answered in turn after everything sent before it."""
    return GS + b"r\x01"


# -- status bytes ------------------------------------------------------------------------

def is_status_byte(value: int) -> bool:
    """DLE EOT replies have bits 1 and 4 set and bits 0 and 7 clear."""
    return value & 0x93 == 0x12


def _bit(reply: str, mask: int) -> property:
    return property(lambda self: bool(getattr(self, reply) & mask))


@dataclass(frozen=True)
class StatusBytes:
    """The four DLE EOT replies, decoded with the bit meanings of the ESC/POS reference."""
    printer: int
    offline_cause: int
    error_cause: int
    paper_sensor: int

    offline = _bit("printer", 0x08)
    cover_open = _bit("offline_cause", 0x04)
    feed_button = _bit("offline_cause", 0x08)
    paper_end_stop = _bit("offline_cause", 0x20)
    error = _bit("offline_cause", 0x40)
    cutter_error = _bit("error_cause", 0x08)
    unrecoverable_error = _bit("error_cause", 0x20)
    recoverable_error = _bit("error_cause", 0x40)
    paper_near_end = _bit("paper_sensor", 0x0C)

    @property
    def paper_end(self) -> bool:
        return bool(self.paper_sensor & 0x60) or self.paper_end_stop

    @property
    def paper(self) -> str:
        """full, low or out (XFS4IoT printer.paper names)."""
        if self.paper_end:
            return "out"
        return "low" if self.paper_near_end else "full"


def status_byte(*, offline: bool = False, cover_open: bool = False, paper_end_stop: bool = False,
                error: bool = False, cutter_error: bool = False, unrecoverable: bool = False,
                recoverable: bool = False, near_end: bool = False, paper_end: bool = False,
                n: int) -> int:
    """The reply byte a printer in this state gives to DLE EOT n (used by the emulator)."""
    value = 0x12
    if n == 1:
        value |= 0x08 if offline else 0
    elif n == 2:
        value |= (0x04 if cover_open else 0) | (0x20 if paper_end_stop else 0) \
            | (0x40 if error else 0)
    elif n == 3:
        value |= (0x08 if cutter_error else 0) | (0x20 if unrecoverable else 0) \
            | (0x40 if recoverable else 0)
    elif n == 4:
        value |= (0x0C if near_end else 0) | (0x60 if paper_end else 0)
    else:
        raise ValueError(f"DLE EOT status is 1..4, got {n}")
    return value


def paper_sensor_byte(*, near_end: bool, paper_end: bool) -> int:
    """The GS r 1 reply: bits 0-1 near end, bits 2-3 paper end."""
    return (0x03 if near_end else 0) | (0x0C if paper_end else 0)
