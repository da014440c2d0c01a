"""Lays a printer-independent document page out as ESC/POS for a given paper width.

The result is a list of pieces, one per printed line (or QR), so the driver can send a page in
small chunks and check the printer's status in between.
"""
from __future__ import annotations

from .document import Blank, Block, Page, Pair, Qr, Rule, Text, display_width

from . import escpos
from .base import PrinterCapabilities

CUT_FEED_DOTS = 96  # ~4 lines past the last one so the cut falls below the text


def wrap(text: str, columns: int) -> list[str]:
    """Split text into lines of at most `columns` display columns, at a space when one is near."""
    if columns < 2:
        raise ValueError(f"cannot wrap text into {columns} columns")
    lines: list[str] = []
    current = ""
    for ch in text:
        if display_width(current + ch) > columns:
            cut = current.rfind(" ")
            if ch == " ":
                lines.append(current)
                current = ""
                continue
            if cut > len(current) // 2:
                lines.append(current[:cut])
                current = current[cut + 1:]
            else:
                lines.append(current)
                current = ""
        current += ch
    lines.append(current)
    return lines


def page_start() -> bytes:
    """Every page starts from a known state, Chinese mode entered explicitly."""
    return escpos.init() + escpos.chinese_mode(True)


def page_end(caps: PrinterCapabilities) -> bytes:
    if caps.cutter:
        return escpos.cut(partial=True, feed_dots=CUT_FEED_DOTS)
    return escpos.feed(6)


def layout_page(page: Page, caps: PrinterCapabilities) -> list[bytes]:
    """ESC/POS for one page: start, one piece per line or QR, then the cut."""
    pieces = [page_start()]
    for block in page.blocks:
        pieces += _block(block, caps)
    pieces.append(page_end(caps))
    return pieces


def _line(text: str, caps: PrinterCapabilities) -> bytes:
    return escpos.text_line(text, caps.code_page)


def _block(block: Block, caps: PrinterCapabilities) -> list[bytes]:
    width = caps.paper_width_chars
    if isinstance(block, Text):
        lines = wrap(block.text, max(2, width // block.scale))
        styled = [_line(t, caps) for t in lines]
        styled[0] = (escpos.align(block.align) + escpos.bold(block.bold)
                     + escpos.size(block.scale, block.scale) + styled[0])
        styled[-1] += escpos.size(1, 1) + escpos.bold(False) + escpos.align("left")
        return styled
    if isinstance(block, Pair):
        out = _pair_lines(block, width, caps)
        if block.bold:
            out[0] = escpos.bold(True) + out[0]
            out[-1] += escpos.bold(False)
        return out
    if isinstance(block, Rule):
        return [_line(block.char * (width // display_width(block.char)), caps)]
    if isinstance(block, Qr):
        if not caps.qr:
            return [escpos.align("center") + _line(block.data, caps) + escpos.align("left")]
        return [escpos.align("center") + escpos.qr(block.data, block.module_size)
                + escpos.LF + escpos.align("left")]
    if isinstance(block, Blank):
        return [escpos.LF * block.lines]
    raise TypeError(f"cannot print a {type(block).__name__} block")


def _pair_lines(block: Pair, width: int, caps: PrinterCapabilities) -> list[bytes]:
    used = display_width(block.label) + display_width(block.value)
    if used + 1 <= width:
        return [_line(block.label + " " * (width - used) + block.value, caps)]
    label_lines = wrap(block.label, width) if block.label else []
    value_lines = wrap(block.value, width)
    value_lines = [" " * (width - display_width(v)) + v for v in value_lines]
    return [_line(t, caps) for t in label_lines + value_lines]
