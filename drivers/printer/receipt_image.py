"""Draws printed items as the paper would look: a 1-bit-looking image, CJK font, real QR codes.

Characters sit in the printer's cells (12 dots for a half-width character, 24 for a full-width
one, times the size multiplier), so columns line up as they do on paper.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from .escpos_parser import PrintedFeed, PrintedItem, PrintedLine, PrintedQr, PrintedRaster

CELL_DOTS = 12          # a half-width character is 12 x 24 dots (font A)
LINE_DOTS = 30          # 24 dots of glyph + 6 of default line spacing
MARGIN_DOTS = 8
QR_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
             "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=64)
def qr_image(data: str, module_size: int, error_level: str) -> Image.Image:
    code = qrcode.QRCode(error_correction=QR_LEVELS.get(error_level, QR_LEVELS["L"]),
                         box_size=max(1, module_size), border=0)
    code.add_data(data.encode("latin-1"))
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


# Byte-mode capacity of QR versions 1-10 per error level, to size a QR without drawing it.
_QR_CAPACITY = {"L": (17, 32, 53, 78, 106, 134, 154, 192, 230, 271),
                "M": (14, 26, 42, 62, 84, 106, 122, 152, 180, 213),
                "Q": (11, 20, 32, 46, 60, 74, 86, 108, 130, 151),
                "H": (7, 14, 24, 34, 44, 58, 64, 84, 98, 119)}


def qr_modules(data: str, error_level: str) -> int:
    """Modules across a QR holding `data` (cheap for the references receipts carry)."""
    for version, capacity in enumerate(_QR_CAPACITY.get(error_level, _QR_CAPACITY["L"]), 1):
        if len(data) <= capacity:
            return 17 + 4 * version
    return qr_image(data, 1, error_level).width


def item_height(item: PrintedItem) -> int:
    """Height in dots of one printed item (the emulator's paper roll uses this too)."""
    if isinstance(item, PrintedLine):
        return LINE_DOTS + 24 * (item.height - 1)
    if isinstance(item, PrintedFeed):
        return LINE_DOTS * item.lines
    if isinstance(item, PrintedQr):
        return qr_modules(item.data, item.error_level) * max(1, item.module_size) + 6
    if isinstance(item, PrintedRaster):
        return len(item.rows)
    raise TypeError(item)


def _x(align: str, width: int, content: int) -> int:
    if align == "center":
        return max(0, (width - content) // 2)
    if align == "right":
        return max(0, width - content)
    return 0


@lru_cache(maxsize=4096)
def _glyph(font_path: str, ch: str, size: int, bold: bool, advance: int) -> Image.Image:
    """One character in its cell, baseline at 24 dots per size step (cached: receipts repeat)."""
    cell = Image.new("L", (advance, size + size // 4), 0)
    ImageDraw.Draw(cell).text((0, size), ch, font=_font(font_path, size), fill=255,
                              anchor="ls", stroke_width=1 if bold else 0, stroke_fill=255)
    return cell


def _draw_line(image: Image.Image, line: PrintedLine, top: int, width: int,
               font_path: str) -> None:
    cells = []
    for seg in line.segments:
        for ch in seg.text:
            wide = unicodedata.east_asian_width(ch) in "WF"
            cells.append((ch, seg, CELL_DOTS * seg.width * (2 if wide else 1)))
    x = _x(line.align, width, sum(c[2] for c in cells))
    base = top + 24 * line.height
    for ch, seg, advance in cells:
        if ch != " ":
            size = 24 * seg.height
            glyph = _glyph(font_path, ch, size, seg.bold, max(advance, size))
            image.paste(0, (MARGIN_DOTS + x, base - size), glyph)
        x += advance


def render_receipt(items: list[PrintedItem], width_dots: int, font_path: str | Path) -> Image.Image:
    height = sum(item_height(i) for i in items) + 2 * MARGIN_DOTS
    image = Image.new("L", (width_dots + 2 * MARGIN_DOTS, max(height, 1)), 255)
    top = MARGIN_DOTS
    for item in items:
        if isinstance(item, PrintedLine):
            _draw_line(image, item, top, width_dots, str(font_path))
        elif isinstance(item, PrintedQr):
            code = qr_image(item.data, item.module_size, item.error_level)
            image.paste(code, (MARGIN_DOTS + _x(item.align, width_dots, code.width), top))
        elif isinstance(item, PrintedRaster):
            data = b"".join(bytes(~b & 0xFF for b in row) for row in item.rows)
            bitmap = Image.frombytes("1", (item.width_dots, len(item.rows)), data)
            image.paste(bitmap.convert("L"),
                        (MARGIN_DOTS + _x(item.align, width_dots, item.width_dots), top))
        top += item_height(item)
    return image


def raster_rows(image: Image.Image) -> list[bytes]:
    """An image as GS v 0 rows: 1 bit a dot, 1 = black (for printing text as a picture)."""
    mono = image.convert("L").point(lambda v: 255 if v < 128 else 0).convert("1")
    width_bytes = (mono.width + 7) // 8
    data = mono.tobytes()
    return [data[i * width_bytes:(i + 1) * width_bytes] for i in range(mono.height)]
