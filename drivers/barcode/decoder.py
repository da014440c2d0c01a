"""Finding codes in camera frames and photos: zxing-cpp first, zbar second, more for stills.

Which decoder runs when (figures from bench/barcode.py, 2 cores):
- Every live frame (`decode`): zxing-cpp on the grey region of interest downscaled to
  `max_width` (640: ~1 ms a 720p frame); only when it finds nothing, zbar on the same picture
  (~7-12 ms), which reads some worn or blurred linear codes zxing-cpp misses.
- At most every FALLBACK_EVERY_S of a live stream with nothing found (`decode_more`): zxing-cpp
  at full resolution with local contrast evened out (CLAHE), for codes too small for the
  downscale; ~10 ms, so the stream keeps its frame rate.
- A still picture (`decode_still`: `kiosk diag scan --image`, tests, the bench): both decoders
  at full resolution, then variants of the picture (contrast, sharpening, 2x upscaling of small
  pictures, adaptive binarisation) until one reads. A QR code carries Reed-Solomon error
  correction, so one read is enough; a linear code read only from a processed picture must be
  read alike by both decoders before it is reported (either alone misreads EAN-13s on some
  processed photos, and two variants through one decoder can agree on the same misread).

Text comes back as encoded: zxing-cpp follows the symbol's segments (kanji mode, Hanzi mode,
ECI); bytes that are valid UTF-8 are UTF-8 (phones), and GB18030 bytes that zxing would show
as Latin-1 are GB18030 (older Chinese encoders write no ECI). zbar runs in binary mode (set
through ctypes; pyzbar alone lets zbar guess Shift-JIS and garbles UTF-8 Chinese: 演示 ->
貍皮､ｺ); its bytes are used when they are UTF-8, otherwise zxing-cpp reads the code's region
again for the right text.
"""
from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import cv2
import numpy as np
import zxingcpp
from pyzbar import wrapper as zbar

