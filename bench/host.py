"""Host link benchmark: prints transfer commit latency (p50/p99) in-process and over ISO 8583 on
loopback (plain TCP as in the demo, and mutual TLS with a throw-away CA), one keyed journal row
and the verify walk, and the start-up recovery time with 10,000 journal rows.

    .venv/bin/python bench/host.py [--transfers N] [--rows N]

A transfer "commit" is what the customer waits for: risk rules, STAN, PENDING row, host ledger
posting, APPROVED row (every write fsynced: WAL + synchronous=FULL).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.config import load_config  # noqa: E402
from kiosk.host.factory import open_host  # noqa: E402
from kiosk.host.models import TransferInstruction, TransferKind  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.pin_block import encrypt_pin_block  # noqa: E402
from kiosk.transfers import TransferOrder, TransferService  # noqa: E402
from tests.host.tls_ca import BankCA  # noqa: E402

PAN = "6222020000000000018"

PAYEES = (("6222020000000000034", "测试丙", TransferKind.INTRABANK),
          ("6217000000000000012", "张测试", TransferKind.INTERBANK))


def config_in(folder: Path, backend: str = "sandbox", address: str = "127.0.0.1:8583",
              **tls: str):
    base = load_config()
    host = replace(base.host, backend=backend, address=address,
                   database=str(folder / "sandbox.db"), state=str(folder / "host_state.db"),
                   plaintext_demo=not tls, **tls)
    return replace(base, host=host, risk=replace(base.risk, daily_limit_fen=10 ** 12),
                   journal=replace(base.journal, path=str(folder / "journal.db")),
                   kiosk=replace(base.kiosk, data_dir=str(folder / "data")))  # keys beside it


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_transfers(config, count: int) -> list[float]:
    host = open_host(config)
    journal = Journal.from_config(config)
    service = TransferService.from_config(config, host, journal)
    service.recover()
    account_id = host.accounts(PAN)[0].account_id
    auth_ref = host.verify_pin(PAN, encrypt_pin_block(bytearray([1, 2, 3, 4, 5, 6]), PAN,
                                                      config.host.terminal_key_hex)).auth_ref
    timings = []
    for i in range(count):
        number, name, kind = PAYEES[i % len(PAYEES)]
        order = TransferOrder(PAN, TransferInstruction(
            account_id, number, name, 100 + i % 7, kind, auth_ref=auth_ref))
        started = time.perf_counter()
        service.transfer(order, fraud_warning_acknowledged=True, new_payee_acknowledged=True)
        timings.append(time.perf_counter() - started)
    service.close()
    journal.close()
    host.close()
    return timings


def report(label: str, timings: list[float]) -> None:
    print(f"{label:38} n={len(timings):5d}  p50 {statistics.median(timings) * 1000:7.2f} ms  "
          f"p99 {percentile(timings, 0.99) * 1000:7.2f} ms")


def bench_iso(folder: Path, count: int, tls: bool) -> list[float]:
    toml = folder / "serve.toml"
    toml.write_text(f'[host]\ndatabase = "{folder / "sandbox.db"}"\n')
    if tls:
        ca = BankCA(folder / "ca")
        host_cert, host_key = ca.issue("bank-host", server=True)
        cert, key = ca.issue("KSK00001")
        flags = ["--tls-ca", str(ca.ca_path), "--tls-cert", str(host_cert), "--tls-key",
                 str(host_key)]
        client_tls = {"tls_ca": str(ca.ca_path), "tls_cert": str(cert), "tls_key": str(key)}
    else:
        flags, client_tls = ["--plaintext-demo"], {}
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "host", "serve", "--config", str(toml),
                               "--listen", "127.0.0.1:0", *flags], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        address = server.stdout.readline().split(" on ")[-1].strip()
        return time_transfers(config_in(folder, "iso8583", address, **client_tls), count)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def bench_recovery(folder: Path, rows: int, open_transfers: int) -> tuple[float, int, int]:
    config = config_in(folder)
    host = open_host(config)
    journal = Journal.from_config(config)
    service = TransferService.from_config(config, host, journal)
    service.recover()
    service.close()
    while journal.count() < rows - open_transfers:   # closed transfers and device events
        i = journal.count()
        journal.record("transfer.pending", ref=f"OLD:{i}", stan=i, amount_fen=100)
        journal.record("transfer.approved", ref=f"OLD:{i}", stan=i, amount_fen=100)
        journal.record("device.status", device="printer", status="online")
    for stan in range(900_000, 900_000 + open_transfers):  # left PENDING by a "crash"
        journal.record("transfer.pending", ref=f"{config.host.terminal_id}:{stan:06d}", stan=stan,
                       amount_fen=100, from_account_id="A0001", transmitted_at="0101000000")
    total = journal.count()
    journal.close()
    started = time.perf_counter()   # what a restart does: open everything, recover
    journal = Journal.from_config(config)
    service = TransferService.from_config(config, host, journal)
    result = service.recover()
    elapsed = time.perf_counter() - started
    assert service.ready and result.open_found == open_transfers
    service.close()
    journal.close()
    host.close()
    return elapsed, total, open_transfers


def bench_journal(folder: Path, count: int) -> None:
    """One journal row as a transfer writes it (keyed MAC, fsynced), and the verify walk."""
    journal = Journal.from_config(config_in(folder))
    timings = []
    for i in range(count):
        started = time.perf_counter()
        journal.record("transfer.approved", ref=f"KSK00001:20260302:{i:06d}", stan=i,
                       amount_fen=100, pan="6222020000000000018", card_key="ab" * 16)
        timings.append(time.perf_counter() - started)
    journal.checkpoint()
    marks = len(journal.checkpoints.of(journal.journal_id))
    started = time.perf_counter()
    assert journal.verify().ok
    walked = time.perf_counter() - started
    journal.close()
    report("journal append (HMAC row)", timings)
    print(f"  {marks} checkpoints written in the background; verify of {count} rows against "
          f"them: {walked * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=300)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("transfer commit, in-process sandbox", time_transfers(config_in(Path(tmp)),
                                                                     args.transfers))
    with tempfile.TemporaryDirectory() as tmp:
        report("transfer commit, ISO 8583 loopback", bench_iso(Path(tmp), args.transfers, False))
    with tempfile.TemporaryDirectory() as tmp:
        report("transfer commit, ISO 8583 mutual TLS", bench_iso(Path(tmp), args.transfers, True))
    with tempfile.TemporaryDirectory() as tmp:
        bench_journal(Path(tmp), 2_000)
    with tempfile.TemporaryDirectory() as tmp:
        elapsed, total, pending = bench_recovery(Path(tmp), args.rows, 10)
        print(f"start-up recovery, {total} journal rows, {pending} PENDING: "
              f"{elapsed * 1000:.1f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
