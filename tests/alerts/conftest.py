"""A real mosquitto on a free loopback port (stoppable, restartable) and a webhook sink."""
from __future__ import annotations

import contextlib
import getpass
import json
import socket
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    def __init__(self, workdir: Path, extra: str = "allow_anonymous true\n", tls: bool = False):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"{'mqtts' if tls else 'mqtt'}://127.0.0.1:{self.port}"
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n{extra}"
            f"persistence true\npersistence_location {workdir}/\n"
            f"log_dest file {workdir}/mosquitto.log\n"
            # started as root, mosquitto drops to user `mosquitto`, which cannot write here
            f"user {getpass.getuser()}\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.02)
        raise RuntimeError(f"mosquitto did not start on port {self.port}: "
                           f"{(self.workdir / 'mosquitto.log').read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None


class LateSubscriptions:
    """A TCP relay in front of a broker that hands the broker each SUBSCRIBE `hold_s` late while
    every other packet passes at once: a broker that grants subscriptions late (a cluster
    spreading them to its nodes) and routes publishes meanwhile."""

    def __init__(self, broker_port: int, hold_s: float):
        self.broker_port = broker_port
        self.hold_s = hold_s
        self.held = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            broker = socket.create_connection(("127.0.0.1", self.broker_port))
            self._sockets += [client, broker]
            lock = threading.Lock()
            threading.Thread(target=self._to_broker, args=(client, broker, lock),
                             daemon=True).start()
            threading.Thread(target=self._copy, args=(broker, client), daemon=True).start()

    @staticmethod
    def _read(sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def _to_broker(self, client: socket.socket, broker: socket.socket,
                   lock: threading.Lock) -> None:
        def send(packet: bytes) -> None:
            with lock, contextlib.suppress(OSError):
                broker.sendall(packet)
        try:
            while True:   # one MQTT packet: type byte, remaining length (varint), body
                head = self._read(client, 1)
                length, shift, size = 0, 0, b""
                while True:
                    byte = self._read(client, 1)
                    size += byte
                    length |= (byte[0] & 0x7F) << shift
                    shift += 7
                    if not byte[0] & 0x80:
                        break
                packet = head + size + self._read(client, length)
                if head[0] >> 4 == 8:   # SUBSCRIBE
                    self.held += 1
                    threading.Timer(self.hold_s, send, (packet,)).start()
                else:
                    send(packet)
        except OSError:
            with contextlib.suppress(OSError):
                broker.close()

    @staticmethod
    def _copy(source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            target.close()


@pytest.fixture
def mosquitto(tmp_path):
    broker = Mosquitto(tmp_path)
    broker.start()
    yield broker
    broker.stop()


class Sink:
    """Records every POST; answers errcode 0, or a failure for the first `fail_first` posts."""

    def __init__(self, fail_first: int = 0):
        self.posts: list[tuple[str, dict, dict]] = []
        self.fail_first = fail_first
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                with sink.lock:
                    sink.posts.append((url.path, query, body))
                    failing = len(sink.posts) <= sink.fail_first
                reply = {"errcode": 310000, "errmsg": "sign not match"} if failing else \
                    {"errcode": 0, "errmsg": "ok"}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_sink():
    sinks: list[Sink] = []

    def make(fail_first: int = 0) -> Sink:
        sinks.append(Sink(fail_first))
        return sinks[-1]
    yield make
    for sink in sinks:
        sink.close()


DEVICE_NAMES = ("chipcard", "idcard", "printer", "camera", "scanner")
PRINTER_SECTION = ('[devices.printer]\nport = "run/printer.pty"\npoll_interval_s = 0.05\n'
                   'status_timeout_ms = 500\n[devices.printer.emulator]\noutput_dir = "receipts"\n')


def one_device_config(tmp_path: Path, device: str, section: str = ""):
    """A kiosk configuration in tmp_path with only `device` enabled, on its emulator."""
    from kiosk.config import load_config
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        + "".join(f"[devices.{n}]\nenabled = false\n" for n in DEVICE_NAMES if n != device)
        + section, encoding="utf-8")
    return load_config(toml)


@pytest.fixture
def emulated_printer(tmp_path):
    """The real printer emulator on a pty under a running DeviceManager: (manager, bus), the
    printer online. Faults come from `manager.emulator("printer").perform("paper_out")`."""
    from kiosk.device_manager import DeviceManager
    from kiosk.events import EventBus
    from tests.harness import wait_for
    bus = EventBus()
    manager = DeviceManager(one_device_config(tmp_path, "printer", PRINTER_SECTION), bus)
    manager.start()
    try:
        assert manager.wait_ready("printer", 10)
        assert wait_for(lambda: manager.statuses()["printer"].get("device") == "online", 5)
        yield manager, bus
    finally:
        manager.stop()
