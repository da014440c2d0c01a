"""The app under systemd's notify protocol, read from a real NOTIFY_SOCKET datagram socket:
READY=1 once the attract screen is drawn, WATCHDOG=1 from the UI clock (none while the UI
thread is blocked), STOPPING=1 on SIGTERM."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from kiosk.systemd import ServiceNotifier

DISABLED = "".join(f"[devices.{name}]\nenabled = false\n"
                   for name in ("chipcard", "idcard", "printer", "camera", "scanner"))


class NotifySocket:
    """A bound AF_UNIX datagram socket standing in for systemd; arrivals are timestamped."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def wait_for(self, line: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, text in list(self.messages):
                if line in text.split("\n"):
                    return at
            time.sleep(0.01)
        raise AssertionError(f"no {line} within {timeout} s: {self.messages}")

    def pings(self, start: float, end: float) -> list[float]:
        return [at for at, text in list(self.messages) if text == "WATCHDOG=1" and start <= at <= end]

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path):
    sock = NotifySocket(tmp_path / "notify")
    yield sock
    sock.close()


def test_kiosk_run_speaks_ready_watchdog_stopping(tmp_path, notify_socket):
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "data"\n{DISABLED}', encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "NOTIFY_SOCKET": notify_socket.path, "WATCHDOG_USEC": "400000",
           "SDL_VIDEODRIVER": "offscreen", "HOME": str(home),
           "KIVY_HOME": str(tmp_path / "inherited-kivy-home")}
    env.pop("WATCHDOG_PID", None)
    kiosk = subprocess.Popen([sys.executable, "-m", "screens", "run", "--config", str(config)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready = notify_socket.wait_for("READY=1", 30)
        time.sleep(2.0)
        assert len(notify_socket.pings(ready, time.monotonic())) >= 3  # every 0.2 s (half)
        kiosk.send_signal(signal.SIGTERM)
        stopping = notify_socket.wait_for("STOPPING=1", 15)
        assert kiosk.wait(15) == 0, kiosk.stderr.read().decode()[-2000:]
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
    texts = [text for _at, text in notify_socket.messages]
    assert texts.count("STOPPING=1") == 1 and stopping > ready
    assert texts.index("READY=1\nSTATUS=attract screen shown") == 0   # nothing before ready
    # Kivy's home is moved into the data folder and reads or writes no config.ini: neither
    # ~/.kivy nor a KIVY_HOME from the environment is written
    assert not (home / ".kivy").exists() and not (tmp_path / "inherited-kivy-home").exists()


def test_no_pings_while_the_ui_thread_is_blocked(ui_app, notify_socket):
    from kivy.base import EventLoop
    from screens.supervision import Supervision

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            EventLoop.idle()
            time.sleep(0.005)

    supervision = Supervision(ServiceNotifier(notify_socket.path, watchdog_usec=200_000))
    supervision.attract_shown()
    pump(0.3)
    ready = notify_socket.wait_for("READY=1", 5)
    pump(0.6)
    assert len(notify_socket.pings(ready, time.monotonic())) >= 4       # every 0.1 s

    blocked_at = time.monotonic()
    time.sleep(1.0)     # the UI thread stuck (a long call, a deadlock): the clock stops
    unblocked_at = time.monotonic()
    assert notify_socket.pings(blocked_at + 0.05, unblocked_at) == []

    pump(0.5)
    assert len(notify_socket.pings(unblocked_at, time.monotonic())) >= 3  # the kiosk recovered
    supervision.stop()
    notify_socket.wait_for("STOPPING=1", 5)
    count = len(notify_socket.messages)
    pump(0.3)
    assert len(notify_socket.messages) == count                         # no pings after stop


def test_outside_systemd_nothing_is_sent():
    notifier = ServiceNotifier.from_environment({})
    assert not notifier.ready() and not notifier.ping() and notifier.ping_interval_s is None
    other = ServiceNotifier.from_environment({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000000",
                                              "WATCHDOG_PID": "1"})
    assert other.ping_interval_s is None          # the watchdog is another process's
