"""Fleet benchmark: many simulated kiosks publishing to one local mosquitto.

Each simulated kiosk is the real thing minus devices: an AlertCenter with its own SQLite outbox
and a FleetPublisher (own MQTT connection). The console side is a FleetMonitor, the object the
staff page reads. Prints:
  1. fault-to-console latency (status event raised at a kiosk -> alert applied at the console)
  2. alerts raised while the broker is down for --outage seconds: how many arrive after it
     returns, and how long the backlog takes to drain.

    .venv/bin/python bench/fleet.py [--kiosks 500] [--outage 60] [--rate 200]
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.base import StatusChanged  # noqa: E402
from kiosk.alerts import AlertCenter  # noqa: E402
from kiosk.alerts.outbox import AlertOutbox  # noqa: E402
from kiosk.fleet.broker import BrokerAddress  # noqa: E402
from kiosk.fleet.monitor import FleetMonitor  # noqa: E402
from kiosk.fleet.publisher import FleetPublisher  # noqa: E402


class Broker:
    def __init__(self, workdir: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                             f"max_queued_messages 100000\npersistence true\n"
                             f"persistence_location {workdir}/\n"
                             f"log_dest file {workdir}/mosquitto.log\n"
                             f"user {getpass.getuser()}\n")  # stay able to write workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(250):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise SystemExit("mosquitto did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--outage", type=float, default=60.0, help="broker down, seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="faults raised per second")
    parser.add_argument("--per-kiosk", type=int, default=2, help="alerts per kiosk in outage")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 16 * args.kiosks)), hard))

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        broker = Broker(work)
        broker.start()
        url = f"mqtt://127.0.0.1:{broker.port}"
        address = BrokerAddress.parse(url)

        arrivals: dict[str, float] = {}
        lock = threading.Lock()
        monitor = FleetMonitor(address, client_id="console-bench", history_limit=10)

        def on_event(kiosk: str, body: dict, received: float) -> None:
            if body["action"] in ("raised", "escalated"):
                with lock:
                    arrivals.setdefault(body["alert"]["alert_id"], received)
        monitor.on_event(on_event)
        monitor.start()
        assert monitor.wait_connected(10)

        t0 = time.monotonic()
        kiosks: list[tuple[AlertCenter, FleetPublisher]] = []
        for i in range(args.kiosks):
            center = AlertCenter(AlertOutbox(work / f"k{i:04d}.db"), kiosk_id=f"KSK-{i:04d}",
                                 branch=f"B{i % 20:02d}")
            fleet = FleetPublisher(center, address)
            fleet.start()
            kiosks.append((center, fleet))
        connected = wait_until(lambda: all(f.connected for _, f in kiosks), 60)
        online = wait_until(lambda: sum(k["state"] == "online"
                                        for k in monitor.snapshot()["kiosks"]) == args.kiosks,
                            30)
        print(f"kiosks: {args.kiosks} connected={connected} all online at console={online} "
              f"in {time.monotonic() - t0:.1f} s; threads={threading.active_count()}")

        # 1. fault-to-console latency, faults raised at a steady rate across the fleet
        raised: dict[str, float] = {}
        gap = 1.0 / args.rate
        next_at = time.monotonic()
        for center, _ in kiosks:
            while time.monotonic() < next_at:
                time.sleep(next_at - time.monotonic())
            start = time.monotonic()
            center.on_status(StatusChanged("printer", "printer", "paper", "full", "out"))
            alert = center.outbox.open_alert("printer.paper")
            raised[alert.alert_id] = start
            next_at += gap
        wait_until(lambda: len(arrivals.keys() & raised.keys()) == len(raised), 30)
        lat = [(arrivals[a] - raised[a]) * 1000 for a in raised if a in arrivals]
        print(f"fault-to-console latency over {len(lat)} faults at {args.rate:.0f}/s: "
              f"p50 {statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms, "
              f"max {max(lat):.1f} ms; arrived {len(lat)}/{len(raised)}")

        # 2. broker outage: alerts raised while it is down must all arrive after it returns
        broker.stop()
        down_at = time.monotonic()
        wait_until(lambda: not any(f.connected for _, f in kiosks), 15)
        outage_ids: set[str] = set()
        for n in range(args.per_kiosk):
            for center, _ in kiosks:
                alert = center.raise_held_transfer(f"OUT{n}", 5_000_000 + n)
                outage_ids.add(alert.alert_id)
        unsent = sum(c.outbox.unsent_count() for c, _ in kiosks)
        remaining = args.outage - (time.monotonic() - down_at)
        print(f"broker down; {len(outage_ids)} alerts raised, {unsent} events waiting in "
              f"outboxes; waiting {max(0, remaining):.0f} s more")
        time.sleep(max(0.0, remaining))
        broker.start()
        back_at = time.monotonic()
        all_in = wait_until(lambda: len(arrivals.keys() & outage_ids) == len(outage_ids), 120,
                            0.1)
        drained = wait_until(lambda: sum(c.outbox.unsent_count() for c, _ in kiosks) == 0, 60)
        got = len(arrivals.keys() & outage_ids)
        print(f"outage of {back_at - down_at:.0f} s: "
              f"{got}/{len(outage_ids)} alerts arrived at the console "
              f"{'(all)' if all_in else '(SOME LOST)'} within {time.monotonic() - back_at:.1f} s "
              f"of the broker's return; outboxes drained={drained}; "
              f"duplicates discarded by event id={monitor.duplicates}")

        for center, fleet in kiosks:
            fleet.stop()
            center.close()
        monitor.stop()
        broker.stop()


if __name__ == "__main__":
    main()
