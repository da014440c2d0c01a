"""Reads an ESC/POS byte stream the way a printer does: modes, text lines, QR, raster, cuts.

Used by the printer emulator (and the benchmark) to turn what a driver sent into printed
items. Incomplete commands at the end of the input wait for the next bytes.
"""
from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_ALIGN_NAMES = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
# ESC commands taking one parameter byte that the emulator accepts and ignores.
_ESC_ONE_ARG_IGNORED = b"!-2GJMRSTVt{3 "

MAX_RASTER_WIDTH_BYTES = 256    # 2,048 dots: wider than any receipt head
MAX_RASTER_HEIGHT = 4096        # dots per GS v 0 band (the driver sends far smaller bands)


@dataclass
class Segment:
    text: str
    bold: bool = False
    width: int = 1
    height: int = 1


@dataclass
class PrintedLine:
    segments: list[Segment] = field(default_factory=list)
    align: str = "left"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def height(self) -> int:
        return max((s.height for s in self.segments), default=1)


@dataclass
class PrintedQr:
    data: str
    module_size: int
    error_level: str
    align: str


@dataclass
class PrintedRaster:
    width_dots: int
    rows: list[bytes]
    align: str


@dataclass
class PrintedFeed:
    lines: int


PrintedItem = PrintedLine | PrintedQr | PrintedRaster | PrintedFeed


class ParserSink(Protocol):
    def printed(self, item: PrintedItem) -> None: ...
    def cut(self) -> None: ...
    def status_request(self, n: int) -> None: ...
    def paper_sensor_request(self) -> None: ...


