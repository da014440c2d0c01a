"""Receipt printer figures: bytes and line time at 115200 baud for a balance slip and a 3-page
statement, native ESC/POS text against the same slips sent as raster images (GS v 0), and the
status round-trip through the emulator on a pty.

Run: .venv/bin/python bench/printer.py
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.printer import escpos  # noqa: E402
from drivers.printer.base import PrinterCapabilities  # noqa: E402
from drivers.printer.emulator import BUNDLED_FONT, PrinterEmulator  # noqa: E402
from drivers.printer.escpos_parser import EscPosParser  # noqa: E402
from drivers.printer.escpos_serial import EscPosPrinter  # noqa: E402
from drivers.printer.receipt_image import MARGIN_DOTS, raster_rows, render_receipt  # noqa: E402
from drivers.printer.receipt_layout import layout_page, page_end, page_start  # noqa: E402
from kiosk.documents.balance import balance_slip  # noqa: E402
from drivers.printer.document import Document  # noqa: E402
from kiosk.documents.slip import SlipContext  # noqa: E402
from kiosk.documents.statement import account_statement  # noqa: E402
from kiosk.host.models import Account, Statement, Transaction  # noqa: E402

BAUD = 115200
RASTER_BAND_ROWS = 256   # many printers limit the height of one GS v 0 image
CTX = SlipContext("KSK-0001", "310101001", dt.datetime(2026, 11, 28, 10, 30))
ACCOUNT = Account("622202*********1234", "ACC-1", "debit", balance_fen=1_234_567,
                  available_fen=1_200_000)


def three_page_statement() -> Document:
    lines, balance = [], 500_000
    for i in range(36):
        amount = 120_000 if i % 5 == 0 else -(1_000 + 37 * i)
        balance += amount
        lines.append(Transaction(dt.datetime(2026, 11, 1, 9) + dt.timedelta(hours=7 * i),
                                 "工资 Salary" if amount > 0 else "消费 Purchase", amount,
                                 balance, f"TX2611{i:06d}"))
    stmt = Statement(ACCOUNT, dt.date(2026, 11, 1), dt.date(2026, 11, 28), 500_000, balance,
                     lines)
    return account_statement(stmt, "STM261128000001", CTX, lines_per_page=12)


class _Pages:
    """Collects the printed items of each cut slip (the emulator's parser, without a pty)."""

    def __init__(self):
        self.pages, self._items = [], []

    def printed(self, item):
        self._items.append(item)

    def cut(self):
        self.pages.append(self._items)
        self._items = []

    def status_request(self, n):
        pass

    def paper_sensor_request(self):
        pass


def native_bytes(doc: Document, caps: PrinterCapabilities) -> bytes:
    return b"".join(b"".join(layout_page(p, caps)) for p in doc.pages)


def raster_bytes(native: bytes, caps: PrinterCapabilities) -> bytes:
    """The same slips drawn as pictures and sent as GS v 0 bands."""
    sink = _Pages()
    EscPosParser(sink).feed(native)
    out = []
    for items in sink.pages:
        image = render_receipt(items, caps.paper_width_dots, BUNDLED_FONT)
        rows = raster_rows(image.crop((MARGIN_DOTS, 0, MARGIN_DOTS + caps.paper_width_dots,
                                       image.height)))
        out.append(page_start())
        for start in range(0, len(rows), RASTER_BAND_ROWS):
            out.append(escpos.raster(caps.paper_width_dots, rows[start:start + RASTER_BAND_ROWS]))
        out.append(page_end(caps))
    return b"".join(out)


def line_ms(nbytes: int) -> float:
    return nbytes * 10 / BAUD * 1000  # 8N1: 10 bits a byte


def main() -> None:
    caps = PrinterCapabilities()
    docs = {"balance slip": balance_slip(ACCOUNT, "BAL261128000001", CTX),
            "statement, 3 pages": three_page_statement()}
    print(f"ESC/POS at {BAUD} baud (8N1), {caps.paper_width_chars} columns / "
          f"{caps.paper_width_dots} dots")
    print(f"{'document':22} {'native B':>9} {'native ms':>10} {'raster B':>10} {'raster ms':>10}"
          f" {'ratio':>6}")
    for name, doc in docs.items():
        native = native_bytes(doc, caps)
        raster = raster_bytes(native, caps)
        print(f"{name:22} {len(native):9d} {line_ms(len(native)):10.1f} {len(raster):10d} "
              f"{line_ms(len(raster)):10.1f} {len(raster) / len(native):6.1f}")

    with tempfile.TemporaryDirectory() as tmp:
        emu = PrinterEmulator(Path(tmp) / "printer.pty", output_dir=Path(tmp) / "out",
                              font_path=BUNDLED_FONT, baud=BAUD, pace=True)
        emu.start()
        printer = EscPosPrinter("printer", port=str(emu.link), baud=BAUD)
        try:
            printer.open()
            full = [printer.read_status().status_ms for _ in range(200)]
            port = printer._port()
            single = []
            for _ in range(200):
                started = time.perf_counter()
                port.write(escpos.status_request(4))
                port.read(1)
                single.append((time.perf_counter() - started) * 1000)
            for name, doc in docs.items():
                started = time.perf_counter()
                printer.print_document(doc)
                print(f"print through pty + emulator, {name}: "
                      f"{(time.perf_counter() - started) * 1000:.1f} ms wall "
                      f"(status checked every few lines; pty has no wire time)")
            emu.wait_rendered()
        finally:
            printer.close()
            emu.stop()
    print(f"status DLE EOT 4, one byte: median {statistics.median(single):.2f} ms, "
          f"p95 {statistics.quantiles(single, n=20)[-1]:.2f} ms, max {max(single):.2f} ms")
    print(f"status DLE EOT 1-4, full reading: median {statistics.median(full):.2f} ms, "
          f"p95 {statistics.quantiles(full, n=20)[-1]:.2f} ms, max {max(full):.2f} ms "
          f"(target < 50 ms)")


if __name__ == "__main__":
    main()
