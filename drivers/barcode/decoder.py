"""Finding codes in camera frames with zbar: fast by default, exact with Chinese text.

Speed comes from decoding only what the step needs (QR by default) on a grey, downscaled
region of interest; measured on 2 cores, 640-wide QR-only passes take ~10 ms where a full
1280x720 all-symbology pass takes ~160 ms. Text comes back right because zbar runs in binary
mode (ZBAR_CFG_BINARY, set through ctypes on the libzbar that pyzbar loaded): pyzbar alone lets
zbar guess Shift-JIS and garbles UTF-8 Chinese (演示 -> 貍皮､ｺ).
"""
from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from typing import Iterable, Sequence

import cv2
import numpy as np
from pyzbar import wrapper as zbar

from .reading import bytes_to_text

log = logging.getLogger(__name__)

# zbar.h (0.23): ENABLE, ADD_CHECK, EMIT_CHECK, ASCII, BINARY. pyzbar 0.1.9 stops at ASCII.
ZBAR_CFG_ENABLE = 0
ZBAR_CFG_BINARY = 4
_FOURCC_GREY = 0x30303859  # "Y800": 8-bit grey

SYMBOLOGIES: dict[str, zbar.ZBarSymbol] = {
    "QRCODE": zbar.ZBarSymbol.QRCODE,
    "EAN13": zbar.ZBarSymbol.EAN13,
    "EAN8": zbar.ZBarSymbol.EAN8,
    "CODE128": zbar.ZBarSymbol.CODE128,
    "CODE39": zbar.ZBarSymbol.CODE39,
    "I25": zbar.ZBarSymbol.I25,
}
_NAMES = {v.value: k for k, v in SYMBOLOGIES.items()}

# The longest payload the kiosk ever accepts is far below this; anything longer is noise.
MAX_DATA_BYTES = 2048

Point = tuple[int, int]


@dataclass(frozen=True)
class Code:
    """One code found in a frame; `polygon` is in full-frame pixel coordinates."""
    symbology: str
    text: str
    polygon: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Region:
    """A region of interest as fractions of the frame (0..1), e.g. the bill tray's window."""
    x: float = 0.0
    y: float = 0.0
    w: float = 1.0
    h: float = 1.0

    def __post_init__(self) -> None:
        if not (0 <= self.x < 1 and 0 <= self.y < 1 and 0 < self.w <= 1 and 0 < self.h <= 1
                and self.x + self.w <= 1.0001 and self.y + self.h <= 1.0001):
            raise ValueError(f"region of interest {self} is outside the frame (fractions 0..1)")

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        x0, y0 = int(self.x * width), int(self.y * height)
        x1 = min(width, int(round((self.x + self.w) * width)))
        y1 = min(height, int(round((self.y + self.h) * height)))
        return x0, y0, x1, y1


def check_symbologies(names: Iterable[str]) -> tuple[str, ...]:
    """Validate symbology names from config or a step; raise ValueError naming the bad one."""
    out = tuple(n.upper() for n in names)
    if not out:
        raise ValueError("at least one symbology is needed")
    unknown = [n for n in out if n not in SYMBOLOGIES]
    if unknown:
        raise ValueError(f"unknown symbology {unknown[0]!r}; known: {', '.join(SYMBOLOGIES)}")
    return out


class Decoder:
    """A zbar image scanner set up for one step. Not thread-safe: one per decoding thread.

    `max_width`: frames (after the region of interest is cut) wider than this are downscaled
    before decoding; 0 keeps full resolution.
    """

    def __init__(self, symbologies: Sequence[str] = ("QRCODE",), *, max_width: int = 640,
                 roi: Region | None = None):
        if max_width < 0:
            raise ValueError(f"max_width must be 0 or more, got {max_width}")
        self.symbologies = check_symbologies(symbologies)
        self.max_width = max_width
        self.roi = roi
        self._scanner = zbar.zbar_image_scanner_create()
        if not self._scanner:
            raise RuntimeError("zbar could not create an image scanner (is libzbar0 installed?)")
        # Disable everything (symbol 0 = all), then enable what the step needs, in binary mode.
        zbar.zbar_image_scanner_set_config(self._scanner, 0, ZBAR_CFG_ENABLE, 0)
        for name in self.symbologies:
            symbol = SYMBOLOGIES[name]
            zbar.zbar_image_scanner_set_config(self._scanner, symbol, ZBAR_CFG_ENABLE, 1)
            zbar.zbar_image_scanner_set_config(self._scanner, symbol, ZBAR_CFG_BINARY, 1)

    def close(self) -> None:
        if self._scanner:
            zbar.zbar_image_scanner_destroy(self._scanner)
            self._scanner = None

    def __enter__(self) -> "Decoder":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # scanners hold C memory; close() is the normal path
        try:
            self.close()
        except Exception:
            pass

    def decode(self, frame: np.ndarray) -> list[Code]:
        """Codes in a BGR or grey frame, with outlines in the frame's own coordinates."""
        if self._scanner is None:
            raise RuntimeError("decoder is closed")
        height, width = frame.shape[:2]
        x0, y0, x1, y1 = (self.roi or Region()).pixels(width, height)
        part = frame[y0:y1, x0:x1]
        grey = cv2.cvtColor(part, cv2.COLOR_BGR2GRAY) if part.ndim == 3 else part
        scale = 1.0
        if self.max_width and grey.shape[1] > self.max_width:
            scale = self.max_width / grey.shape[1]
            grey = cv2.resize(grey, (self.max_width, max(1, round(grey.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
        return [Code(sym, text, tuple((round(px / scale) + x0, round(py / scale) + y0)
                                      for px, py in poly))
                for sym, text, poly in self._scan(np.ascontiguousarray(grey))]

    def _scan(self, grey: np.ndarray) -> list[tuple[str, str, list[Point]]]:
        h, w = grey.shape
        found: list[tuple[str, str, list[Point]]] = []
        image = zbar.zbar_image_create()
        try:
            zbar.zbar_image_set_format(image, _FOURCC_GREY)
            zbar.zbar_image_set_size(image, w, h)
            zbar.zbar_image_set_data(image, grey.ctypes.data_as(ctypes.c_void_p), grey.size, None)
            if zbar.zbar_scan_image(self._scanner, image) <= 0:
                return found
            symbol = zbar.zbar_image_first_symbol(image)
            while symbol:
                length = zbar.zbar_symbol_get_data_length(symbol)
                name = _NAMES.get(symbol.contents.type)
                if name and 0 < length <= MAX_DATA_BYTES:
                    data = ctypes.string_at(zbar.zbar_symbol_get_data(symbol), length)
                    points = [(zbar.zbar_symbol_get_loc_x(symbol, i),
                               zbar.zbar_symbol_get_loc_y(symbol, i))
                              for i in range(zbar.zbar_symbol_get_loc_size(symbol))]
                    found.append((name, bytes_to_text(data), _outline(points)))
                symbol = zbar.zbar_symbol_next(symbol)
        finally:
            zbar.zbar_image_destroy(image)
        return found


def _outline(points: list[Point]) -> list[Point]:
    """The convex hull of zbar's location points (linear codes give many points on a line)."""
    if len(points) < 3:
        return points
    hull = cv2.convexHull(np.array(points, dtype=np.int32)).reshape(-1, 2)
    return [(int(x), int(y)) for x, y in hull]
