"""A real kiosk run for the log test: the core on emulated devices with the file log at DEBUG.

    python -m tests.core.privacy_run DATA_DIR

Transfers (one held, one flagged), the emulated camera reading a counter form with an ID number
and a mobile, the scanner reading a product EAN-13, then a clean stop. Prints nothing.
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

from kiosk.core import KioskCore
from kiosk.host.models import TransferInstruction, TransferKind
from kiosk.logging_setup import configure_logging
from kiosk.transfers import TransferOrder
from tests.harness import demo_config_in, pin_verified

PAN = "6222020000000000018"
PAYEE = ("6222020000000000034", "测试丙")


def _camera_state(core: KioskCore) -> str:
    camera = core.devices.device("camera")
    return camera.status().get("camera", "") if camera is not None else ""


def main(data_dir: Path) -> None:
    config = demo_config_in(data_dir, enabled=("camera",))
    camera = replace(config.devices.camera, emulator=replace(config.devices.camera.emulator,
                                                             clip=str(data_dir / "camera.avi")))
    config = replace(config, devices=replace(config.devices, camera=camera))
    configure_logging(data_dir / "log", "DEBUG", console=False)
    log = logging.getLogger("drivers.privacy_run")
    started = time.time()
    core = KioskCore(config)
    core.start()
    try:
        account_id = core.host.accounts(PAN)[0].account_id
        auth_ref = pin_verified(core.host, PAN, config.host.terminal_key_hex)
        for amount in (19_000, 19_000, 19_000, 25_000):
            order = TransferOrder(PAN, TransferInstruction(
                account_id, PAYEE[0], PAYEE[1], amount, TransferKind.INTRABANK, auth_ref=auth_ref))
            core.transfers.transfer(order, fraud_warning_acknowledged=True,
                                    new_payee_acknowledged=True)
        deadline = time.monotonic() + 10
        while core.devices.emulator("camera") is None or _camera_state(core) != "ok":
            if time.monotonic() > deadline:
                raise SystemExit("the emulated camera did not come up")
            time.sleep(0.05)
        core.devices.emulator("camera").perform("present_code", "account_opening_form")
        time.sleep(2.0)
        # what a running kiosk logs about time: epoch milliseconds, durations, monotonic clocks
        log.info("heartbeat ts=%d uptime=%r monotonic=%r", int(time.time() * 1000),
                 time.time() - started, time.monotonic())
        log.debug("tick at %d ns, %d us", time.time_ns(), time.time_ns() // 1000)
    finally:
        core.stop()
        for handler in logging.getLogger().handlers:
            handler.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
