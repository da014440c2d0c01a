"""Fleet benchmark: many simulated kiosks publishing to one local mosquitto.

Each simulated kiosk is the real thing minus devices: an AlertCenter with its own SQLite outbox
and a FleetPublisher (own MQTT connection). Kiosks run in worker processes (paho waits with
select(), which cannot watch file descriptors above 1024, so one process holds ~60 kiosks).
The console side is a FleetMonitor, the object the staff page reads. Prints:
  1. fault-to-console latency: status change raised at a kiosk -> alert applied at the console
     (time.monotonic is one clock for every process on the machine)
  2. alerts raised while the broker is down for --outage seconds: how many arrive after it
     returns, and how long the backlog takes to drain.

    .venv/bin/python bench/fleet.py [--kiosks 500] [--outage 60] [--rate 200]
"""
from __future__ import annotations

import argparse
import getpass
import logging
import multiprocessing as mp
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

KIOSKS_PER_PROCESS = 60


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


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def worker(numbers: list[int], url: str, workdir: str, commands: mp.Queue,
           results: mp.Queue) -> None:
    """Runs some kiosks; obeys commands from the main process and answers each one."""
    logging.basicConfig(level=logging.ERROR)
    address = BrokerAddress.parse(url)
    kiosks = []
    for i in numbers:
        center = AlertCenter(AlertOutbox(Path(workdir) / f"k{i:04d}.db"),
                             kiosk_id=f"KSK-{i:04d}", branch=f"B{i % 20:02d}")
        fleet = FleetPublisher(center, address)
        fleet.start()
        kiosks.append((i, center, fleet))
    while True:
        command, arg = commands.get()
        if command == "connected":
            results.put(sum(f.connected for _, _, f in kiosks))
        elif command == "faults":  # arg: (start, gap): kiosk i raises at start + i * gap
            start, gap = arg
            raised = {}
            for i, center, _ in sorted(kiosks):
                at = start + i * gap
                while time.monotonic() < at:
                    time.sleep(max(0.0, at - time.monotonic()))
                began = time.monotonic()
                center.on_status(StatusChanged("printer", "printer", "paper", "full", "out"))
                raised[center.outbox.open_alert("printer.paper").alert_id] = began
            results.put(raised)
        elif command == "held":  # arg: alerts per kiosk
            ids = [c.raise_held_transfer(f"OUT{n}", 5_000_000 + n).alert_id
                   for n in range(arg) for _, c, _ in kiosks]
            results.put(ids)
        elif command == "unsent":
            results.put(sum(c.outbox.unsent_count() for _, c, _ in kiosks))
        elif command == "stop":
            for _, center, fleet in kiosks:
                fleet.stop()
                center.close()
            results.put(True)
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--outage", type=float, default=60.0, help="broker down, seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="faults raised per second")
    parser.add_argument("--per-kiosk", type=int, default=2, help="alerts per kiosk in outage")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        work = Path(tmp)
        broker = Broker(work)
        broker.start()
        url = f"mqtt://127.0.0.1:{broker.port}"

        arrivals: dict[str, float] = {}
        lock = threading.Lock()
        monitor = FleetMonitor(BrokerAddress.parse(url), client_id="console-bench",
                               history_limit=10)

        def on_event(kiosk: str, body: dict, received: float) -> None:
            if body["action"] in ("raised", "escalated"):
                with lock:
                    arrivals.setdefault(body["alert"]["alert_id"], received)
        monitor.on_event(on_event)
        monitor.start()
        assert monitor.wait_connected(10)

        t0 = time.monotonic()
        ctx = mp.get_context("spawn")
        groups = [list(range(n, min(n + KIOSKS_PER_PROCESS, args.kiosks)))
                  for n in range(0, args.kiosks, KIOSKS_PER_PROCESS)]
        workers = []
        for numbers in groups:
            commands, results = ctx.Queue(), ctx.Queue()
            proc = ctx.Process(target=worker, args=(numbers, url, tmp, commands, results),
                               daemon=True)
            proc.start()
            workers.append((proc, commands, results))

        def ask(command: str, arg=None, per_worker=None) -> list:
            for n, (_, commands, _) in enumerate(workers):
                commands.put((command, per_worker[n] if per_worker else arg))
            return [results.get(timeout=600) for _, _, results in workers]

        connected = wait_until(lambda: sum(ask("connected")) == args.kiosks, 120, 0.5)
        online = wait_until(lambda: sum(k["state"] == "online"
                                        for k in monitor.snapshot()["kiosks"]) == args.kiosks,
                            60)
        print(f"kiosks: {args.kiosks} in {len(workers)} processes; connected={connected} "
              f"all online at console={online} after {time.monotonic() - t0:.1f} s", flush=True)

        # 1. fault-to-console latency, faults raised at a steady rate across the fleet
        start = time.monotonic() + 1.0
        raised: dict[str, float] = {}
        for part in ask("faults", (start, 1.0 / args.rate)):
            raised.update(part)
        wait_until(lambda: len(arrivals.keys() & raised.keys()) == len(raised), 30)
        lat = sorted((arrivals[a] - raised[a]) * 1000 for a in raised if a in arrivals)
        p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
        print(f"fault-to-console latency, {len(raised)} faults at {args.rate:.0f}/s: "
              f"p50 {statistics.median(lat):.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms; "
              f"arrived {len(lat)}/{len(raised)}", flush=True)

        # 2. broker outage: alerts raised while it is down must all arrive after it returns
        broker.stop()
        down_at = time.monotonic()
        time.sleep(1.0)
        outage_ids = {a for part in ask("held", args.per_kiosk) for a in part}
        unsent = sum(ask("unsent"))
        print(f"broker down; {len(outage_ids)} alerts raised, {unsent} events waiting in "
              f"the outboxes", flush=True)
        time.sleep(max(0.0, args.outage - (time.monotonic() - down_at)))
        broker.start()
        back_at = time.monotonic()
        all_in = wait_until(lambda: len(arrivals.keys() & outage_ids) == len(outage_ids), 180,
                            0.1)
        arrived_in = time.monotonic() - back_at
        drained = wait_until(lambda: sum(ask("unsent")) == 0, 60, 0.5)
        got = len(arrivals.keys() & outage_ids)
        print(f"outage of {back_at - down_at:.0f} s: {got}/{len(outage_ids)} alerts arrived at "
              f"the console {'(all)' if all_in else '(SOME MISSING)'} within {arrived_in:.1f} s "
              f"of the broker's return; outboxes drained={drained}; duplicates discarded by "
              f"event id={monitor.duplicates}", flush=True)

        ask("stop")
        for proc, _, _ in workers:
            proc.join(10)
        monitor.stop()
        broker.stop()


if __name__ == "__main__":
    main()
