"""Kill-test supervisor: forks a light worker that recovers, then runs transfers until it is
SIGKILLed at a random moment; repeats; finally recovers once more and prints a JSON summary.

    python tests/host/kill_worker.py --dir DIR --kills N --seed S [--iso HOST:PORT]

No SQLite connection is open in this process while it forks (children open their own).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.config import load_config  # noqa: E402
from kiosk.host.iso8583_client import Iso8583Client  # noqa: E402
from kiosk.host.models import TransferInstruction, TransferKind  # noqa: E402
from kiosk.host.sandbox import SandboxBank  # noqa: E402
from kiosk.host.sandbox_data import TEST_PIN  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.pin_block import encrypt_pin_block  # noqa: E402
from kiosk.risk import TransferRefused  # noqa: E402
from kiosk.transfers import TransferOrder, TransferService  # noqa: E402

# (card, from account number, payee number, payee name, kind): money flows both ways between
# 甲 and 丙.
ROUTES = (
    ("6222020000000000018", "6222020000000000018", "6222020000000000034", "测试丙",
     TransferKind.INTRABANK),
    ("6222020000000000018", "6222020000000000018", "6222020000000100016", "测试甲",
     TransferKind.OWN),
    ("6222020000000000018", "6222020000000000018", "6217000000000000012", "张测试",
     TransferKind.INTERBANK),
    ("6222020000000000034", "6222020000000000034", "6222020000000000018", "测试甲",
     TransferKind.INTRABANK),
)


def kiosk_config(folder: Path, iso: str | None):
    base = load_config()
    host = replace(base.host, backend="iso8583" if iso else "sandbox", plaintext_demo=True,
                   address=iso or base.host.address, database=str(folder / "sandbox.db"),
                   state=str(folder / "host_state.db"), timeout_s=2.0, reversal_timeout_s=2.0)
    risk = replace(base.risk, daily_limit_fen=10 ** 12)
    return replace(base, host=host, risk=risk,   # data_dir too: the checkpoints sit beside it
                   kiosk=replace(base.kiosk, data_dir=str(folder / "var")),
                   journal=replace(base.journal, path=str(folder / "journal.db")))


def open_service(config) -> TransferService:
    if config.host.backend == "iso8583":
        host = Iso8583Client.from_config(config)
    else:
        host = SandboxBank.from_config(config)
    return TransferService.from_config(config, host, Journal.from_config(config))


def work(config, seed: int, parent: int, ready_fd: int) -> None:
    service = open_service(config)
    service.recover()
    if not service.ready:
        os._exit(3)
    bank = SandboxBank.from_config(config)   # the same database the ISO 8583 host serves
    ids = bank.account_ids()
    bank.close()
    auth = {card: service.host.verify_pin(card, encrypt_pin_block(
        bytearray(int(c) for c in TEST_PIN), card, config.host.terminal_key_hex)).auth_ref for card, *_ in ROUTES}
    os.write(ready_fd, b"r")
    rng = random.Random(seed)
    while os.getppid() == parent:   # never outlive the supervisor
        card, account, payee, name, kind = rng.choice(ROUTES)
        order = TransferOrder(card, TransferInstruction(
            ids[account], payee, name, rng.randrange(100, 30_000), kind, auth_ref=auth[card]))
        try:
            service.transfer(order, fraud_warning_acknowledged=True, new_payee_acknowledged=True)
        except TransferRefused:
            pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--kills", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iso")
    args = parser.parse_args()
    config = kiosk_config(args.dir, args.iso)
    rng = random.Random(args.seed)
    kills = cycles = exited = 0
    started = time.monotonic()
    while kills < args.kills:
        cycles += 1
        ready_r, ready_w = os.pipe()
        seed = rng.randrange(1 << 30)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(ready_r)
                work(config, seed, os.getppid(), ready_w)
            finally:
                os._exit(4)
        os.close(ready_w)
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0, 0.03))   # during start-up and recovery
        else:
            # During transfers: wait until recovered (however loaded the machine), then a while.
            select.select([ready_r], [], [], 10)
            time.sleep(rng.uniform(0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.close(ready_r)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            kills += 1
        else:
            exited += 1
            if exited > 5:
                print(json.dumps({"error": f"worker exited with status {status}"}))
                return 2
    service = open_service(config)
    report = service.recover()
    print(json.dumps({"kills": kills, "cycles": cycles, "still_open": report.still_open,
                      "seconds": round(time.monotonic() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
