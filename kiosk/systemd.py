"""systemd's notify protocol, spoken directly (no libsystemd): one datagram per message on the
unix socket $NOTIFY_SOCKET names (a leading "@" is the abstract namespace).

READY=1 tells systemd a Type=notify service has started; WATCHDOG=1 must then arrive at least
once per WatchdogSec (systemd passes it as $WATCHDOG_USEC) or the service is killed and, with
Restart=always, started again; STOPPING=1 says a stop is under way. Outside systemd there is no
socket and every call does nothing.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class ServiceNotifier:
    def __init__(self, address: str | None = None, watchdog_usec: int | None = None):
        self.address = address
        self.watchdog_usec = watchdog_usec

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "ServiceNotifier":
        usec = environ.get("WATCHDOG_USEC", "")
        pid = environ.get("WATCHDOG_PID", "")
        watched = usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid()))
        return cls(environ.get("NOTIFY_SOCKET") or None, int(usec) if watched else None)

    @property
    def ping_interval_s(self) -> float | None:
        """How often to send WATCHDOG=1: half the watchdog timeout, as systemd advises."""
        return self.watchdog_usec / 2e6 if self.watchdog_usec else None

    def notify(self, *lines: str) -> bool:
        if not self.address:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(lines).encode(), target)
        except OSError as exc:  # systemd gone or the socket unreachable: nothing to tell
            log.warning("notify %s failed: %s", lines[0], exc)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")
