"""Session state machine benchmark: prints transition latency and memory over many customers.

    .venv/bin/python bench/session.py [--sessions 1000]

Each simulated customer walks attract -> menu -> (help, back) -> ticket -> identify (skip) ->
service -> ticket issued -> rating -> goodbye -> attract, one session after another on the same
Session with the in-process sandbox bank and a journal (no devices, so the figures are the
state machine's own). Prints the median and 99th percentile time from `send()` to the new state
reaching a subscriber, and resident memory before and after (issue 8 target: transitions well
under 100 ms; memory grows less than 10 MB over 1,000 sessions).
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.config import KioskConfig  # noqa: E402
from kiosk.host.sandbox import SandboxBank  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.session.clock import ManualClock  # noqa: E402
from kiosk.session.machine import Session  # noqa: E402
from kiosk.session.services import Services  # noqa: E402
from kiosk.session.states import Step  # noqa: E402

JOURNEY = [("start", {}), ("help", {}), ("done", {}), ("choose", {"option": "ticket"}),
           ("skip", {}), ("choose", {"service": "general"}), ("done", {}),
           ("rate", {"score": 5})]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = KioskConfig()
        bank = SandboxBank(Path(folder) / "bank.db", terminal_key_hex=config.host.terminal_key_hex)
        bank.seed()
        journal = Journal(Path(folder) / "journal.db")
        clock = ManualClock()
        session = Session(config, Services(host=bank, journal=journal), now=clock)
        arrived: list[float] = []
        session.subscribe(lambda state: arrived.append(time.perf_counter()))
        latencies: list[float] = []

        def customer() -> None:
            for action, kwargs in JOURNEY:
                sent = time.perf_counter()
                count = len(arrived)
                assert session.send(action, **kwargs), (action, session.state.step)
                session.wait_idle()
                assert len(arrived) > count
                latencies.append(arrived[-1] - sent)
            clock.advance(10)
            session.tick()
            assert session.state.step == Step.ATTRACT

        for _ in range(20):  # warm up caches and lazy imports
            customer()
        gc.collect()
        before = rss_mb()
        latencies.clear()
        started = time.perf_counter()
        for _ in range(args.sessions):
            customer()
        elapsed = time.perf_counter() - started
        gc.collect()
        after = rss_mb()
        session.close()
        journal.close()
        bank.close()
    ms = sorted(x * 1000 for x in latencies)
    print(f"sessions: {args.sessions} ({len(ms)} transitions) in {elapsed:.2f} s")
    print(f"transition send->state: median {statistics.median(ms):.3f} ms, "
          f"p99 {ms[int(len(ms) * 0.99)]:.3f} ms, max {ms[-1]:.3f} ms")
    print(f"resident memory: {before:.1f} MB -> {after:.1f} MB "
          f"(growth {after - before:+.2f} MB over {args.sessions} sessions)")


if __name__ == "__main__":
    main()