from .reading import bytes_to_text, is_utf8

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
_ZXING_FORMATS: dict[str, zxingcpp.BarcodeFormat] = {
    "QRCODE": zxingcpp.BarcodeFormat.QRCode,
    "EAN13": zxingcpp.BarcodeFormat.EAN13,
    "EAN8": zxingcpp.BarcodeFormat.EAN8,
    "CODE128": zxingcpp.BarcodeFormat.Code128,
    "CODE39": zxingcpp.BarcodeFormat.Code39,
    "I25": zxingcpp.BarcodeFormat.ITF,
}
_ZXING_NAMES = {v: k for k, v in _ZXING_FORMATS.items()}
# Symbologies without error correction: a processed picture's read needs a second witness.
LINEAR = frozenset({"EAN13", "EAN8", "CODE128", "CODE39", "I25"})
FALLBACK_EVERY_S = 0.5
_UPSCALE_BELOW_PX = 1000  # stills whose longer side is below this are also tried at 2x

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
    """zxing-cpp and a zbar scanner set up for one step. Not thread-safe: one per thread.

    `max_width`: live frames (after the region of interest is cut) wider than this are
    downscaled before the fast pass; 0 keeps full resolution.
    """

    def __init__(self, symbologies: Sequence[str] = ("QRCODE",), *, max_width: int = 640,
                 roi: Region | None = None):
        if max_width < 0:
            raise ValueError(f"max_width must be 0 or more, got {max_width}")
        self.symbologies = check_symbologies(symbologies)
        self.max_width = max_width
        self.roi = roi
        self._formats = [_ZXING_FORMATS[n] for n in self.symbologies]
        self._clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
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

    # -- the three efforts ----------------------------------------------------------------------
    def decode(self, frame: np.ndarray) -> list[Code]:
        """The live fast pass on a BGR or grey frame; outlines in the frame's coordinates."""
        grey, origin = self._grey(frame)
        scale = 1.0
        if self.max_width and grey.shape[1] > self.max_width:
            scale = self.max_width / grey.shape[1]
            grey = cv2.resize(grey, (self.max_width, max(1, round(grey.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
        found = self._zxing(grey) or self._zbar(grey)
        return _placed(found, scale, origin)

    def decode_more(self, frame: np.ndarray) -> list[Code]:
        """The live fallback: full resolution, contrast evened out (small or dim codes)."""
        grey, origin = self._grey(frame)
        return _placed(self._zxing(self._clahe.apply(grey)), 1.0, origin)

    def decode_still(self, frame: np.ndarray) -> list[Code]:
        """A still picture: every decoder and picture variant until one reads."""
        grey, origin = self._grey(frame)
        found = self._zxing(grey) + self._zbar(grey)
        if found:
            return _placed(_unique(found), 1.0, origin)
        witnesses: dict[tuple[str, str], dict[str, _Found]] = {}
        for scale, variant, decoders in self._variants(grey):
            for decode in decoders:
                for hit in decode(variant):
                    if hit.symbology not in LINEAR:
                        return _placed([hit], scale, origin)
                    seen = witnesses.setdefault((hit.symbology, hit.text), {})
                    seen[decode.__name__] = replace(hit, scale=scale)
                    if len(seen) == 2:  # zxing-cpp and zbar read the same
                        first = next(iter(seen.values()))
                        return _placed([first], first.scale, origin)
        return []

    # -- steps ----------------------------------------------------------------------------------
    def _grey(self, frame: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
        if self._scanner is None:
            raise RuntimeError("decoder is closed")
        height, width = frame.shape[:2]
        x0, y0, x1, y1 = (self.roi or Region()).pixels(width, height)
        part = frame[y0:y1, x0:x1]
        grey = cv2.cvtColor(part, cv2.COLOR_BGR2GRAY) if part.ndim == 3 else part
        return np.ascontiguousarray(grey), (x0, y0)

    def _variants(self, grey: np.ndarray):
        """(scale, picture, decoders) from cheap to dear, for stills nothing read as they are."""
        both = (self._zxing, self._zbar)
        contrast = self._clahe.apply(grey)
        yield 1.0, contrast, both
        blurred = cv2.GaussianBlur(grey, (0, 0), 2)
        yield 1.0, cv2.addWeighted(grey, 1.8, blurred, -0.8, 0), both  # unsharp mask
        yield 1.0, cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                         cv2.THRESH_BINARY, 31, 5), (self._zbar,)
        if max(grey.shape) < _UPSCALE_BELOW_PX:
            large = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            yield 2.0, large, both
            blurred = cv2.GaussianBlur(large, (0, 0), 2)
            yield 2.0, cv2.addWeighted(large, 1.8, blurred, -0.8, 0), both
            yield 2.0, self._clahe.apply(large), both

    def _zxing(self, grey: np.ndarray) -> list[_Found]:
        found = []
        for result in zxingcpp.read_barcodes(grey, formats=self._formats,
                                             text_mode=zxingcpp.TextMode.Plain):
            name = _ZXING_NAMES.get(result.format)
            data = bytes(result.bytes)
            if name is None or not 0 < len(data) <= MAX_DATA_BYTES:
                continue
            pos = result.position
            points = [(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right,
                                           pos.bottom_left)]
            found.append(_Found(name, zxing_text(result), points))
        return found

    def _zbar(self, grey: np.ndarray) -> list[_Found]:
        found = []
        for name, data, points in self._scan(grey):
            text = data.decode("utf-8") if is_utf8(data) else self._reread(grey, name, points,
                                                                           data)
            found.append(_Found(name, text, _outline(points)))
        return found

    def _reread(self, grey: np.ndarray, name: str, points: list[Point], data: bytes) -> str:
        """zbar's bytes are no UTF-8: zxing-cpp reads the code's region for the segments' text."""
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        pad = max(max(xs) - min(xs), max(ys) - min(ys), 20) // 2
        h, w = grey.shape
        crop = grey[max(0, min(ys) - pad):min(h, max(ys) + pad),
                    max(0, min(xs) - pad):min(w, max(xs) + pad)]
        for picture in (crop, cv2.resize(crop, None, fx=2, fy=2,
                                         interpolation=cv2.INTER_CUBIC)):
            for hit in self._zxing(np.ascontiguousarray(picture)):
                if hit.symbology == name:
                    return hit.text
        return bytes_to_text(data)

    def _scan(self, grey: np.ndarray) -> list[tuple[str, bytes, list[Point]]]:
        h, w = grey.shape
        found: list[tuple[str, bytes, list[Point]]] = []
        grey = np.ascontiguousarray(grey)
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
                    found.append((name, data, points))
                symbol = zbar.zbar_symbol_next(symbol)
        finally:
            zbar.zbar_image_destroy(image)
        return found


@dataclass(frozen=True)
class _Found:
    symbology: str
    text: str
    points: list[Point]
    scale: float = 1.0


def _placed(found: list[_Found], scale: float, origin: tuple[int, int]) -> list[Code]:
    """Codes with outlines mapped back from a scaled, cut picture to the whole frame."""
    x0, y0 = origin
    return [Code(f.symbology, f.text, tuple((round(x / scale) + x0, round(y / scale) + y0)
                                            for x, y in f.points))
            for f in found]


def _unique(found: list[_Found]) -> list[_Found]:
    """One entry per code when both decoders read it."""
    seen: set[tuple[str, str]] = set()
    out = []
    for f in found:
        if (f.symbology, f.text) not in seen:
            seen.add((f.symbology, f.text))
            out.append(f)
    return out


def zxing_text(result: "zxingcpp.Barcode") -> str:
    """A zxing-cpp result's text as encoded (see the module's docstring). zxing-cpp 3.1 does not
    say whether the symbol had an ECI, so valid UTF-8 wins over its guess (which can take UTF-8
    Chinese for Shift-JIS, as zbar does), and a Latin-1 guess gives way to GB18030 when that
    reads as Chinese: a lone accented letter between ASCII ones is no GB18030."""
    data = bytes(result.bytes)
    if data.isascii():
        return result.text
    if is_utf8(data):
        return data.decode("utf-8")
    text = result.text
    if all(ord(c) < 0x100 for c in text):
        try:
            chinese = data.decode("gb18030")
        except UnicodeDecodeError:
            return text
        if any("\u4e00" <= c <= "\u9fff" for c in chinese):
            return chinese
    return text


def _outline(points: list[Point]) -> list[Point]:
    """The convex hull of zbar's location points (linear codes give many points on a line)."""
    if len(points) < 3:
        return points
    hull = cv2.convexHull(np.array(points, dtype=np.int32)).reshape(-1, 2)
    return [(int(x), int(y)) for x, y in hull]
