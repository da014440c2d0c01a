"""Shared helpers for the barcode tests: waiting, event capture, configs in temp dirs."""
from __future__ import annotations

import contextlib
import threading

from kiosk.config import load_config
from tests.harness import EventRecorder, wait_for  # noqa: F401  (wait_for: re-exported)


class Recorder(EventRecorder):
    """The bus's device events, with the codes read (symbology, text) pulled out."""

    def codes(self):
        return [(e.data["symbology"], e.data["text"]) for e in self.code_events()]

    def code_events(self):
        return self.named("CodeReadEvent")


@contextlib.contextmanager
def running_manager(config):
    """A DeviceManager started on `config`, with a Recorder on its bus; stopped afterwards."""
    from kiosk.device_manager import DeviceManager
    from kiosk.events import EventBus
    bus = EventBus()
    events = Recorder()
    bus.subscribe(events)
    manager = DeviceManager(config, bus)
    manager.start()
    try:
        yield manager, events
    finally:
        manager.stop()


def only_device_config(tmp_path, device, extra=""):
    """A config in tmp_path with only `device` enabled, on its emulator."""
    others = [n for n in ("chipcard", "idcard", "printer", "camera", "scanner") if n != device]
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        + "".join(f"[devices.{n}]\nenabled = false\n" for n in others)
        + extra, encoding="utf-8")
    return load_config(toml)


def qr_picture(data: bytes, *, eci: int | None = None, module_px: int = 6, version: int = 6):
    """A grey picture of a QR code holding `data` as one byte segment, after an ECI header
    naming its character set when `eci` is given (the qrcode package writes no ECI itself)."""
    from unittest import mock

    import numpy as np
    import qrcode
    import qrcode.util as qrutil

    class EciHeader:  # mode 0111 + an 8-bit designator: the "length" field carries it
        mode = 0b0111

        def __len__(self):
            return eci

        def write(self, buffer):
            pass

    original = qrutil.length_in_bits

    def length_in_bits(mode, ver):
        return 8 if mode == EciHeader.mode else original(mode, ver)

    qr = qrcode.QRCode(version=version, border=4, box_size=module_px,
                       error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(qrutil.QRData(data, mode=qrutil.MODE_8BIT_BYTE))
    if eci is not None:
        qr.data_list.insert(0, EciHeader())
    with mock.patch.object(qrutil, "length_in_bits", length_in_bits):
        qr.make(fit=False)
    matrix = np.array(qr.get_matrix(), dtype=np.uint8)
    picture = np.where(matrix, 0, 255).astype(np.uint8)
    return np.kron(picture, np.ones((module_px, module_px), dtype=np.uint8))
