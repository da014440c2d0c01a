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

With --console, the staff console at bank scale instead: --kiosks simulated kiosks (retained
status and alert events, published from several processes) on one mosquitto, the console
(FleetMonitor + ConsoleServer) in a process of its own, --browsers live pages reading its
server-sent events. Prints the first snapshot's size and build time, the bytes each browser
gets for a single change, fault-to-browser latency, and the console's CPU while it all runs.

    .venv/bin/python bench/fleet.py --console [--kiosks 10000] [--browsers 20] [--rate 50]

With --paging, what one console page costs at that scale with the server's filter and paging
(kiosk.console.views): for the whole fleet, the first page (every kiosk needing attention and
60 healthy ones), a region, a branch: kiosks sent, bytes, the time to build the fleet's
snapshot, to filter and encode the page, and a GET /api/state end to end.

    .venv/bin/python bench/fleet.py --paging [--kiosks 10000] [--attention 100]

With --service, the fleet service: --kiosks simulated kiosks raise --per-kiosk alerts each while
two `kiosk fleet-service` processes store them in a local PostgreSQL (Debian's, started here);
one service is killed and restarted and the broker restarted mid-stream. Prints how many
events were stored (each exactly once?) and how fast.

    .venv/bin/python bench/fleet.py --service [--kiosks 10000] [--per-kiosk 2]
"""
from __future__ import annotations

import argparse
import getpass
import logging
import multiprocessing as mp
import os
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
PG_BIN = Path("/usr/lib/postgresql/15/bin")


class LocalPostgres:
    """A private PostgreSQL cluster on a unix socket (as root: as the package's `postgres`)."""

    def __init__(self) -> None:
        import os
        import shutil
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.root.chmod(0o755)
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dsn = f"host={self.root} dbname=postgres user=postgres"

    def start(self) -> "LocalPostgres":
        data = str(self.root / "data")
        subprocess.run([*self.as_user, str(PG_BIN / "initdb"), "-D", data, "-A", "trust",
                        "-U", "postgres", "--no-sync"], check=True, capture_output=True)
        subprocess.run([*self.as_user, str(PG_BIN / "pg_ctl"), "-D", data, "-l",
                        str(self.root / "log"), "-w", "-o",
                        f"-k {self.root} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True)
        return self

    def stop(self) -> None:
        import shutil
        subprocess.run([*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"),
                        "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


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


CONSOLE_SCRIPT = """
import json, sys, time, logging
from urllib.parse import parse_qsl
logging.basicConfig(level=logging.ERROR)
from kiosk.console.server import ConsoleServer
from kiosk.console.views import KioskView
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
REGIONS = {f"B{b:03d}": f"R{b % 10}" for b in range(500)}   # 500 branches in 10 regions
monitor = FleetMonitor(BrokerAddress.parse(sys.argv[1]), client_id="console-bench")
server = ConsoleServer(monitor, {"bench": sys.argv[2]}, listen="127.0.0.1:0",
                       page_info={"regions": REGIONS})
monitor.start()
server.start()
print(server.url, flush=True)
while True:
    line = sys.stdin.readline()
    if not line or line.strip() == "stop":
        break
    if line.startswith("page"):   # page QUERY: one page as /api/state builds it, timed
        view = KioskView.from_query(dict(parse_qsl(line[4:].strip())), lambda b: True, REGIONS)
        started = time.perf_counter()
        snapshot = monitor.snapshot(view.shows, limit=view.limit)
        built = time.perf_counter()
        page = view.page(snapshot)
        size = len(json.dumps(page, ensure_ascii=False).encode())
        done = time.perf_counter()
        print(len(page["kiosks"]), page["total"], size, built - started, done - built,
              flush=True)
        continue
    kiosks = len(monitor.snapshot()["kiosks"])
    started = time.perf_counter()
    snapshot = monitor.snapshot()
    size = len(json.dumps(snapshot, ensure_ascii=False))
    print(kiosks, size, time.perf_counter() - started, flush=True)
server.stop()
monitor.stop()
"""
HEALTHY = {"printer": {"device": "online", "paper": "full"},
           "chipcard": {"device": "online", "media": "notPresent", "chipPower": "noCard"},
           "idcard": {"device": "online", "sam": "ok"},
           "scanner": {"device": "online", "scanner": "on"}}


def simulator(numbers: list[int], url: str, commands: mp.Queue, results: mp.Queue) -> None:
    """Publishes the retained status of many simulated kiosks, then faults on command."""
    import json
    import os

    import paho.mqtt.client as mqtt
    address = BrokerAddress.parse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(1000)
    client.connect(address.host, address.port)
    client.loop_start()
    now = time.time()
    for i in numbers:
        body = {"state": "online", "at": now, "devices": HEALTHY, "alerts": [],
                "version": "0.1.0", "started_at": now - 3600}
        client.publish(f"bank/B{i % 500:03d}/KSK-{i:05d}/status", json.dumps(body), qos=1,
                       retain=True)
    results.put(len(numbers))
    while True:
        command, arg = commands.get()
        if command == "faults":  # arg: list of (kiosk number, monotonic time to raise at)
            sent = {}
            for i, at in arg:
                while time.monotonic() < at:
                    time.sleep(max(0.0, at - time.monotonic()))
                alert_id = os.urandom(8).hex()
                wall = time.time()
                alert = {"alert_id": alert_id, "key": "printer.paper", "kind": "fault",
                         "device": "printer", "code": "printer.paper.out",
                         "severity": "fault", "message": "printer: load a new roll",
                         "state": "raised", "raised_at": wall, "updated_at": wall, "count": 1,
                         "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None,
                         "data": {}}
                sent[alert_id] = time.monotonic()
                client.publish(f"bank/B{i % 500:03d}/KSK-{i:05d}/event/printer",
                               json.dumps({"event_id": os.urandom(16).hex(), "action": "raised",
                                           "at": wall, "alert": alert}), qos=1)
            results.put(sent)
        elif command == "stop":
            client.disconnect()
            client.loop_stop()
            results.put(True)
            return


def login(url: str, password: str):
    """(an HTTP connection to the console, the staff session's cookie) for the user bench."""
    import http.client
    from urllib.parse import urlencode
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.request("GET", "/login")
    reply = conn.getresponse()
    form_page = reply.read().decode()
    login_cookie = reply.getheader("Set-Cookie").split(";")[0]
    token = form_page.split('name="csrf" value="')[1].split('"')[0]
    body = urlencode({"user": "bench", "password": password, "csrf": token})
    conn.request("POST", "/login", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie})
    reply = conn.getresponse()
    reply.read()
    cookie = [c for c in reply.headers.get_all("Set-Cookie") if
              c.startswith("kiosk_console=")][0].split(";")[0]
    return conn, cookie


class Browser(threading.Thread):
    """A staff page's live stream: records when each alert id arrives and each delta's size."""

    def __init__(self, url: str, password: str):
        super().__init__(daemon=True)
        self.conn, cookie = login(url, password)
        self.conn.request("GET", "/api/events", headers={"Cookie": cookie})
        self.stream = self.conn.getresponse()
        self.snapshot_bytes = 0
        self.deltas: list[int] = []
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()

    def run(self) -> None:
        import re
        ids = re.compile(r'"alert_id":"([0-9a-f]{16})"')
        kind = ""
        for raw in self.stream:
            line = raw.decode()
            if line.startswith("event: "):
                kind = line[7:].strip()
            elif line.startswith("data: "):
                now = time.monotonic()
                if kind == "snapshot":
                    self.snapshot_bytes = len(raw)
                    self.ready.set()
                else:
                    self.deltas.append(len(raw))
                    for alert_id in ids.findall(line):
                        self.seen.setdefault(alert_id, now)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class ConsoleRig:
    """--kiosks simulated kiosks' retained status on one mosquitto (several processes), and the
    console (FleetMonitor + ConsoleServer) in a process of its own once it holds them all."""
    password = "bench password"

    def __init__(self, args: argparse.Namespace, workdir: Path):
        from kiosk.console.passwords import hash_password
        self.kiosks = args.kiosks
        self.broker = Broker(workdir)
        self.broker.start()
        url = f"mqtt://127.0.0.1:{self.broker.port}"
        ctx = mp.get_context("spawn")
        self.per = -(-args.kiosks // args.processes)
        self.sims = []
        for n in range(0, args.kiosks, self.per):
            commands, results = ctx.Queue(), ctx.Queue()
            proc = ctx.Process(target=simulator, args=(list(range(n, min(n + self.per,
                                                                         args.kiosks))),
                                                       url, commands, results), daemon=True)
            proc.start()
            self.sims.append((proc, commands, results))
        t0 = time.monotonic()
        total = sum(results.get(timeout=300) for _, _, results in self.sims)
        self.console = subprocess.Popen([sys.executable, "-c", CONSOLE_SCRIPT, url,
                                         hash_password(self.password)],
                                        cwd=Path(__file__).resolve().parent.parent,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.console.stdout.readline().strip()
        wait_until(lambda: self.measure()[0] >= total, 120, 0.5)
        self.loaded_in = time.monotonic() - t0

    def ask(self, line: str) -> list[str]:
        self.console.stdin.write(line + "\n")
        self.console.stdin.flush()
        return self.console.stdout.readline().split()

    def measure(self) -> tuple[int, int, float]:
        """(kiosks the console holds, bytes of its full snapshot, seconds to build it)"""
        kiosks, size, took = self.ask("measure")
        return int(kiosks), int(size), float(took)

    def faults(self, plan: list[tuple[int, float]]) -> dict[str, float]:
        """Raise a fault at kiosk i at monotonic time t for each (i, t); alert id -> sent at."""
        parts = [[] for _ in self.sims]
        for i, at in plan:
            parts[i // self.per].append((i, at))
        for (_, commands, _), part in zip(self.sims, parts):
            commands.put(("faults", part))
        sent = {}
        for _, _, results in self.sims:
            sent.update(results.get(timeout=600))
        return sent

    def stop(self) -> None:
        self.console.stdin.write("stop\n")
        self.console.stdin.flush()
        self.console.wait(20)
        for _, commands, results in self.sims:
            commands.put(("stop", None))
            results.get(timeout=30)
        self.broker.stop()


def console_bench(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        rig = ConsoleRig(args, Path(tmp))
        kiosks, size, took = rig.measure()
        print(f"console: {kiosks} kiosks from {len(rig.sims)} simulator processes in "
              f"{rig.loaded_in:.1f} s; one full snapshot {size / 1e6:.2f} MB of JSON, "
              f"built in {took * 1000:.0f} ms (sent once, when a page opens)", flush=True)

        browsers = [Browser(rig.url, rig.password) for _ in range(args.browsers)]
        for browser in browsers:
            browser.start()
        assert all(b.ready.wait(120) for b in browsers), "a page never got its snapshot"
        print(f"{len(browsers)} pages open; first snapshot {browsers[0].snapshot_bytes / 1e6:.2f}"
              f" MB each", flush=True)

        # A single change at a time: what each browser receives for it.
        before = [len(b.deltas) for b in browsers]
        start = time.monotonic() + 0.5
        sent = rig.faults([(n * 997 % args.kiosks, start + n * 0.3) for n in range(10)])
        wait_until(lambda: all(sent.keys() <= b.seen.keys() for b in browsers), 10)
        single = [size for b, n in zip(browsers, before) for size in b.deltas[n:]]
        print(f"single change: {statistics.median(single):.0f} bytes per browser update "
              f"(max {max(single)}), {len(single) / len(browsers):.0f} updates per page for "
              f"10 faults", flush=True)

        # A steady stream of faults across the fleet: latency to every page, console CPU.
        cpu0, wall0 = cpu_seconds(rig.console.pid), time.monotonic()
        start = wall0 + 0.5
        count = int(args.rate * args.seconds)
        sent = rig.faults([(n * 7919 % args.kiosks, start + n / args.rate)
                           for n in range(count)])
        wait_until(lambda: all(sent.keys() <= b.seen.keys() for b in browsers), 30)
        cpu = (cpu_seconds(rig.console.pid) - cpu0) / (time.monotonic() - wall0)
        lat = [(b.seen[a] - t) * 1000 for b in browsers for a, t in sent.items() if a in b.seen]
        missing = len(sent) * len(browsers) - len(lat)
        print(f"fault to browser, {count} faults at {args.rate:.0f}/s to {len(browsers)} pages: "
              f"p50 {statistics.median(lat):.0f} ms, p99 {percentile(lat, 0.99):.0f} ms, "
              f"max {max(lat):.0f} ms; missing {missing}; console CPU {cpu * 100:.0f}% of one "
              f"core", flush=True)
        rig.stop()


PAGES = [("the whole fleet, unpaged", ""), ("first page (60 healthy)", "limit=60"),
         ("after 'show more' twice", "limit=300"), ("one region of 10, paged", "region=R3&limit=60"),
         ("one branch (20 kiosks)", "branch=B042&limit=60")]


def paging_bench(args: argparse.Namespace) -> None:
    """What one page costs at bank scale: server-side filter and paging (kiosk.console.views)
    with --kiosks kiosks, --attention of them with an open alert (always sent)."""
    with tempfile.TemporaryDirectory(prefix="bench-paging-") as tmp:
        rig = ConsoleRig(args, Path(tmp))
        start = time.monotonic() + 0.2
        step = max(1, args.kiosks // max(1, args.attention))
        rig.faults([(i, start + n * 0.002) for n, i in
                    enumerate(range(0, args.kiosks, step)[:args.attention])])
        wait_until(lambda: int(rig.ask("page limit=0")[0]) >= args.attention, 60, 0.2)
        kiosks, size, took = rig.measure()
        print(f"paging: {kiosks} kiosks in the console ({args.attention} with an open alert), "
              f"loaded in {rig.loaded_in:.1f} s; median of {args.repeat} per row", flush=True)
        conn, cookie = login(rig.url, rig.password)
        print(f"{'page':<28} {'kiosks':>7} {'of':>6} {'bytes':>10} {'snapshot':>9} "
              f"{'filter+JSON':>12} {'GET /api/state':>15}", flush=True)
        for name, query in PAGES:
            runs = []
            for _ in range(args.repeat):
                shown, total, size, snap, page = rig.ask(f"page {query}")
                began = time.perf_counter()
                conn.request("GET", "/api/state" + (f"?{query}" if query else ""),
                             headers={"Cookie": cookie})
                body = conn.getresponse().read()
                runs.append((int(shown), int(total), int(size), float(snap), float(page),
                             time.perf_counter() - began, len(body)))
            shown, total, size = runs[-1][:3]
            snap, page, http = (statistics.median(r[i] for r in runs) for i in (3, 4, 5))
            print(f"{name:<28} {shown:>7} {total:>6} {size:>10,} {snap * 1000:>7.0f} ms "
                  f"{page * 1000:>9.1f} ms {http * 1000:>12.0f} ms "
                  f"({runs[-1][6]:,} bytes)", flush=True)
        conn.close()
        rig.stop()


def burst(numbers: list[int], url: str, per_kiosk: int, results: mp.Queue) -> None:
    """Each simulated kiosk raises `per_kiosk` alerts (QoS 1, unique event ids)."""
    import json

    import paho.mqtt.client as mqtt
    address = BrokerAddress.parse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"burst-{numbers[0]}",
                         clean_session=False)
    client.max_inflight_messages_set(200)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(0.2, 1.0)
    client.connect(address.host, address.port)
    client.loop_start()
    infos = []
    for n in range(per_kiosk):
        for i in numbers:
            at = time.time()
            alert = {"alert_id": f"a{i:05d}-{n}", "key": "help", "kind": "help", "device": "",
                     "code": "help.requested", "severity": "fault", "message": "help",
                     "state": "raised", "raised_at": at, "updated_at": at, "count": 1,
                     "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None,
                     "data": {}}
            infos.append(client.publish(f"bank/B{i % 500:03d}/KSK-{i:05d}/event/kiosk",
                                        json.dumps({"event_id": f"e{i:05d}-{n}",
                                                    "action": "raised", "at": at,
                                                    "alert": alert}), qos=1))
    for info in infos:
        while not info.is_published():
            time.sleep(0.01)
    client.disconnect()
    client.loop_stop()
    results.put(len(infos))


def service_bench(args: argparse.Namespace) -> None:
    from kiosk.fleet.service import FleetStore
    repo = Path(__file__).resolve().parent.parent
    postgres = LocalPostgres().start()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        broker = Broker(Path(tmp))
        broker.start()
        url = f"mqtt://127.0.0.1:{broker.port}"
        config = Path(tmp) / "fleet.toml"
        config.write_text(f'[kiosk]\ndata_dir = "{tmp}"\n', encoding="utf-8")

        def service(name: str) -> subprocess.Popen:
            proc = subprocess.Popen([sys.executable, "-m", "kiosk", "fleet-service", "--config",
                                     str(config), "--mqtt", url, "--dsn", postgres.dsn, "--id",
                                     name], cwd=repo, stdout=subprocess.PIPE, text=True)
            proc.stdout.readline()
            return proc
        services = {name: service(name) for name in ("fleet-1", "fleet-2")}
        store = FleetStore(postgres.dsn)
        expected = args.kiosks * args.per_kiosk

        def stored() -> int:
            return store.query("SELECT count(*) FROM fleet_events")[0][0]
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        per = -(-args.kiosks // args.processes)
        t0 = time.monotonic()
        procs = [ctx.Process(target=burst, args=(list(range(n, min(n + per, args.kiosks))), url,
                                                 args.per_kiosk, results), daemon=True)
                 for n in range(0, args.kiosks, per)]
        for proc in procs:
            proc.start()
        wait_until(lambda: stored() >= expected // 4, 120, 0.05)
        services["fleet-1"].kill()  # mid-stream: what it had not acknowledged comes again
        services["fleet-1"].wait()
        killed_at = stored()
        wait_until(lambda: stored() >= expected // 2, 120, 0.05)
        broker.stop()
        broker.start()
        restarted_at = stored()
        services["fleet-1"] = service("fleet-1")
        published = sum(results.get(timeout=600) for _ in procs)
        all_in = wait_until(lambda: stored() >= expected, 300, 0.1)
        took = time.monotonic() - t0
        time.sleep(2.0)
        count = stored()
        distinct = store.query("SELECT count(DISTINCT event_id) FROM fleet_events")[0][0]
        print(f"fleet service: {args.kiosks} kiosks x {args.per_kiosk} alerts = {expected} "
              f"events ({published} published) from {len(procs)} processes, 2 consumers "
              f"sharing one subscription; one killed at {killed_at} stored, broker restarted at "
              f"{restarted_at}: stored {count} rows, {distinct} distinct, "
              f"{'none lost' if count == expected else 'SOME LOST'}, "
              f"{'no duplicates' if distinct == count else 'DUPLICATES'}; all in={all_in} "
              f"after {took:.1f} s ({count / took:.0f} events/s)", flush=True)
        for proc in services.values():
            proc.kill()
            proc.wait()
            proc.stdout.close()
        store.close()
        broker.stop()
    postgres.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", action="store_true",
                        help="the fleet service into PostgreSQL (see above)")
    parser.add_argument("--console", action="store_true",
                        help="the staff console at bank scale (see above)")
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4, help="simulator processes")
    parser.add_argument("--seconds", type=float, default=20.0, help="--console fault stream")
    parser.add_argument("--kiosks", type=int, default=500)
    parser.add_argument("--outage", type=float, default=60.0, help="broker down, seconds")
    parser.add_argument("--rate", type=float, default=200.0, help="faults raised per second")
    parser.add_argument("--per-kiosk", type=int, default=2, help="alerts per kiosk in outage")
    parser.add_argument("--paging", action="store_true",
                        help="what one console page costs with --kiosks kiosks (see above)")
    parser.add_argument("--attention", type=int, default=100,
                        help="--paging: kiosks with an open alert")
    parser.add_argument("--repeat", type=int, default=5, help="--paging: runs per page")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.console:
        console_bench(args)
        return
    if args.paging:
        paging_bench(args)
        return
    if args.service:
        service_bench(args)
        return

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
