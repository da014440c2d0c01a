"""An ESC/POS receipt printer on a pseudo-terminal, for the demo kiosk and the tests.

It parses what the driver sends, answers DLE EOT 1-4 and GS r 1 from a simulated state (a paper
roll that gets shorter with every line and passes near-end then end, a cover, a cutter) and
renders every cut receipt to a PNG with the CJK font, QR codes drawn as real QR images.
While paper is out, the cover open or the cutter jammed, it prints nothing; the slip it was
printing is saved as a `-partial` PNG.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from ..emulation import EmulatorAction, PtyEmulator
from . import escpos
from .escpos_parser import EscPosParser, PrintedItem, PrintedLine, PrintedQr
from .receipt_image import LINE_DOTS, item_height, render_receipt

log = logging.getLogger(__name__)


ACTIONS = (
    EmulatorAction("paper_low", "panel.printer.paper_low"),
    EmulatorAction("paper_out", "panel.printer.paper_out"),
    EmulatorAction("paper_replaced", "panel.printer.paper_replaced"),
    EmulatorAction("cover_open", "panel.printer.cover_open"),
    EmulatorAction("cover_close", "panel.printer.cover_close"),
    EmulatorAction("cutter_jam", "panel.printer.cutter_jam"),
    EmulatorAction("unplug", "panel.unplug"),
    EmulatorAction("replug", "panel.replug"),
)


@dataclass(frozen=True)
class RenderedReceipt:
    """One slip as it came out: its PNG, its text lines, its QR contents, cut or cut short."""
    path: Path
    lines: tuple[str, ...]
    qr: tuple[str, ...]
    complete: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class PrinterEmulator(PtyEmulator):
    kind = "printer"

    def __init__(self, link: str | Path, *, output_dir: str | Path, font_path: str | Path,
                 baud: int = 115200, pace: bool = True, paper_lines: int = 2000,
                 near_end_lines: int = 300, width_dots: int = 576):
        super().__init__(link, baud=baud, pace=pace)
        self.output_dir = Path(output_dir)
        self.font_path = Path(font_path)
        self.width_dots = width_dots
        self.paper_lines = paper_lines
        self.near_end_lines = near_end_lines
        self._state = threading.RLock()
        self._paper_dots = paper_lines * LINE_DOTS
        self.cover_open = False
        self.cutter_error = False
        self._items: list[PrintedItem] = []
        self._parser = EscPosParser(self)
        self._render_queue: queue.Queue[tuple[list[PrintedItem], bool] | None] = queue.Queue()
        self._renderer: threading.Thread | None = None
        self._rendered: list[RenderedReceipt] = []
        self._rendered_cond = threading.Condition()
        self._submitted = 0
        self._run = time.strftime("%Y%m%d-%H%M%S")

    @classmethod
    def from_config(cls, section: Any, config: Any) -> "PrinterEmulator":
        emu = section.emulator
        return cls(config.path(section.port), output_dir=config.path(emu.output_dir),
                   font_path=config.font_or_bundled(), baud=section.baud, pace=emu.pace,
                   paper_lines=emu.paper_lines, near_end_lines=emu.near_end_lines,
                   width_dots=section.paper_width_dots)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if self._renderer is None:
            self._renderer = threading.Thread(target=self._render_loop, name="printer-render",
                                              daemon=True)
            self._renderer.start()
        super().start()

    def stop(self) -> None:
        super().stop()
        renderer, self._renderer = self._renderer, None
        if renderer is not None:
            self._render_queue.put(None)
            renderer.join(timeout=10)

    # -- panel actions -------------------------------------------------------------------------
    def actions(self) -> list[EmulatorAction]:
        return list(ACTIONS)

    def action_paper_low(self) -> None:
        with self._state:
            self._paper_dots = min(self._paper_dots, self.near_end_lines * LINE_DOTS)
        log.info("printer emulator: paper near end")

    def action_paper_out(self) -> None:
        with self._state:
            self._paper_dots = 0
            self._halt("paper out")

    def action_paper_replaced(self) -> None:
        self.load_paper(self.paper_lines)

    def load_paper(self, lines: int) -> None:
        """A new roll with `lines` lines on it (scenarios: paper out after N lines)."""
        with self._state:
            self._paper_dots = lines * LINE_DOTS
        log.info("printer emulator: paper roll of %d lines loaded", lines)

    def action_cover_open(self) -> None:
        with self._state:
            self.cover_open = True
            self._halt("cover open")

    def action_cover_close(self) -> None:
        with self._state:
            self.cover_open = False
            self.cutter_error = False  # closing the cover clears a cutter jam, as on hardware
        log.info("printer emulator: cover closed")

    def action_cutter_jam(self) -> None:
        with self._state:
            self.cutter_error = True
            self._halt("cutter jam")

    def action_unplug(self) -> None:
        self.unplug()

    def action_replug(self) -> None:
        with self._state:
            self._parser = EscPosParser(self)  # half a command from before the unplug is gone
        self.replug()

    # -- what tests and the UI see --------------------------------------------------------------
    @property
    def paper_lines_left(self) -> int:
        with self._state:
            return self._paper_dots // LINE_DOTS

    def receipts(self) -> list[RenderedReceipt]:
        with self._rendered_cond:
            return list(self._rendered)

    def last_receipt_png(self) -> Path | None:
        with self._rendered_cond:
            return self._rendered[-1].path if self._rendered else None

    def wait_rendered(self, timeout: float = 10.0) -> bool:
        """Wait until every slip cut (or cut short) so far has its PNG."""
        with self._rendered_cond:
            return self._rendered_cond.wait_for(
                lambda: len(self._rendered) >= self._submitted, timeout)

    # -- protocol -----------------------------------------------------------------------------
    def on_bytes(self, data: bytes) -> None:
        with self._state:
            self._parser.feed(data)

    def _stopped(self) -> bool:
        return self._paper_dots <= 0 or self.cover_open or self.cutter_error

    def printed(self, item: PrintedItem) -> None:
        if self._stopped():
            return
        height = item_height(item)
        if height >= self._paper_dots:  # the roll ends inside this item
            self._paper_dots = 0
            self._halt("paper out")
            return
        self._paper_dots -= height
        self._items.append(item)

    def cut(self) -> None:
        if self._stopped():
            return
        self._finish(complete=True)

    def status_request(self, n: int) -> None:
        if n not in (1, 2, 3, 4):
            return
        end = self._paper_dots <= 0
        near = self._paper_dots <= self.near_end_lines * LINE_DOTS
        self.write(bytes([escpos.status_byte(
            n=n, offline=self._stopped(), cover_open=self.cover_open, paper_end_stop=end,
            error=self.cutter_error, cutter_error=self.cutter_error, near_end=near,
            paper_end=end)]))

    def paper_sensor_request(self) -> None:
        self.write(bytes([escpos.paper_sensor_byte(
            near_end=self._paper_dots <= self.near_end_lines * LINE_DOTS,
            paper_end=self._paper_dots <= 0)]))

    def _halt(self, why: str) -> None:
        log.info("printer emulator: stopped (%s)", why)
        if self._items:
            self._finish(complete=False)

    def _finish(self, complete: bool) -> None:
        items, self._items = self._items, []
        with self._rendered_cond:
            self._submitted += 1
        self._render_queue.put((items, complete))

    # -- rendering, off the protocol thread so status answers stay prompt -------------------
    def _render_loop(self) -> None:
        seq = 0
        while True:
            job = self._render_queue.get()
            if job is None:
                return
            items, complete = job
            seq += 1
            suffix = "" if complete else "-partial"
            path = self.output_dir / f"receipt-{self._run}-{seq:04d}{suffix}.png"
            try:
                render_receipt(items, self.width_dots, self.font_path).save(path)
            except Exception:
                log.exception("printer emulator: rendering %s failed", path)
            receipt = RenderedReceipt(
                path, tuple(i.text for i in items if isinstance(i, PrintedLine)),
                tuple(i.data for i in items if isinstance(i, PrintedQr)), complete)
            with self._rendered_cond:
                self._rendered.append(receipt)
                self._rendered_cond.notify_all()
