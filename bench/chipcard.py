"""Chip card identity read: APDUs and milliseconds from card insertion, per emulated profile.

Runs through the real stack (pcscd + vsmartcard-vpcd + the emulated card) at 0 and 30 ms per
APDU and prints a table. "detect" is insertion -> MediaInsertedEvent (pcscd polls vpcd about every
400 ms), "read" is the identity read itself, "total" both. Target: unionpay_debit <= 7 APDUs and
read < 300 ms at 30 ms/APDU.

    .venv/bin/python bench/chipcard.py [--repeat N] [--port 35964]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.chipcard.card_errors import ChipCardError  # noqa: E402
from drivers.chipcard.card_profile import profile_names  # noqa: E402
from drivers.chipcard.emulator import VpcdCardEmulator, vpcd_reader_name  # noqa: E402
from drivers.chipcard.pcsc import PcscReader  # noqa: E402
from drivers.chipcard.pcscd import ensure_pcscd  # noqa: E402


def wait_empty(reader: PcscReader) -> None:
    deadline = time.monotonic() + 3
    while reader.status()["media"] == "present" and time.monotonic() < deadline:
        time.sleep(0.01)


def measure(emu: VpcdCardEmulator, reader: PcscReader, profile: str) -> dict:
    wait_empty(reader)
    inserted = time.monotonic()
    emu.insert_card(profile)
    reader.wait_for_card(5)
    detected = time.monotonic()
    count = reader.apdu_count
    outcome = "ok"
    try:
        reader.read_identity()
    except ChipCardError as exc:
        outcome = exc.reason
    done = time.monotonic()
    emu.remove_card()
    return {"apdus": reader.apdu_count - count, "detect": (detected - inserted) * 1000,
            "read": (done - detected) * 1000, "total": (done - inserted) * 1000,
            "outcome": outcome}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=35964)
    args = parser.parse_args()
    ensure_pcscd()
    emu = VpcdCardEmulator(port=args.port, latency_ms=0)
    emu.start()
    reader = PcscReader("bench-chipcard", reader=vpcd_reader_name(args.port), timeout=5,
                        apdu_timeout=3)
    reader.open()
    print(f"{'profile':<16} {'ms/APDU':>7} {'APDUs':>5} {'detect ms':>9} {'read ms':>8} "
          f"{'total ms':>8}  outcome")
    try:
        for latency in (0, 30):
            emu.latency_ms = latency
            for profile in profile_names():
                runs = [measure(emu, reader, profile) for _ in range(args.repeat)]
                med = {k: statistics.median(r[k] for r in runs)
                       for k in ("apdus", "detect", "read", "total")}
                print(f"{profile:<16} {latency:>7} {med['apdus']:>5.0f} {med['detect']:>9.0f} "
                      f"{med['read']:>8.1f} {med['total']:>8.0f}  {runs[0]['outcome']}")
    finally:
        reader.close()
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
