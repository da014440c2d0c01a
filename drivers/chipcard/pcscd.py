"""Starting and checking the PC/SC daemon (pcscd) without systemd: tests, demos, diagnostics.

pcscd is one system daemon per machine; a second one refuses to start, so always check first.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)

_children: list[subprocess.Popen] = []  # daemons this process started, reaped when stopped

RUN_DIR = Path("/run/pcscd")
SOCKET = RUN_DIR / "pcscd.comm"
PID_FILE = RUN_DIR / "pcscd.pid"


def _pid() -> int | None:
    try:
        return int(PID_FILE.read_text().strip("\x00 \n"))
    except (OSError, ValueError):
        return None


def pcscd_running() -> bool:
    """True when pcscd accepts connections on its socket."""
    if not SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            probe.connect(str(SOCKET))
        except OSError:
            return False
    return True


def ensure_pcscd(timeout: float = 5.0, log_path: str | Path | None = None) -> bool:
    """Start pcscd in the background unless it runs; True when this call started it.

    The daemon is detached (own session) because it serves the whole machine, not the caller.
    Raises RuntimeError naming what to do when it does not come up within `timeout`.
    """
    if pcscd_running():
        return False
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        _children.append(subprocess.Popen(
            ["pcscd", "--foreground"], stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True))
    except FileNotFoundError as exc:
        raise RuntimeError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)") \
            from exc
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pcscd_running():
            log.info("pcscd started")
            return True
        time.sleep(0.02)
    raise RuntimeError(f"pcscd did not open {SOCKET} within {timeout:.0f} s "
                       "(run `pcscd --foreground --debug` to see why; are you root?)")


def stop_pcscd(timeout: float = 5.0) -> bool:
    """SIGTERM the running pcscd and wait for its socket to go; True when one was stopped."""
    pid = _pid()
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not SOCKET.exists() and not PID_FILE.exists():
            for child in [c for c in _children if c.pid == pid]:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                _children.remove(child)
            log.info("pcscd stopped")
            return True
        time.sleep(0.02)
    raise RuntimeError(f"pcscd (pid {pid}) did not stop within {timeout:.0f} s")