class EscPosParser:
    def __init__(self, sink: ParserSink):
        self.sink = sink
        self._buf = bytearray()
        self.reset()

    def reset(self) -> None:
        """ESC @: modes back to power-on, which is *not* Chinese mode."""
        self.align = "left"
        self.bold = False
        self.width = 1
        self.height = 1
        self.chinese = False
        self._decoder = codecs.getincrementaldecoder("cp437")("replace")
        self._line = PrintedLine()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_level = "L"

    def feed(self, data: bytes) -> None:
        self._buf += data
        pos = 0
        while pos < len(self._buf):
            used = self._step(pos)
            if used == 0:
                break  # incomplete command: wait for more bytes
            pos += used
        del self._buf[:pos]

    # -- one command ----------------------------------------------------------------------
    def _step(self, pos: int) -> int:
        buf = self._buf
        b = buf[pos]
        if b >= 0x20:
            end = pos
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            self._text(bytes(buf[pos:end]))
            return end - pos
        if b == 0x0A:
            self._end_line()
            return 1
        if b == 0x10:
            return self._dle(pos)
        if b == 0x1B:
            return self._esc(pos)
        if b == 0x1D:
            return self._gs(pos)
        if b == 0x1C:
            return self._fs(pos)
        return 1  # CR, HT and other control bytes: nothing to print

    def _need(self, pos: int, n: int) -> bool:
        return len(self._buf) - pos >= n

    def _dle(self, pos: int) -> int:
        if not self._need(pos, 3):
            return 0
        if self._buf[pos + 1] == 0x04:
            self.sink.status_request(self._buf[pos + 2])
            return 3
        return 1

    def _esc(self, pos: int) -> int:
        if not self._need(pos, 2):
            return 0
        cmd = self._buf[pos + 1]
        if cmd == ord("@"):
            self.reset()
            return 2
        if cmd == ord("2"):
            return 2
        if not self._need(pos, 3):
            return 0
        arg = self._buf[pos + 2]
        if cmd == ord("a"):
            self.align = _ALIGN_NAMES.get(arg, "left")
        elif cmd == ord("E"):
            self.bold = bool(arg & 1)
        elif cmd == ord("d"):
            self._end_line(if_empty=False)
            self.sink.printed(PrintedFeed(arg))
        elif cmd not in _ESC_ONE_ARG_IGNORED:
            log.warning("printer emulator: unknown command ESC %r", chr(cmd))
            return 2
        return 3

    def _fs(self, pos: int) -> int:
        if not self._need(pos, 2):
            return 0
        cmd = self._buf[pos + 1]
        if cmd in (ord("&"), ord(".")):
            self.chinese = cmd == ord("&")
            self._decoder = codecs.getincrementaldecoder(
                "gb18030" if self.chinese else "cp437")("replace")
        return 2

    def _gs(self, pos: int) -> int:
        if not self._need(pos, 3):
            return 0
        buf = self._buf
        cmd, arg = buf[pos + 1], buf[pos + 2]
        if cmd == ord("!"):
            self.width, self.height = (arg >> 4) + 1, (arg & 0x0F) + 1
            return 3
        if cmd == ord("r"):
            self.sink.paper_sensor_request()
            return 3
        if cmd == ord("V"):
            if arg in (65, 66):
                if not self._need(pos, 4):
                    return 0
                self._end_line(if_empty=False)
                self.sink.printed(PrintedFeed(max(1, (buf[pos + 3] + 23) // 24)))
                self.sink.cut()
                return 4
            self._end_line(if_empty=False)
            self.sink.cut()
            return 3
        if cmd == ord("(") and arg == ord("k"):
            return self._qr(pos)
        if cmd == ord("v") and arg == ord("0"):
            return self._raster(pos)
        log.warning("printer emulator: unknown command GS %r", chr(cmd))
        return 2

    def _qr(self, pos: int) -> int:
        if not self._need(pos, 5):
            return 0
        buf = self._buf
        n = buf[pos + 3] | buf[pos + 4] << 8
        if not self._need(pos, 5 + n):
            return 0
        body = bytes(buf[pos + 5:pos + 5 + n])
        fn = body[1] if len(body) > 1 else 0
        if fn in (0x43, 0x45, 0x50) and len(body) < 3:
            log.warning("printer emulator: GS ( k function %02X with a %d-byte body", fn, n)
        elif fn == 0x43:
            self._qr_module = body[2]
        elif fn == 0x45:
            self._qr_level = QR_LEVELS.get(body[2], "L")
        elif fn == 0x50:
            self._qr_data = body[3:]
        elif fn == 0x51 and self._qr_data:
            self._end_line(if_empty=False)
            self.sink.printed(PrintedQr(self._qr_data.decode("latin-1"), self._qr_module,
                                        self._qr_level, self.align))
        return 5 + n

    def _raster(self, pos: int) -> int:
        if not self._need(pos, 8):
            return 0
        buf = self._buf
        width_bytes = buf[pos + 4] | buf[pos + 5] << 8
        height = buf[pos + 6] | buf[pos + 7] << 8
        size = 8 + width_bytes * height
        if width_bytes > MAX_RASTER_WIDTH_BYTES or height > MAX_RASTER_HEIGHT:
            # No printer takes this: skip the header rather than buffer up to 4 GiB for it.
            log.warning("printer emulator: raster of %d x %d bytes refused", width_bytes, height)
            return 8
        if not self._need(pos, size):
            return 0
        data = bytes(buf[pos + 8:pos + size])
        rows = [data[i * width_bytes:(i + 1) * width_bytes] for i in range(height)]
        self._end_line(if_empty=False)
        self.sink.printed(PrintedRaster(width_bytes * 8, rows, self.align))
        return size

    # -- text -------------------------------------------------------------------------------
    def _text(self, raw: bytes) -> None:
        text = self._decoder.decode(raw)  # keeps half a character split across reads
        if not text:
            return
        segments = self._line.segments
        if not segments:
            self._line.align = self.align
        style = (self.bold, self.width, self.height)
        if segments and (segments[-1].bold, segments[-1].width, segments[-1].height) == style:
            segments[-1].text += text
        else:
            segments.append(Segment(text, *style))

    def _end_line(self, if_empty: bool = True) -> None:
        """LF prints the line (an empty one too); other commands print only pending text."""
        line = self._line
        if not line.segments:
            if not if_empty:
                return
            line.align = self.align
        self._line = PrintedLine()
        self.sink.printed(line)
